#include "apps/cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options/errors.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>

#include "apps/commands.hpp"
#include "base/error.hpp"
#include "base/heap.hpp"

namespace lutforge::cli {

namespace {

void usage(std::ostream& out, const std::vector<Command>& commands) {
  out << "usage: lutforge <command> [options]\n\ncommands:\n";
  size_t width = 0;
  for (const auto& c : commands) width = std::max(width, std::strlen(c.name));
  for (const auto& c : commands)
    out << "  " << c.name << std::string(width + 2 - std::strlen(c.name), ' ') << c.summary << "\n";
  out << "\n'lutforge <command> --help' describes a command.\n"
         "exit codes: 0 success (equiv: EQUIVALENT), 1 equiv: NOT EQUIVALENT or regress: a case\n"
         "failed, 2 error (bad input, options or tool failure), 3 equiv: UNDECIDED\n";
}

// The directory of the running executable, from /proc/self/exe.
std::string own_directory() {
  std::string buf(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) throw Error("/proc/self/exe: cannot find the lutforge executable's directory");
  buf.resize(static_cast<size_t>(n));
  const auto slash = buf.rfind('/');
  return slash == std::string::npos ? "." : buf.substr(0, slash);
}

}  // namespace

void exec_helper(const std::string& helper, const std::string& command,
                 const std::vector<std::string>& args, const std::string& what_needs_it) {
  const std::string path = own_directory() + "/" + helper;
  if (access(path.c_str(), X_OK) != 0)
    throw Error(path + ": not found; " + what_needs_it +
                " needs it, and this build did not make it");
  std::vector<std::string> all = {path, command};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(path.c_str(), argv.data());
  throw Error(path + ": cannot run: " + std::strerror(errno));
}

int cli_main(int argc, char** argv, const std::vector<Command>& commands) {
  prepare_heap();  // base/heap.hpp
  if (argc < 2) {
    usage(std::cerr, commands);
    return kExitError;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout, commands);
    return kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : commands) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const Error& e) {
      std::cerr << "lutforge " << name << ": error: " << e.what() << "\n";
    } catch (const boost::program_options::error& e) {
      std::cerr << "lutforge " << name << ": error: " << e.what() << " (see 'lutforge " << name
                << " --help')\n";
    } catch (const std::bad_alloc&) {
      std::cerr << "lutforge " << name << ": error: out of memory\n";
    } catch (const std::exception& e) {
      std::cerr << "lutforge " << name << ": internal error: " << e.what() << "\n";
    }
    return kExitError;
  }
  std::cerr << "lutforge: unknown command '" << name << "'\n";
  usage(std::cerr, commands);
  return kExitError;
}

}  // namespace lutforge::cli

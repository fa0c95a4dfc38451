// The shell shared by the lutforge executables: a table of subcommands, the error handling that
// turns exceptions into one line on standard error and an exit code, and the hand-over to the
// helper executables that hold LibTorch and SystemC.
#pragma once

#include <string>
#include <vector>

namespace lutforge::cli {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

// Runs argv[1] from `commands` with the remaining arguments, or prints the usage.
int cli_main(int argc, char** argv, const std::vector<Command>& commands);

// Replaces this process with the helper executable `helper` (such as "lutforge-train"), found in
// the directory of the running executable, with arguments `command args...`. Only `lutforge
// train` and the SystemC engine of `lutforge sim` load LibTorch and SystemC, so every other
// command starts without relocating their libraries. Returns only by throwing an Error, naming
// the helper, when it is missing because the build left it out (`what_needs_it` says why it was).
[[noreturn]] void exec_helper(const std::string& helper, const std::string& command,
                              const std::vector<std::string>& args,
                              const std::string& what_needs_it);

}  // namespace lutforge::cli

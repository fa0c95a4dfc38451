// Shared helpers for subcommand option parsing.
#pragma once

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/files.hpp"

namespace lutforge::cli {

namespace po = boost::program_options;

// Parses args; returns false (after printing help) when --help was given.
inline bool parse(const std::vector<std::string>& args, const std::string& usage,
                  po::options_description& opts, const po::positional_options_description& pos,
                  po::variables_map& vm) {
  opts.add_options()("help,h", "show this help");
  po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: " << usage << "\n\n" << opts << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

// A comma-separated list of positive integers, as "4" or "16,4,1"; `option` names it in errors.
inline std::vector<unsigned> parse_unsigned_list(const std::string& text,
                                                 const std::string& option) {
  std::vector<unsigned> out;
  size_t from = 0;
  while (true) {
    const size_t comma = text.find(',', from);
    const std::string item = text.substr(from, comma == std::string::npos ? comma : comma - from);
    if (item.empty() || item.size() > 9 ||
        item.find_first_not_of("0123456789") != std::string::npos || std::stoul(item) == 0)
      throw Error(option + ": expected positive integers separated by commas, got '" + text + "'");
    out.push_back(static_cast<unsigned>(std::stoul(item)));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

using lutforge::open_output;

}  // namespace lutforge::cli

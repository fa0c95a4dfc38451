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

using lutforge::open_output;

}  // namespace lutforge::cli

// The subcommands of the lutforge executable. Each parses its own options and returns the exit
// code; errors are thrown as lutforge::Error and printed by main.
#pragma once

#include <string>
#include <vector>

namespace lutforge::cli {

// Exit codes, documented in the README.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNotEquivalent = 1;  // also: a regression case failed
inline constexpr int kExitError = 2;          // bad input, bad options, failed tool
inline constexpr int kExitUndecided = 3;

int cmd_stats(const std::vector<std::string>& args);
int cmd_sim(const std::vector<std::string>& args);
int cmd_convert(const std::vector<std::string>& args);
int cmd_testbench(const std::vector<std::string>& args);
int cmd_equiv(const std::vector<std::string>& args);
int cmd_synth(const std::vector<std::string>& args);
int cmd_lower(const std::vector<std::string>& args);
int cmd_encode(const std::vector<std::string>& args);
int cmd_train(const std::vector<std::string>& args);
int cmd_regress(const std::vector<std::string>& args);
int cmd_dsp_packing(const std::vector<std::string>& args);
int cmd_prune(const std::vector<std::string>& args);

}  // namespace lutforge::cli

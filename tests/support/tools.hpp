// Helpers for tests that run the real tools: yosys, iverilog and the lutforge executable.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "netlist/netlist.hpp"
#include "netlist/vectors.hpp"

namespace lutforge::test {

struct RunResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs a shell command and captures both streams.
RunResult run(const std::string& command);

// A fresh, empty directory for one test.
std::filesystem::path temp_dir(const std::string& name);

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);
// Writes a netlist as a native JSON file.
void write_netlist(const std::filesystem::path& path, const Netlist& nl);

// The bytes of an IDX file: magic (element type, rank), big-endian dimensions, data.
std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& dims,
                      const std::vector<uint8_t>& data);

// The cells of column `name` of a CSV file with a header row, one per row; fails the test when
// the column is missing.
std::vector<std::string> csv_column(const std::filesystem::path& csv, const std::string& name);

// The message of the lutforge Error that `f` throws, or "no error".
std::string error_of(const std::function<void()>& f);

// Runs the lutforge executable with arguments; returns its result.
RunResult run_lutforge(const std::string& args);

// The Yosys flows the tests cross-check. Each maps a design to a cell library the reader supports.
struct Flow {
  const char* name;
  const char* script;  // the synthesis command, with -top added
};
const std::vector<Flow>& synth_flows();

// A second opinion on equivalence from outside lutforge. Yosys turns each Yosys JSON netlist into
// an AIGER (vendor cells through Yosys' own simulation models, asynchronous resets as synchronous
// ones, x bits as 0, registers from their init values), and yosys-abc compares the two: &cec for
// combinational designs, dsec (induction over signal correspondence) for sequential ones. Fails the
// test when Yosys fails or the two AIGERs' ports differ in order.
enum class AbcVerdict { Equivalent, NotEquivalent, Undecided };
const char* verdict_name(AbcVerdict v);
// Writes json's AIGER beside it (same name, .aig) and returns its path. `flow` names the flow that
// wrote the JSON, for the cell models to read.
std::filesystem::path yosys_aiger(const std::filesystem::path& json, const std::string& top,
                                  const Flow& flow);
AbcVerdict abc_verdict(const std::filesystem::path& aig_a, const std::filesystem::path& aig_b,
                       bool sequential);

// Synthesizes `verilog` with yosys and writes the JSON to `json`. Fails the test on a yosys error.
void synthesize(const std::filesystem::path& verilog, const std::string& top, const Flow& flow,
                const std::filesystem::path& json);

// Simulates `verilog` (module `top`) with iverilog on the rows of `inputs` (columns in the order
// of `inputs.names`) and returns the outputs in the order of `output_names`, one row per cycle,
// sampled just before each rising clock edge. `clock` is empty for a combinational design.
// `libraries` are further Verilog files, such as Yosys' cell models.
VectorTable iverilog_simulate(const std::filesystem::path& verilog, const std::string& top,
                              const std::string& clock, const VectorTable& inputs,
                              const std::vector<std::string>& output_names,
                              const std::vector<uint32_t>& output_widths,
                              const std::filesystem::path& dir,
                              const std::vector<std::filesystem::path>& libraries = {});

// Compares two output tables; returns an empty string when equal, else the first difference.
std::string compare_tables(const VectorTable& expected, const VectorTable& actual);

}  // namespace lutforge::test

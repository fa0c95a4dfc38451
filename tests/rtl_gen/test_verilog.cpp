#include <catch2/catch.hpp>
#include <sstream>

#include "netlist/generate.hpp"
#include "rtl_gen/verilog.hpp"

using namespace lutforge;

TEST_CASE("Verilog output is deterministic and uses legal identifiers", "[rtl_gen]") {
  RandomLutParams p;
  p.register_layers = true;
  std::ostringstream a, b;
  write_verilog(random_lut_network(p), a);
  write_verilog(random_lut_network(p), b);
  CHECK(a.str() == b.str());
  CHECK(a.str().find("module random_luts (\n  input wire clk,\n  input wire [15:0] x,\n  output wire [31:0] y\n);") !=
        std::string::npos);
  CHECK(verilog_identifier("a_b$1") == "a_b$1");
  CHECK(verilog_identifier("x[3]") == "\\x[3] ");
  CHECK(verilog_identifier("module") == "\\module ");
  CHECK(verilog_identifier("1abc") == "\\1abc ");
}

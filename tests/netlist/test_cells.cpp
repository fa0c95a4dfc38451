#include <catch2/catch.hpp>

#include "netlist/cells.hpp"

using namespace lutforge;

TEST_CASE("pin and output counts of every cell kind", "[cells]") {
  CHECK(num_input_pins(Input{5}) == 0);
  CHECK(num_output_bits(Input{5}) == 5);
  CHECK(num_input_pins(Output{3}) == 3);
  CHECK(num_output_bits(Output{3}) == 0);
  CHECK(num_output_bits(Const{true}) == 1);
  CHECK(num_input_pins(Lut{TruthTable(4)}) == 4);
  CHECK(num_input_pins(Gate{6}) == 2);
  CHECK(num_input_pins(Adder{{{3, false}, {5, true}}, 6}) == 8);
  CHECK(num_output_bits(Adder{{{3, false}, {5, true}}, 6}) == 6);
  CHECK(num_input_pins(ArgMax{10, 4, false}) == 40);
  CHECK(num_output_bits(ArgMax{10, 4, false}) == 4);
  CHECK(num_output_bits(ArgMax{2, 4, false}) == 1);
  CHECK(num_output_bits(ArgMax{16, 4, false}) == 4);
  CHECK(num_output_bits(ArgMax{17, 4, false}) == 5);
  CHECK(num_input_pins(PackedDsp{4, 3, 2, 8, false}) == 9);
  CHECK(num_output_bits(PackedDsp{4, 3, 2, 8, false}) == 8);
  Dff d;
  CHECK(num_input_pins(d) == 1);
  d.has_enable = d.has_sync_reset = d.has_async_reset = true;
  CHECK(num_input_pins(d) == 4);
  CHECK(pin_name(d, 1) == "EN");
  CHECK(pin_name(d, 2) == "SRST");
  CHECK(pin_name(d, 3) == "ARST");
  CHECK(is_combinational_pin(d, 3));
  CHECK_FALSE(is_combinational_pin(d, 0));
  CHECK(std::string(kind_name(Cell{ArgMax{}})) == "argmax");
}

#include "netlist/cells.hpp"

#include <cassert>

#include "netlist/overloaded.hpp"

namespace lutforge {

const char* kind_name(CellKind k) {
  switch (k) {
    case CellKind::Input: return "input";
    case CellKind::Output: return "output";
    case CellKind::Const: return "const";
    case CellKind::Lut: return "lut";
    case CellKind::Gate: return "gate";
    case CellKind::Adder: return "adder";
    case CellKind::ArgMax: return "argmax";
    case CellKind::PackedDsp: return "packed_dsp";
    case CellKind::Dff: return "dff";
  }
  return "?";
}

uint32_t argmax_index_width(uint32_t count) {
  uint32_t w = 0;
  while ((uint64_t{1} << w) < count) ++w;
  return w == 0 ? 1 : w;
}


uint32_t num_input_pins(const Cell& c) {
  return std::visit(
      Overloaded{
          [](const Input&) -> uint32_t { return 0; },
          [](const Output& o) -> uint32_t { return o.width; },
          [](const Const&) -> uint32_t { return 0; },
          [](const Lut& l) -> uint32_t { return l.function.num_vars(); },
          [](const Gate&) -> uint32_t { return 2; },
          [](const Adder& a) -> uint32_t {
            uint32_t n = 0;
            for (const auto& op : a.operands) n += op.width;
            return n;
          },
          [](const ArgMax& a) -> uint32_t { return a.count * a.width; },
          [](const PackedDsp& d) -> uint32_t { return d.a_width + d.b_width + d.c_width; },
          [](const Dff& d) -> uint32_t {
            return 1 + d.has_enable + d.has_sync_reset + d.has_async_reset;
          },
      },
      c);
}

uint32_t num_output_bits(const Cell& c) {
  return std::visit(Overloaded{
                        [](const Input& i) -> uint32_t { return i.width; },
                        [](const Output&) -> uint32_t { return 0; },
                        [](const Const&) -> uint32_t { return 1; },
                        [](const Lut&) -> uint32_t { return 1; },
                        [](const Gate&) -> uint32_t { return 1; },
                        [](const Adder& a) -> uint32_t { return a.width; },
                        [](const ArgMax& a) -> uint32_t { return argmax_index_width(a.count); },
                        [](const PackedDsp& d) -> uint32_t { return d.p_width; },
                        [](const Dff&) -> uint32_t { return 1; },
                    },
                    c);
}

bool is_combinational_pin(const Cell& c, uint32_t pin) {
  if (const auto* d = std::get_if<Dff>(&c)) return d->has_async_reset && pin == num_input_pins(c) - 1;
  return true;
}

std::string pin_name(const Cell& c, uint32_t pin) {
  if (const auto* d = std::get_if<Dff>(&c)) {
    if (pin == 0) return "D";
    uint32_t p = 1;
    if (d->has_enable && pin == p++) return "EN";
    if (d->has_sync_reset && pin == p++) return "SRST";
    return "ARST";
  }
  if (std::holds_alternative<Gate>(c)) return pin == 0 ? "A" : "B";
  if (const auto* a = std::get_if<Adder>(&c)) {
    uint32_t base = 0;
    for (size_t i = 0; i < a->operands.size(); ++i) {
      if (pin < base + a->operands[i].width)
        return "OP" + std::to_string(i) + "[" + std::to_string(pin - base) + "]";
      base += a->operands[i].width;
    }
  }
  if (const auto* a = std::get_if<ArgMax>(&c))
    return "W" + std::to_string(pin / a->width) + "[" + std::to_string(pin % a->width) + "]";
  if (const auto* d = std::get_if<PackedDsp>(&c)) {
    if (pin < d->a_width) return "A[" + std::to_string(pin) + "]";
    if (pin < d->a_width + d->b_width) return "B[" + std::to_string(pin - d->a_width) + "]";
    return "C[" + std::to_string(pin - d->a_width - d->b_width) + "]";
  }
  return "I[" + std::to_string(pin) + "]";
}

}  // namespace lutforge

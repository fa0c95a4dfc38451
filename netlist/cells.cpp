#include "netlist/cells.hpp"

#include <array>
#include <cassert>

#include "netlist/overloaded.hpp"

namespace lutforge {

namespace {

template <size_t... I>
Cell default_cell_impl(size_t k, std::index_sequence<I...>) {
  static const Cell kDefaults[] = {Cell(std::in_place_index<I>)...};
  return kDefaults[k];
}

}  // namespace

Cell default_cell(CellKind k) {
  assert(static_cast<unsigned>(k) < kNumCellKinds);
  return default_cell_impl(static_cast<size_t>(k), std::make_index_sequence<kNumCellKinds>{});
}

namespace {

// Each kind's kName, in the variant's order.
template <size_t... I>
constexpr std::array<const char*, kNumCellKinds> kind_names(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Cell>::kName...};
}
constexpr auto kKindNames = kind_names(std::make_index_sequence<kNumCellKinds>{});

}  // namespace

const char* kind_name(CellKind k) { return kKindNames[static_cast<size_t>(k)]; }

bool kind_from_name(const std::string& name, CellKind& kind) {
  for (unsigned k = 0; k < kNumCellKinds; ++k) {
    if (name == kKindNames[k]) {
      kind = static_cast<CellKind>(k);
      return true;
    }
  }
  return false;
}

uint32_t argmax_index_width(uint32_t count) {
  uint32_t w = 0;
  while ((uint64_t{1} << w) < count) ++w;
  return w == 0 ? 1 : w;
}

uint32_t num_input_pins(const Cell& c) {
  return std::visit(Overloaded{
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
                        [](const PackedDsp& d) -> uint32_t {
                          return d.a_width + d.b_width + d.c_width + d.d_width + d.z_width +
                                 d.has_z_enable;
                        },
                        [](const Rom& r) -> uint32_t { return r.addr_width; },
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
                        [](const Rom& r) -> uint32_t { return r.width(); },
                        [](const Dff&) -> uint32_t { return 1; },
                    },
                    c);
}

bool is_combinational_pin(const Cell& c, uint32_t pin) {
  if (const auto* d = std::get_if<Dff>(&c))
    return d->has_async_reset && pin == num_input_pins(c) - 1;
  return true;
}

std::string pin_name(const Cell& c, uint32_t pin) {
  const std::string index = "[" + std::to_string(pin) + "]";
  return std::visit(
      Overloaded{
          [&](const Input&) { return "I" + index; },
          [&](const Output&) { return "I" + index; },
          [&](const Const&) { return "I" + index; },
          [&](const Lut&) { return "I" + index; },
          [&](const Gate&) { return std::string(pin == 0 ? "A" : "B"); },
          [&](const Adder& a) {
            uint32_t base = 0;
            for (size_t i = 0; i < a.operands.size(); ++i) {
              if (pin < base + a.operands[i].width)
                return "OP" + std::to_string(i) + "[" + std::to_string(pin - base) + "]";
              base += a.operands[i].width;
            }
            return "I" + index;
          },
          [&](const ArgMax& a) {
            return "W" + std::to_string(pin / a.width) + "[" + std::to_string(pin % a.width) + "]";
          },
          [&](const PackedDsp& d) {
            const std::pair<const char*, uint32_t> ports[] = {{"A", d.a_width},
                                                              {"B", d.b_width},
                                                              {"C", d.c_width},
                                                              {"D", d.d_width},
                                                              {"Z", d.z_width}};
            uint32_t base = 0;
            for (const auto& [name, width] : ports) {
              if (pin < base + width) return name + ("[" + std::to_string(pin - base) + "]");
              base += width;
            }
            return std::string("ZEN");
          },
          [&](const Rom&) { return "ADDR" + index; },
          [&](const Dff& d) {
            if (pin == 0) return std::string("D");
            uint32_t p = 1;
            if (d.has_enable && pin == p++) return std::string("EN");
            if (d.has_sync_reset && pin == p++) return std::string("SRST");
            return std::string("ARST");
          },
      },
      c);
}

}  // namespace lutforge

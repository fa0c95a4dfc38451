// Maps one module of a parsed Yosys JSON onto a Netlist.
//
// Cell libraries: generic gates ($_AND_ ... $_MUX_, $_AOI3_ ...), $lut, Yosys' fine and coarse
// flip-flops, Xilinx LUT1..LUT6, MUXF7/8, CARRY4, FD[RSCP]E, DSP48E1/DSP48E2 (as synth_xilinx
// configures them for multipliers), and iCE40 SB_LUT4, SB_CARRY, SB_DFF*.
// Every register must be clocked on the rising edge of one input port, which becomes the
// netlist's clock. Active-low controls become inverters in front of the register. Constant x
// and z bits read as 0 and are counted.
#include <algorithm>
#include <cassert>
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "base/error.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge {
namespace {

// Builds a truth table by evaluating f on every input assignment.
TruthTable tabulate(unsigned k, const std::function<bool(unsigned)>& f) {
  TruthTable tt(k);
  for (unsigned i = 0; i < (1u << k); ++i)
    if (f(i)) set_bit(tt, i);
  return tt;
}

bool bit_of(unsigned v, unsigned i) { return (v >> i) & 1; }

// A map from net ids to values. Yosys numbers the nets of a module densely from 2, so a vector
// indexed by id serves them, without a heap node per net; an id far beyond the number of bits
// the module mentions (a hand-written file) goes to a hash map instead.
template <typename V>
class BitMap {
 public:
  explicit BitMap(size_t dense_ids) : dense_(dense_ids) {}
  V* find(YBit b) {
    if (static_cast<uint64_t>(b) < dense_.size()) return dense_[b] ? &*dense_[b] : nullptr;
    auto it = sparse_.find(b);
    return it == sparse_.end() ? nullptr : &it->second;
  }
  const V* find(YBit b) const { return const_cast<BitMap*>(this)->find(b); }
  // Like unordered_map::try_emplace: the value stored for b, and whether it was inserted now.
  std::pair<V*, bool> try_emplace(YBit b, const V& v) {
    if (static_cast<uint64_t>(b) < dense_.size()) {
      const bool inserted = !dense_[b];
      if (inserted) dense_[b] = v;
      return {&*dense_[b], inserted};
    }
    auto [it, inserted] = sparse_.try_emplace(b, v);
    return {&it->second, inserted};
  }

 private:
  std::vector<std::optional<V>> dense_;
  std::unordered_map<YBit, V> sparse_;
};

// How many bits the cells of a module read or drive, and the largest net id it mentions.
struct BitCensus {
  size_t cell_bits = 0, all_bits = 0;
  YBit largest = 0;
  explicit BitCensus(const YosysModule& m) {
    auto count = [&](std::span<const YBit> bits) {
      all_bits += bits.size();
      for (YBit b : bits) largest = std::max(largest, b);
    };
    for (const auto& c : m.cells)
      for (const auto& conn : c.connections) count(conn.bits);
    cell_bits = all_bits;
    for (const auto& p : m.ports) count(p.bits);
    for (const auto& net : m.nets) count(net.bits);
  }
  // Net ids below this are kept in vectors: all of them, unless the largest id is more than
  // twice the number of bits the module mentions.
  size_t dense_ids() const { return std::min(static_cast<size_t>(largest) + 1, 2 * all_bits + 64); }
};

// The register flavour of a flip-flop cell type.
struct RegSpec {
  bool clk_pos = true;
  bool has_en = false, en_pos = true;
  bool has_srst = false, srst_pos = true, srst_needs_en = false;
  bool has_arst = false, arst_pos = true;
  // Reset values per bit come from the cell (uniform for fine cells, a parameter for coarse).
};

class Importer {
 public:
  Importer(const YosysDesign& d, const YosysModule& m, ImportStats* stats)
      : Importer(d, m, stats, BitCensus(m)) {}
  Importer(const YosysDesign& d, const YosysModule& m, ImportStats* stats, const BitCensus& census)
      : design_(d),
        m_(m),
        stats_(stats),
        net_of_bit_(census.dense_ids()),
        init_of_bit_(census.dense_ids()),
        driver_(census.dense_ids()) {
    pending_.reserve(census.cell_bits);
    next_fresh_bit_ = census.largest + 1;
  }

  Netlist run() {
    nl_.set_design_name(std::string(m_.name));
    index_nets();
    find_clock();
    // Every cell is a node or a few (constants, inverters of active-low controls).
    nl_.reserve(m_.ports.size() + m_.cells.size() + 16);
    add_inputs();
    for (size_t i = 0; i < m_.cells.size(); ++i) {
      cell_index_ = i;
      if (clock_cells_.count(i)) continue;
      add_cell(m_.cells[i]);
      if (stats_) ++stats_->cells_by_type[std::string(m_.cells[i].type)];
    }
    resolve_aliases();
    add_outputs();
    resolve_pending();
    verify_or_throw(nl_, design_.filename + ": module '" + std::string(m_.name) + "'");
    return std::move(nl_);
  }

 private:
  struct Pending {
    NodeId node;
    uint32_t pin;
    YBit bit;
    size_t cell;
  };

  // ---- messages ----
  std::string where() const {
    const YosysCell& c = m_.cells[cell_index_];
    return design_.filename + ": module '" + std::string(m_.name) + "', cell '" +
           std::string(c.name) + "' (" + std::string(c.type) + ")";
  }
  [[noreturn]] void fail(const std::string& what) const { throw Error(where() + ": " + what); }

  std::string net_name(YBit b) const {
    const auto* e = b >= 0 ? net_of_bit_.find(b) : nullptr;
    if (!e) return "bit " + std::to_string(b);
    const YosysNet& n = m_.nets[e->first];
    if (n.bits.size() == 1) return std::string(n.name);
    return std::string(n.name) + "[" + std::to_string(e->second) + "]";
  }

  // ---- nets ----
  void index_nets() {
    for (size_t i = 0; i < m_.nets.size(); ++i) {
      const YosysNet& n = m_.nets[i];
      for (size_t k = 0; k < n.bits.size(); ++k) {
        if (n.bits[k] < 0) continue;
        // A bit's name: a visible net before a hidden one, and a net of its own before a bit of
        // a wider net (a register that drives an output port keeps the name it had before
        // synthesis, which the equivalence prover pairs registers by).
        auto [e, inserted] = net_of_bit_.try_emplace(n.bits[k], {i, k});
        const YosysNet& had = m_.nets[e->first];
        if (!inserted && !n.hidden && (had.hidden || (had.bits.size() > 1 && n.bits.size() == 1)))
          *e = {i, k};
        if (!n.init.empty()) {
          // init is MSB first with one digit per net bit.
          const size_t pos =
              n.init.size() >= n.bits.size() ? n.init.size() - 1 - k : std::string::npos;
          if (pos < n.init.size()) *init_of_bit_.try_emplace(n.bits[k], 0).first = n.init[pos];
        }
      }
    }
  }

  // ---- cell access ----
  const std::span<const YBit>* port_opt(const YosysCell& c, std::string_view name) const {
    for (const auto& [k, v] : c.connections)
      if (k == name) return &v;
    return nullptr;
  }
  std::span<const YBit> port(const YosysCell& c, std::string_view name, size_t width) const {
    const auto* p = port_opt(c, name);
    if (!p) fail("missing port " + std::string(name));
    if (width && p->size() != width)
      fail("port " + std::string(name) + " has " + std::to_string(p->size()) + " bits, expected " +
           std::to_string(width));
    return *p;
  }
  YBit port1(const YosysCell& c, std::string_view name) const { return port(c, name, 1)[0]; }

  const std::string_view* param_opt(const YosysCell& c, std::string_view name) const {
    for (const auto& [k, v] : c.parameters)
      if (k == name) return &v;
    return nullptr;
  }
  std::string_view param(const YosysCell& c, std::string_view name) const {
    const auto* p = param_opt(c, name);
    if (!p) fail("missing parameter " + std::string(name));
    return *p;
  }
  uint64_t param_uint(const YosysCell& c, std::string_view name, uint64_t dflt) const {
    const auto* p = param_opt(c, name);
    if (!p) return dflt;
    uint64_t v = 0;
    for (char ch : *p) {
      if (ch != '0' && ch != '1' && ch != 'x' && ch != 'z')
        fail("parameter " + std::string(name) + " is not a binary number: \"" + std::string(*p) +
             "\"");
      v = (v << 1) | (ch == '1');
    }
    return v;
  }
  // A table parameter, MSB first. Yosys writes a $lut's LUT with exactly 2^WIDTH bits, so
  // `exact` rejects any other length; a vendor cell's INIT may be written shorter, and Verilog
  // zero-extends it.
  TruthTable table_param(const YosysCell& c, std::string_view name, unsigned k,
                         bool exact = false) const {
    const std::string v(param(c, name));
    if (exact && v.size() != (size_t{1} << k))
      fail("parameter " + std::string(name) + " has " + std::to_string(v.size()) +
           " bits, expected " + std::to_string(size_t{1} << k) + " (2^WIDTH for WIDTH " +
           std::to_string(k) + ")");
    TruthTable tt;
    if (!from_binary(v, k, tt))
      fail("parameter " + std::string(name) + " \"" + v + "\" is not a binary table of at most " +
           std::to_string(1u << k) + " bits");
    for (char ch : v) count_xz(ch);
    return tt;
  }
  void count_xz(char ch) const {
    if (!stats_) return;
    if (ch == 'x') ++stats_->x_bits;
    if (ch == 'z') ++stats_->z_bits;
  }

  // ---- connections ----
  Signal constant_signal(YBit b) {
    if (stats_ && b == kYBitX) ++stats_->x_bits;
    if (stats_ && b == kYBitZ) ++stats_->z_bits;
    return nl_.constant(b == kYBit1);
  }
  void read(NodeId node, uint32_t pin, YBit b) {
    if (b < 0)
      nl_.connect(node, pin, constant_signal(b));
    else
      pending_.push_back({node, pin, b, cell_index_});
  }
  void drive(YBit b, Signal s) {
    if (b < 0) return;  // an output tied to a constant is left unread
    auto [driver, inserted] = driver_.try_emplace(b, s);
    if (!inserted)
      fail("net '" + net_name(b) + "' already has a driver (" + describe(nl_, driver->node) + ")");
  }
  std::string name_for(YBit out, const YosysCell& c) const {
    const auto* e = out >= 0 ? net_of_bit_.find(out) : nullptr;
    if (e && !m_.nets[e->first].hidden) return net_name(out);
    return std::string(c.name);
  }

  NodeId lut(const YosysCell& c, TruthTable tt, std::span<const YBit> ins, YBit out) {
    const NodeId n = nl_.add_cell(Lut{std::move(tt)}, {}, name_for(out, c));
    for (uint32_t i = 0; i < ins.size(); ++i) read(n, i, ins[i]);
    drive(out, Signal{n, 0});
    return n;
  }
  NodeId lut(const YosysCell& c, TruthTable tt, std::initializer_list<YBit> ins, YBit out) {
    return lut(c, std::move(tt), std::span<const YBit>(ins.begin(), ins.size()), out);
  }
  NodeId gate(const YosysCell& c, uint8_t id, YBit a, YBit b, YBit out) {
    const NodeId n = nl_.add_cell(Gate{id}, {}, name_for(out, c));
    read(n, 0, a);
    read(n, 1, b);
    drive(out, Signal{n, 0});
    return n;
  }
  // An inverter of a Yosys bit, for active-low controls.
  Signal inverted(YBit b, const std::string& name) {
    if (b < 0) return constant_signal(b == kYBit1 ? kYBit0 : kYBit1);
    const NodeId n = nl_.add_cell(Lut{make_from_word(1, 0b01)}, {}, name);
    read(n, 0, b);
    return Signal{n, 0};
  }

  // ---- clock ----
  static std::optional<std::string_view> clock_port_of(std::string_view type) {
    if (type.rfind("$_DFF", 0) == 0 || type.rfind("$_SDFF", 0) == 0 ||
        type.rfind("$_DFFE", 0) == 0 || type.rfind("$_SDFFE", 0) == 0 ||
        type.rfind("$_SDFFCE", 0) == 0)
      return "C";
    if (type == "$dff" || type == "$dffe" || type == "$sdff" || type == "$sdffe" ||
        type == "$sdffce" || type == "$adff" || type == "$adffe")
      return "CLK";
    if (type == "FDRE" || type == "FDSE" || type == "FDCE" || type == "FDPE") return "C";
    if (type.rfind("SB_DFF", 0) == 0) return "C";
    if (type == "DSP48E1" || type == "DSP48E2") return "CLK";
    if (type == "RAMB18E1" || type == "RAMB36E1") return "CLKARDCLK";
    return std::nullopt;
  }
  // Whether a cell with a clock port uses it: a DSP slice without pipeline registers does not.
  bool uses_clock(const YosysCell& c) const {
    if (c.type != "DSP48E1" && c.type != "DSP48E2") return true;
    for (const char* reg : {"AREG", "BREG", "CREG", "DREG", "ADREG", "MREG", "PREG"})
      if (param_uint(c, reg, 1) != 0) return true;
    return false;
  }

  void find_clock() {
    for (size_t i = 0; i < m_.cells.size(); ++i) {
      cell_index_ = i;
      const YosysCell& c = m_.cells[i];
      const auto cp = clock_port_of(c.type);
      if (!cp || !uses_clock(c)) continue;
      const YBit b = port1(c, *cp);
      if (clock_bit_ && *clock_bit_ != b)
        fail("clocked by net '" + net_name(b) + "', but other registers use '" +
             net_name(*clock_bit_) + "'; lutforge expects one clock domain");
      clock_bit_ = b;
    }
    if (!clock_bit_) return;
    // Follow clock buffers (synth_xilinx inserts IBUF and BUFG) back to the port. The buffers
    // on that path belong to the clock and are not imported.
    std::unordered_map<YBit, size_t> buffer_driving;
    for (size_t i = 0; i < m_.cells.size(); ++i)
      if (const auto io = buffer_ports(m_.cells[i].type)) {
        const auto* out = port_opt(m_.cells[i], io->second);
        if (out && out->size() == 1) buffer_driving[(*out)[0]] = i;
      }
    YBit b = *clock_bit_;
    for (;;) {
      for (const YosysPort& p : m_.ports)
        if (p.direction == YosysPort::Direction::Input && p.bits.size() == 1 && p.bits[0] == b) {
          nl_.set_clock_name(std::string(p.name));
          clock_nets_.insert(b);
          return;
        }
      auto it = buffer_driving.find(b);
      if (it == buffer_driving.end() || clock_cells_.count(it->second)) break;
      clock_nets_.insert(b);
      clock_cells_.insert(it->second);
      cell_index_ = it->second;
      b = port1(m_.cells[it->second], buffer_ports(m_.cells[it->second].type)->first);
    }
    throw Error(design_.filename + ": module '" + std::string(m_.name) +
                "': registers are clocked by net '" + net_name(*clock_bit_) +
                "', which is not a 1-bit input port; derived or gated clocks are not supported");
  }

  // The (input, output) port names of a buffer cell type.
  static std::optional<std::pair<std::string_view, std::string_view>> buffer_ports(
      std::string_view t) {
    if (t == "BUFG" || t == "IBUF" || t == "OBUF" || t == "BUF" || t == "BUFH" || t == "BUFR")
      return {{"I", "O"}};
    if (t == "$_BUF_") return {{"A", "Y"}};
    if (t == "SB_GB") return {{"USER_SIGNAL_TO_GLOBAL_BUFFER", "GLOBAL_BUFFER_OUTPUT"}};
    return std::nullopt;
  }

  // ---- ports ----
  void add_inputs() {
    for (const YosysPort& p : m_.ports) {
      if (p.direction == YosysPort::Direction::Inout)
        throw Error(design_.filename + ": module '" + std::string(m_.name) + "', port '" +
                    std::string(p.name) + "': inout ports are not supported");
      if (p.direction != YosysPort::Direction::Input) continue;
      if (p.name == nl_.clock_name()) continue;
      if (p.bits.empty()) continue;
      const NodeId n = nl_.add_input(std::string(p.name), static_cast<uint32_t>(p.bits.size()));
      for (uint32_t i = 0; i < p.bits.size(); ++i) {
        if (p.bits[i] < 0) continue;
        if (!driver_.try_emplace(p.bits[i], Signal{n, i}).second)
          throw Error(design_.filename + ": module '" + std::string(m_.name) + "', port '" +
                      std::string(p.name) + "': bit " + std::to_string(i) +
                      " is shared with another input port");
      }
    }
  }

  void add_outputs() {
    for (const YosysPort& p : m_.ports) {
      if (p.direction != YosysPort::Direction::Output || p.bits.empty()) continue;
      std::vector<Signal> bits;
      for (uint32_t i = 0; i < p.bits.size(); ++i) {
        const YBit b = p.bits[i];
        if (b < 0) {
          bits.push_back(constant_signal(b));
          continue;
        }
        const Signal* driver = driver_.find(b);
        if (!driver) {
          if (clock_nets_.count(b))
            throw Error(design_.filename + ": module '" + std::string(m_.name) + "', port '" +
                        std::string(p.name) +
                        "': the clock drives an output; the clock may only clock registers");
          throw Error(design_.filename + ": module '" + std::string(m_.name) + "', port '" +
                      std::string(p.name) + "': bit " + std::to_string(i) + " (net '" +
                      net_name(b) + "') has no driver");
        }
        bits.push_back(*driver);
      }
      nl_.add_output(std::string(p.name), bits);
    }
  }

  void resolve_pending() {
    std::vector<uint32_t> fanout(nl_.num_nodes());
    for (const Pending& p : pending_)
      if (const Signal* driver = driver_.find(p.bit)) ++fanout[driver->node];
    for (NodeId n = 0; n < fanout.size(); ++n)
      if (fanout[n]) nl_.reserve_fanout(n, fanout[n] + nl_.fanout_size(n));
    for (const Pending& p : pending_) {
      const Signal* driver = driver_.find(p.bit);
      if (!driver) {
        cell_index_ = p.cell;
        if (clock_nets_.count(p.bit))
          fail("reads the clock net '" + net_name(p.bit) +
               "' as data; the clock may only clock registers");
        fail("pin " + pin_name(nl_.cell(p.node), p.pin) + " reads net '" + net_name(p.bit) +
             "', which has no driver");
      }
      nl_.connect(p.node, p.pin, *driver);
    }
  }

  // ---- cells ----
  void add_cell(const YosysCell& c) {
    const std::string_view t = c.type;
    if (t.size() > 3 && t[0] == '$' && t[1] == '_') return add_fine_cell(c);
    if (t == "$lut") {
      const unsigned k = static_cast<unsigned>(param_uint(c, "WIDTH", 0));
      if (k > TruthTable::kMaxVars)
        fail("WIDTH " + std::to_string(k) + " is larger than supported");
      lut(c, table_param(c, "LUT", k, /*exact=*/true), port(c, "A", k), port1(c, "Y"));
      return;
    }
    if (t == "lf_lut") {  // lutforge's blackbox LUT (VerilogParams::blackbox_luts)
      const unsigned k = static_cast<unsigned>(param_uint(c, "K", 0));
      if (k > TruthTable::kMaxVars) fail("K " + std::to_string(k) + " is larger than supported");
      lut(c, table_param(c, "INIT", k), port(c, "A", k), port1(c, "Y"));
      return;
    }
    if (t == "$dff" || t == "$dffe" || t == "$sdff" || t == "$sdffe" || t == "$sdffce" ||
        t == "$adff" || t == "$adffe")
      return add_coarse_dff(c);
    if (t.size() == 4 && t.rfind("LUT", 0) == 0 && t[3] >= '1' && t[3] <= '6') {
      const unsigned k = t[3] - '0';
      std::vector<YBit> ins;
      for (unsigned i = 0; i < k; ++i) ins.push_back(port1(c, "I" + std::to_string(i)));
      lut(c, table_param(c, "INIT", k), ins, port1(c, "O"));
      return;
    }
    if (t == "SB_LUT4") {
      std::vector<YBit> ins;
      for (unsigned i = 0; i < 4; ++i) ins.push_back(port1(c, "I" + std::to_string(i)));
      lut(c, table_param(c, "LUT_INIT", 4), ins, port1(c, "O"));
      return;
    }
    if (t == "MUXF7" || t == "MUXF8" || t == "MUXF6") {
      lut(c, mux_table(), {port1(c, "I0"), port1(c, "I1"), port1(c, "S")}, port1(c, "O"));
      return;
    }
    if (t == "SB_CARRY") {
      const auto maj =
          tabulate(3, [](unsigned v) { return bit_of(v, 0) + bit_of(v, 1) + bit_of(v, 2) >= 2; });
      lut(c, maj, {port1(c, "I0"), port1(c, "I1"), port1(c, "CI")}, port1(c, "CO"));
      return;
    }
    if (t == "CARRY4") return add_carry4(c);
    if (const auto io = buffer_ports(t)) {
      lut(c, make_from_word(1, 0b10), {port1(c, io->first)}, port1(c, io->second));
      return;
    }
    if (t == "INV") {
      lut(c, make_from_word(1, 0b01), {port1(c, "I")}, port1(c, "O"));
      return;
    }
    if (t == "VCC" || t == "GND") {
      drive(port1(c, t == "VCC" ? "P" : "G"), nl_.constant(t == "VCC"));
      return;
    }
    if (t == "FDRE" || t == "FDSE" || t == "FDCE" || t == "FDPE") return add_xilinx_ff(c);
    if (t.rfind("SB_DFF", 0) == 0) return add_ice40_ff(c);
    if (t == "DSP48E1" || t == "DSP48E2") return add_xilinx_dsp(c, t == "DSP48E2");
    if (t == "RAMB18E1" || t == "RAMB36E1") return add_xilinx_bram(c, t == "RAMB36E1");
    fail(
        "unsupported cell type; expected generic synth gates, $lut, Yosys flip-flops, Xilinx LUTn/"
        "MUXF7/MUXF8/CARRY4/FD*E/DSP48E1/DSP48E2/RAMB18E1/RAMB36E1 (as ROMs) or iCE40 "
        "SB_LUT4/SB_CARRY/SB_DFF* (map the "
        "design with synth first)");
  }

  static TruthTable mux_table() {
    // pins: 0 = A (selected when S = 0), 1 = B, 2 = S
    return tabulate(3, [](unsigned v) { return bit_of(v, 2) ? bit_of(v, 1) : bit_of(v, 0); });
  }

  void add_fine_cell(const YosysCell& c) {
    const std::string_view t = c.type;
    static const std::unordered_map<std::string, uint8_t> kGates = {
        {"$_AND_", 1}, {"$_OR_", 7},   {"$_XOR_", 6},    {"$_NAND_", 14},
        {"$_NOR_", 8}, {"$_XNOR_", 9}, {"$_ANDNOT_", 2}, {"$_ORNOT_", 11}};
    if (auto it = kGates.find(std::string(t)); it != kGates.end()) {
      gate(c, it->second, port1(c, "A"), port1(c, "B"), port1(c, "Y"));
      return;
    }
    if (t == "$_NOT_") return (void)lut(c, make_from_word(1, 0b01), {port1(c, "A")}, port1(c, "Y"));
    if (t == "$_BUF_") return (void)lut(c, make_from_word(1, 0b10), {port1(c, "A")}, port1(c, "Y"));
    if (t == "$_MUX_")
      return (void)lut(c, mux_table(), {port1(c, "A"), port1(c, "B"), port1(c, "S")},
                       port1(c, "Y"));
    if (t == "$_NMUX_")
      return (void)lut(c, ~mux_table(), {port1(c, "A"), port1(c, "B"), port1(c, "S")},
                       port1(c, "Y"));
    if (t == "$_AOI3_" || t == "$_OAI3_") {
      const bool aoi = t == "$_AOI3_";
      auto f = tabulate(3, [aoi](unsigned v) {
        const bool a = bit_of(v, 0), b = bit_of(v, 1), cc = bit_of(v, 2);
        return aoi ? !((a && b) || cc) : !((a || b) && cc);
      });
      return (void)lut(c, f, {port1(c, "A"), port1(c, "B"), port1(c, "C")}, port1(c, "Y"));
    }
    if (t == "$_AOI4_" || t == "$_OAI4_") {
      const bool aoi = t == "$_AOI4_";
      auto f = tabulate(4, [aoi](unsigned v) {
        const bool a = bit_of(v, 0), b = bit_of(v, 1), cc = bit_of(v, 2), d = bit_of(v, 3);
        return aoi ? !((a && b) || (cc && d)) : !((a || b) && (cc || d));
      });
      return (void)lut(c, f, {port1(c, "A"), port1(c, "B"), port1(c, "C"), port1(c, "D")},
                       port1(c, "Y"));
    }
    // Fine flip-flops: $_DFF_P_, $_DFF_PP0_, $_DFFE_PP_, $_DFFE_PP0P_, $_SDFF_PP0_, $_SDFFE_PP0P_,
    // $_SDFFCE_PP0P_. The letters after the underscore are the clock, reset and enable polarities
    // and the reset value, in the order the family defines.
    auto letters = [&](std::string_view prefix) -> std::optional<std::string> {
      if (t.rfind(prefix, 0) != 0 || t.back() != '_') return std::nullopt;
      return std::string(t.substr(prefix.size(), t.size() - prefix.size() - 1));
    };
    RegSpec s;
    std::optional<bool> rval;
    std::string code;
    if (auto l = letters("$_DFF_"); l && (l->size() == 1 || l->size() == 3)) {
      code = *l;
      if (code.size() == 3) s.has_arst = true;
    } else if (auto l2 = letters("$_DFFE_"); l2 && (l2->size() == 2 || l2->size() == 4)) {
      code = *l2;
      s.has_en = true;
      if (code.size() == 4) s.has_arst = true;
    } else if (auto l3 = letters("$_SDFF_"); l3 && l3->size() == 3) {
      code = *l3;
      s.has_srst = true;
    } else if (auto l4 = letters("$_SDFFE_"); l4 && l4->size() == 4) {
      code = *l4;
      s.has_srst = s.has_en = true;
    } else if (auto l5 = letters("$_SDFFCE_"); l5 && l5->size() == 4) {
      code = *l5;
      s.has_srst = s.has_en = s.srst_needs_en = true;
    } else {
      fail(
          "unsupported cell type (latches, set/reset flip-flops and other fine cells are not "
          "supported)");
    }
    for (char ch : code)
      if (ch != 'P' && ch != 'N' && ch != '0' && ch != '1') fail("unsupported cell type");
    s.clk_pos = code[0] == 'P';
    size_t i = 1;
    if (s.has_arst || s.has_srst) {
      (s.has_arst ? s.arst_pos : s.srst_pos) = code[i++] == 'P';
      rval = code[i++] == '1';
    }
    if (s.has_en) s.en_pos = code[i++] == 'P';
    const YBit q = port1(c, "Q");
    add_register_bit(c, s, port1(c, "D"), q, s.has_en ? port1(c, "E") : kYBit1,
                     s.has_srst ? port1(c, "R") : kYBit0, s.has_arst ? port1(c, "R") : kYBit0,
                     rval.value_or(false), init_of(q, nullptr));
  }

  void add_coarse_dff(const YosysCell& c) {
    const std::string_view t = c.type;
    RegSpec s;
    s.clk_pos = param_uint(c, "CLK_POLARITY", 1) != 0;
    s.has_en = t == "$dffe" || t == "$sdffe" || t == "$sdffce" || t == "$adffe";
    s.has_srst = t == "$sdff" || t == "$sdffe" || t == "$sdffce";
    s.srst_needs_en = t == "$sdffce";
    s.has_arst = t == "$adff" || t == "$adffe";
    if (s.has_en) s.en_pos = param_uint(c, "EN_POLARITY", 1) != 0;
    if (s.has_srst) s.srst_pos = param_uint(c, "SRST_POLARITY", 1) != 0;
    if (s.has_arst) s.arst_pos = param_uint(c, "ARST_POLARITY", 1) != 0;
    const size_t w = param_uint(c, "WIDTH", 0);
    const auto& d = port(c, "D", w);
    const auto& q = port(c, "Q", w);
    std::string rv;
    if (s.has_srst) rv = param(c, "SRST_VALUE");
    if (s.has_arst) rv = param(c, "ARST_VALUE");
    const YBit en = s.has_en ? port1(c, "EN") : kYBit1;
    const YBit srst = s.has_srst ? port1(c, "SRST") : kYBit0;
    const YBit arst = s.has_arst ? port1(c, "ARST") : kYBit0;
    for (size_t i = 0; i < w; ++i) {
      const bool r = !rv.empty() && i < rv.size() && rv[rv.size() - 1 - i] == '1';
      add_register_bit(c, s, d[i], q[i], en, srst, arst, r, init_of(q[i], nullptr));
    }
  }

  void add_xilinx_ff(const YosysCell& c) {
    const std::string_view t = c.type;
    RegSpec s;
    s.has_en = true;
    s.clk_pos = param_uint(c, "IS_C_INVERTED", 0) == 0;
    YBit srst = kYBit0, arst = kYBit0;
    bool rval = false;
    if (t == "FDRE" || t == "FDSE") {
      s.has_srst = true;
      const char* pin = t == "FDRE" ? "R" : "S";
      srst = port1(c, pin);
      s.srst_pos = param_uint(c, t == "FDRE" ? "IS_R_INVERTED" : "IS_S_INVERTED", 0) == 0;
      rval = t == "FDSE";
    } else {
      s.has_arst = true;
      const char* pin = t == "FDCE" ? "CLR" : "PRE";
      arst = port1(c, pin);
      s.arst_pos = param_uint(c, t == "FDCE" ? "IS_CLR_INVERTED" : "IS_PRE_INVERTED", 0) == 0;
      rval = t == "FDPE";
    }
    YBit d = port1(c, "D");
    const YBit q = port1(c, "Q");
    if (param_uint(c, "IS_D_INVERTED", 0)) fail("IS_D_INVERTED is not supported");
    const std::string_view* init = param_opt(c, "INIT");
    add_register_bit(c, s, d, q, port1(c, "CE"), srst, arst, rval, init_of(q, init));
  }

  void add_ice40_ff(const YosysCell& c) {
    // SB_DFF[N][E][SR|SS|R|S]: N = falling edge, E = enable, SR/SS = synchronous reset/set,
    // R/S = asynchronous reset/set. With an enable, the synchronous reset acts only when enabled.
    std::string rest(c.type.substr(6));
    RegSpec s;
    if (!rest.empty() && rest[0] == 'N') {
      s.clk_pos = false;
      rest.erase(0, 1);
    }
    if (!rest.empty() && rest[0] == 'E') {
      s.has_en = true;
      rest.erase(0, 1);
    }
    YBit srst = kYBit0, arst = kYBit0;
    bool rval = false;
    if (rest == "SR" || rest == "SS") {
      s.has_srst = true;
      s.srst_needs_en = s.has_en;
      srst = port1(c, rest == "SR" ? "R" : "S");
      rval = rest == "SS";
    } else if (rest == "R" || rest == "S") {
      s.has_arst = true;
      arst = port1(c, rest);
      rval = rest == "S";
    } else if (!rest.empty()) {
      fail("unsupported iCE40 flip-flop type");
    }
    const YBit q = port1(c, "Q");
    add_register_bit(c, s, port1(c, "D"), q, s.has_en ? port1(c, "E") : kYBit1, srst, arst, rval,
                     init_of(q, nullptr));
  }

  // The initial value of register output bit q: a cell INIT parameter, else the net's init
  // attribute, else 0. x reads as 0.
  bool init_of(YBit q, const std::string_view* init_param) {
    char ch = '0';
    if (init_param && !init_param->empty())
      ch = init_param->back();
    else if (const char* c = q >= 0 ? init_of_bit_.find(q) : nullptr)
      ch = *c;
    count_xz(ch);
    return ch == '1';
  }

  void add_register_bit(const YosysCell& c, const RegSpec& s, YBit d, YBit q, YBit en, YBit srst,
                        YBit arst, bool reset_value, bool init, const std::string* name = nullptr) {
    if (!s.clk_pos)
      fail("falling-edge registers are not supported; lutforge expects one rising-edge clock");
    Dff dff;
    dff.init = init;
    dff.has_enable = s.has_en;
    dff.has_sync_reset = s.has_srst;
    dff.sync_reset_value = s.has_srst && reset_value;
    dff.sync_reset_needs_enable = s.srst_needs_en;
    dff.has_async_reset = s.has_arst;
    dff.async_reset_value = s.has_arst && reset_value;
    const NodeId n = nl_.add_cell(dff, {}, name ? *name : name_for(q, c));
    uint32_t pin = 0;
    read(n, pin++, d);
    auto control = [&](YBit b, bool active_high, const char* what) {
      if (active_high)
        read(n, pin++, b);
      else
        nl_.connect(n, pin++, inverted(b, nl_.name(n) + "$" + what + "_n"));
    };
    if (s.has_en) control(en, s.en_pos, "en");
    if (s.has_srst) control(srst, s.srst_pos, "srst");
    if (s.has_arst) control(arst, s.arst_pos, "arst");
    drive(q, Signal{n, 0});
  }

  // ---- DSP slices ----
  // A DSP48E1 or DSP48E2 becomes its pipeline registers (Dff cells with the slice's clock
  // enables and synchronous resets, initially 0), the Z multiplexer, and a PackedDsp for the
  // pre-adder, the multiplier and the post-adder; with MREG, the post-adder is an Adder behind
  // the M registers. The semantics follow Yosys' simulation model of DSP48E1 (cells_sim.v) and
  // UG579 for DSP48E2, in the configurations that synth_xilinx emits for multipliers: X:Y = M,
  // Z from 0, PCIN, P, C, PCIN >> 17 or P >> 17 (OPMODE[6:4], constant or dynamic), no carry-in,
  // ALUMODE 0000, constant INMODE, and no OPMODE/ALUMODE/INMODE registers. Anything else is an
  // error that names the cell and the setting.
  YBit fresh_bit() { return next_fresh_bit_++; }
  std::vector<YBit> fresh_bits(size_t n) {
    std::vector<YBit> v(n);
    for (YBit& b : v) b = fresh_bit();
    return v;
  }
  // Makes `to` (a net the cell drives) the same signal as `from`, resolved once every cell has
  // its driver.
  void alias(std::span<const YBit> to, std::span<const YBit> from) {
    for (size_t i = 0; i < to.size() && i < from.size(); ++i)
      if (to[i] >= 0) aliases_.push_back({to[i], from[i], cell_index_});
  }
  void resolve_aliases() {
    for (const Alias& a : aliases_) {
      YBit from = a.from;
      for (size_t hops = 0; from >= 0 && !driver_.find(from) && hops < aliases_.size(); ++hops) {
        auto it = std::find_if(aliases_.begin(), aliases_.end(),
                               [&](const Alias& x) { return x.to == from; });
        if (it == aliases_.end()) break;
        from = it->from;
      }
      cell_index_ = a.cell;
      if (from < 0) {
        drive(a.to, constant_signal(from));
      } else if (const Signal* d = driver_.find(from)) {
        drive(a.to, *d);
      } else {
        fail("net '" + net_name(from) + "' has no driver");
      }
    }
  }

  std::string param_string(const YosysCell& c, std::string_view name, std::string_view dflt) const {
    const auto* p = param_opt(c, name);
    if (!p) return std::string(dflt);
    std::string v(*p);
    // Yosys writes string parameters as is, and pads some with a trailing space.
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  }
  void expect_param(const YosysCell& c, std::string_view name, std::string_view dflt,
                    std::initializer_list<std::string_view> allowed) const {
    const std::string v = param_string(c, name, dflt);
    for (auto a : allowed)
      if (v == a) return;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : " or ") + std::string(a);
    fail("parameter " + std::string(name) + " is \"" + v + "\"; lutforge reads " + list);
  }
  uint64_t constant_port(const YosysCell& c, std::string_view name, size_t width) const {
    const auto* p = port_opt(c, name);
    if (!p) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < p->size() && i < width; ++i) {
      if ((*p)[i] >= 0)
        fail("port " + std::string(name) + " is driven by net '" + net_name((*p)[i]) +
             "'; lutforge reads it only as a constant");
      if ((*p)[i] == kYBit1) v |= uint64_t{1} << i;
    }
    return v;
  }
  std::string bits_text(uint64_t v, size_t width) const {
    std::string s;
    for (size_t i = width; i-- > 0;) s += ((v >> i) & 1) ? '1' : '0';
    return s;
  }
  // The bits of an input port, `width` of them; a port that is absent reads as 0.
  std::vector<YBit> in_bits(const YosysCell& c, std::string_view name, size_t width) const {
    std::vector<YBit> v(width, kYBit0);
    if (const auto* p = port_opt(c, name))
      for (size_t i = 0; i < width && i < p->size(); ++i) v[i] = (*p)[i];
    return v;
  }
  YBit in_bit(const YosysCell& c, std::string_view name, YBit dflt) const {
    const auto* p = port_opt(c, name);
    return p && !p->empty() ? (*p)[0] : dflt;
  }

  // One register stage of a slice on `d`: a Dff per bit, with the enable and reset when they
  // are not constantly active and inactive. Returns the Q bits.
  std::vector<YBit> dsp_stage(const YosysCell& c, const std::string& stage,
                              const std::vector<YBit>& d, YBit ce, YBit rst) {
    RegSpec s;
    s.has_en = ce != kYBit1;
    s.has_srst = rst != kYBit0;
    std::vector<YBit> q = fresh_bits(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
      const std::string name = std::string(c.name) + "." + stage + "[" + std::to_string(i) + "]";
      add_register_bit(c, s, d[i], q[i], ce, rst, kYBit0, false, false, &name);
    }
    return q;
  }

  void add_xilinx_dsp(const YosysCell& c, bool e2) {
    const unsigned a_mult = e2 ? 27 : 25;  // the multiplier's A (and D, AD) width
    const unsigned m_width = a_mult + 18;
    for (const auto& [k, v] : c.parameters)
      if (k.rfind("IS_", 0) == 0 && k.size() > 12 && k.substr(k.size() - 9) == "_INVERTED" &&
          param_uint(c, k, 0) != 0)
        fail("parameter " + std::string(k) +
             " is set; lutforge reads slices without inverted pins");
    expect_param(c, "USE_MULT", "MULTIPLY", {"MULTIPLY"});
    expect_param(c, "USE_SIMD", "ONE48", {"ONE48"});
    expect_param(c, "USE_PATTERN_DETECT", "NO_PATDET", {"NO_PATDET"});
    expect_param(c, "A_INPUT", "DIRECT", {"DIRECT", "CASCADE"});
    expect_param(c, "B_INPUT", "DIRECT", {"DIRECT", "CASCADE"});
    bool use_preadder;
    if (e2) {
      expect_param(c, "AMULTSEL", "A", {"A", "AD"});
      expect_param(c, "BMULTSEL", "B", {"B"});
      expect_param(c, "PREADDINSEL", "A", {"A"});
      expect_param(c, "USE_WIDEXOR", "FALSE", {"FALSE"});
      use_preadder = param_string(c, "AMULTSEL", "A") == "AD";
    } else {
      expect_param(c, "USE_DPORT", "FALSE", {"FALSE", "TRUE"});
      use_preadder = param_string(c, "USE_DPORT", "FALSE") == "TRUE";
    }
    for (const char* reg : {"OPMODEREG", "ALUMODEREG", "INMODEREG", "CARRYINSELREG"})
      if (param_uint(c, reg, 1) != 0)
        fail("parameter " + std::string(reg) + " is " + std::to_string(param_uint(c, reg, 1)) +
             "; lutforge reads slices whose control inputs are not registered");
    auto reg_param = [&](const char* name, unsigned max) {
      const uint64_t v = param_uint(c, name, 1);
      if (v > max)
        fail("parameter " + std::string(name) + " is " + std::to_string(v) + ", expected 0.." +
             std::to_string(max));
      return static_cast<unsigned>(v);
    };
    const unsigned areg = reg_param("AREG", 2), breg = reg_param("BREG", 2),
                   acascreg = reg_param("ACASCREG", 2), bcascreg = reg_param("BCASCREG", 2),
                   creg = reg_param("CREG", 1), dreg = reg_param("DREG", 1),
                   adreg = reg_param("ADREG", 1), mreg = reg_param("MREG", 1),
                   preg = reg_param("PREG", 1);
    const uint64_t alumode = constant_port(c, "ALUMODE", 4);
    if (alumode != 0)
      fail("ALUMODE is " + bits_text(alumode, 4) + "; lutforge reads 0000 (Z + X + Y)");
    const uint64_t carryinsel = constant_port(c, "CARRYINSEL", 3);
    if (carryinsel != 0 || in_bit(c, "CARRYIN", kYBit0) != kYBit0)
      fail("a carry-in is used (CARRYIN and CARRYINSEL must be 0)");
    const uint64_t inmode = constant_port(c, "INMODE", 5);
    const auto* opmode_port = port_opt(c, "OPMODE");
    if (!opmode_port) fail("missing port OPMODE");
    const std::vector<YBit> opmode = in_bits(c, "OPMODE", e2 ? 9 : 7);
    for (unsigned i = 0; i < 4; ++i)
      if (opmode[i] != ((0b0101 >> i) & 1 ? kYBit1 : kYBit0))
        fail(
            "OPMODE[3:0] is not the constant 0101; lutforge reads slices whose X and Y "
            "multiplexers select the multiplier");
    if (e2 && (opmode[7] != kYBit0 || opmode[8] != kYBit0))
      fail("OPMODE[8:7] (the W multiplexer) is not the constant 00");

    // A and B, through their registers (two in a chain, or one, or none).
    const std::vector<YBit> a_in =
        in_bits(c, param_string(c, "A_INPUT", "DIRECT") == "CASCADE" ? "ACIN" : "A", 30);
    const std::vector<YBit> b_in =
        in_bits(c, param_string(c, "B_INPUT", "DIRECT") == "CASCADE" ? "BCIN" : "B", 18);
    auto input_regs = [&](const char* port, const std::vector<YBit>& in, unsigned regs,
                          bool first_needed, std::vector<YBit>& r1, std::vector<YBit>& r2) {
      const std::string p(port);
      const YBit rst = in_bit(c, "RST" + p, kYBit0);
      const YBit ce1 = in_bit(c, "CE" + p + "1", kYBit1), ce2 = in_bit(c, "CE" + p + "2", kYBit1);
      if (regs == 0) {
        r1 = r2 = in;
      } else if (regs == 1) {
        r2 = dsp_stage(c, p + "2", in, ce2, rst);
        if (first_needed) r1 = dsp_stage(c, p + "1", in, ce1, rst);
      } else {
        r1 = dsp_stage(c, p + "1", in, ce1, rst);
        r2 = dsp_stage(c, p + "2", r1, ce2, rst);
      }
    };
    const bool a1_mult = inmode & 1, b1_mult = (inmode >> 4) & 1;
    std::vector<YBit> a1, a2, b1, b2;
    input_regs("A", a_in, areg, a1_mult, a1, a2);
    input_regs("B", b_in, breg, b1_mult, b1, b2);
    if (const auto* acout = port_opt(c, "ACOUT"))
      alias(*acout, acascreg == 1 && areg == 2 ? a1 : a2);
    if (const auto* bcout = port_opt(c, "BCOUT"))
      alias(*bcout, bcascreg == 1 && breg == 2 ? b1 : b2);
    std::vector<YBit> a_mul = a1_mult ? a1 : a2, b_mul = b1_mult ? b1 : b2;
    a_mul.resize(a_mult);
    if ((inmode >> 1) & 1) a_mul.assign(a_mult, kYBit0);
    auto port_reg = [&](const char* port, std::vector<YBit> bits, unsigned reg, const char* ce,
                        const char* rst) {
      return reg ? dsp_stage(c, std::string(port) + "r", bits, in_bit(c, ce, kYBit1),
                             in_bit(c, rst, kYBit0))
                 : bits;
    };

    // The pre-adder, in the slice when ADREG is 0, else an Adder in front of the AD registers.
    PackedDsp core{a_mult, 18, 0, 48, true};
    std::vector<YBit> d_mul;
    if (use_preadder) {
      std::vector<YBit> d = port_reg("D", in_bits(c, "D", a_mult), dreg, "CED", "RSTD");
      if (!((inmode >> 2) & 1)) d.assign(a_mult, kYBit0);
      const bool subtract = (inmode >> 3) & 1;
      if (adreg) {
        std::vector<YBit> addend = a_mul;
        YBit carry = kYBit0;
        if (subtract) {
          for (size_t i = 0; i < addend.size(); ++i) {
            const YBit inv = fresh_bit();
            lut(c, make_from_word(1, 0b01), {addend[i]}, inv);
            nl_.set_name(driver_.find(inv)->node,
                         std::string(c.name) + ".nA[" + std::to_string(i) + "]");
            addend[i] = inv;
          }
          carry = kYBit1;
        }
        const NodeId ad = nl_.add_cell(Adder{{{a_mult, true}, {a_mult, true}, {1, false}}, a_mult},
                                       {}, std::string(c.name) + ".AD");
        uint32_t pin = 0;
        for (YBit b : d) read(ad, pin++, b);
        for (YBit b : addend) read(ad, pin++, b);
        read(ad, pin++, carry);
        std::vector<YBit> ad_bits = fresh_bits(a_mult);
        for (uint32_t i = 0; i < a_mult; ++i) drive(ad_bits[i], Signal{ad, i});
        a_mul = dsp_stage(c, "ADr", ad_bits, in_bit(c, "CEAD", kYBit1), in_bit(c, "RSTD", kYBit0));
      } else {
        core.pre_add = subtract ? PackedDsp::PreAdd::Subtract : PackedDsp::PreAdd::Add;
        core.ad_width = a_mult;
        core.d_width = a_mult;
        d_mul = d;
      }
    }
    const std::vector<YBit> cr = port_reg("C", in_bits(c, "C", 48), creg, "CEC", "RSTC");

    // The Z multiplexer over the candidates that the constant OPMODE bits leave possible.
    const std::vector<YBit> p_q = fresh_bits(48);  // P as the slice outputs it
    const std::vector<YBit> pcin = in_bits(c, "PCIN", 48);
    std::vector<unsigned> codes;
    for (unsigned code = 0; code < 8; ++code) {
      bool possible = true;
      for (unsigned i = 0; i < 3; ++i) {
        const YBit s = opmode[4 + i];
        if (s < 0 && (s == kYBit1) != bool((code >> i) & 1)) possible = false;
      }
      if (possible) codes.push_back(code);
    }
    auto candidate = [&](unsigned code, unsigned i) -> YBit {
      const unsigned shifted = std::min(i + 17, 47u);
      switch (code) {
        case 0: return kYBit0;
        case 1: return pcin[i];
        case 2: return p_q[i];
        case 3: return cr[i];
        case 5: return pcin[shifted];
        case 6: return p_q[shifted];
        default: return kYBit0;  // 100 and 111: undefined with X:Y = M
      }
    };
    for (unsigned code : codes) {
      if (codes.size() == 1 && (code == 4 || code == 7))
        fail("OPMODE[6:4] is " + bits_text(code, 3) +
             "; lutforge reads Z = 0, PCIN, P, C, "
             "PCIN >> 17 or P >> 17");
      if ((code == 2 || code == 6) && !preg) fail("OPMODE[6:4] can select P, and PREG is 0");
    }
    std::vector<YBit> z(48, kYBit0);
    if (codes.size() == 1) {
      for (unsigned i = 0; i < 48; ++i) z[i] = candidate(codes[0], i);
    } else {
      std::vector<YBit> sel;
      for (unsigned i = 0; i < 3; ++i)
        if (opmode[4 + i] >= 0) sel.push_back(opmode[4 + i]);
      for (unsigned i = 0; i < 48; ++i) {
        // A LUT over the dynamic select bits and the distinct candidate bits of this position.
        std::vector<YBit> ins = sel;
        std::vector<int> which(8, -1);  // code -> input index of its candidate, or -1 for 0
        for (unsigned code : codes) {
          const YBit b = candidate(code, i);
          if (b == kYBit0) continue;
          auto it = std::find(ins.begin() + sel.size(), ins.end(), b);
          which[code] = static_cast<int>(it - ins.begin());
          if (it == ins.end()) ins.push_back(b);
        }
        auto f = tabulate(static_cast<unsigned>(ins.size()), [&](unsigned v) {
          unsigned code = 0, k = 0;
          for (unsigned j = 0; j < 3; ++j) {
            const YBit s = opmode[4 + j];
            const bool bit = s < 0 ? s == kYBit1 : bit_of(v, k++);
            code |= unsigned(bit) << j;
          }
          return which[code] >= 0 && bit_of(v, which[code]);
        });
        z[i] = fresh_bit();
        lut(c, f, ins, z[i]);
        nl_.set_name(driver_.find(z[i])->node,
                     std::string(c.name) + ".Z[" + std::to_string(i) + "]");
      }
    }

    // The multiplier and the post-adder; then P's register.
    const std::vector<YBit> p_d = preg ? fresh_bits(48) : p_q;
    auto read_all = [&](NodeId n, uint32_t& pin, const std::vector<YBit>& bits) {
      for (YBit b : bits) read(n, pin++, b);
    };
    if (!mreg) {
      core.z_width = 48;
      const NodeId n = nl_.add_cell(core, {}, std::string(c.name));
      uint32_t pin = 0;
      read_all(n, pin, a_mul);
      read_all(n, pin, b_mul);
      read_all(n, pin, d_mul);
      read_all(n, pin, z);
      for (uint32_t i = 0; i < 48; ++i) drive(p_d[i], Signal{n, i});
    } else {
      core.p_width = m_width;
      const NodeId n = nl_.add_cell(core, {}, std::string(c.name));
      uint32_t pin = 0;
      read_all(n, pin, a_mul);
      read_all(n, pin, b_mul);
      read_all(n, pin, d_mul);
      std::vector<YBit> m = fresh_bits(m_width);
      for (uint32_t i = 0; i < m_width; ++i) drive(m[i], Signal{n, i});
      m = dsp_stage(c, "Mr", m, in_bit(c, "CEM", kYBit1), in_bit(c, "RSTM", kYBit0));
      const NodeId post =
          nl_.add_cell(Adder{{{m_width, true}, {48, true}}, 48}, {}, std::string(c.name) + ".post");
      pin = 0;
      read_all(post, pin, m);
      read_all(post, pin, z);
      for (uint32_t i = 0; i < 48; ++i) drive(p_d[i], Signal{post, i});
    }
    if (preg) {
      const std::vector<YBit> q =
          dsp_stage(c, "Pr", p_d, in_bit(c, "CEP", kYBit1), in_bit(c, "RSTP", kYBit0));
      alias(p_q, q);
    }
    if (const auto* p = port_opt(c, "P")) alias(*p, p_q);
    if (const auto* p = port_opt(c, "PCOUT")) alias(*p, p_q);
  }

  // ---- block RAM ----
  // A RAMB18E1 or RAMB36E1 that is never written (a ROM, as synth_xilinx maps a memory without
  // write ports) becomes, for each read port, a Rom of the port's words on its address bits, the
  // port's output latch and, with DO[AB]_REG = 1, its output register: Dff cells per bit, as
  // UG473 describes the port. At a clock edge the latch takes the word at the address while EN
  // is high, or SRVAL when RSTRAM is high too; the register takes the latch while REGCE is high,
  // or SRVAL on RSTREG (with priority over REGCE when RSTREG_PRIORITY is "RSTREG"). Both start
  // at INIT. The array holds 16 Kbit of data and 2 Kbit of parity (twice that in a RAMB36E1):
  // INIT_xx holds data bits 256 xx up, INITP_xx parity bits 256 xx up. A port of width w reads
  // dw = w (w < 9) or 8 w / 9 data bits and pw = w / 9 parity bits: word a is data bits a dw up
  // and parity bits a pw up, at address bits ADDR[log2(dw) ...]; DO holds the data, DOP the
  // parity, and INIT and SRVAL are {parity, data}. In SDP mode port A reads words of 36 (72)
  // bits: the low half on DOADO/DOPADOP with INIT_A/SRVAL_A, the high half on DOBDO/DOPBDOP with
  // INIT_B/SRVAL_B. Writes, cascades and inverted pins are errors that name the cell.
  bool param_bit(const YosysCell& c, std::string_view name, size_t i) const {
    return value_bit(param_opt(c, name), i);
  }
  // Bit i (from the LSB) of a binary parameter value; an absent value or bit reads as 0.
  bool value_bit(const std::string_view* value, size_t i) const {
    if (!value || i >= value->size()) return false;
    const char ch = (*value)[value->size() - 1 - i];
    count_xz(ch);
    return ch == '1';
  }

  void add_xilinx_bram(const YosysCell& c, bool is36) {
    for (const auto& [k, v] : c.parameters)
      if (k.rfind("IS_", 0) == 0 && param_uint(c, k, 0) != 0)
        fail("parameter " + std::string(k) +
             " is set; lutforge reads block RAMs without inverted pins");
    if (is36) {
      expect_param(c, "RAM_EXTENSION_A", "NONE", {"NONE"});
      expect_param(c, "RAM_EXTENSION_B", "NONE", {"NONE"});
    }
    expect_param(c, "RAM_MODE", "TDP", {"TDP", "SDP"});
    const bool sdp = param_string(c, "RAM_MODE", "TDP") == "SDP";
    // Never written: every write enable is the constant 0, or its port is never enabled.
    auto never = [&](const char* en, const char* we, size_t width) {
      if (in_bit(c, en, kYBit0) == kYBit0) return true;
      for (YBit b : in_bits(c, we, width))
        if (b != kYBit0 && b != kYBitX) return false;
      return true;
    };
    if (!never("ENARDEN", "WEA", is36 ? 4 : 2) || !never("ENBWREN", "WEBWE", is36 ? 8 : 4))
      fail("the memory can be written (WEA/WEBWE are not 0); lutforge reads block RAMs as ROMs");

    const unsigned addr_bits = is36 ? 15 : 14;  // bit addresses of the data array
    // The array's data and parity bits, read once for both ports.
    const std::vector<bool> array = init_bits(c, "INIT_", size_t{1} << addr_bits),
                            parity = init_bits(c, "INITP_", size_t{1} << (addr_bits - 3));
    const std::string prefix(c.name);
    struct Port {
      char name;       // 'A' or 'B'
      unsigned width;  // READ_WIDTH
      const char *addr, *en, *regce, *rstram, *rstreg;
    };
    std::vector<Port> ports;
    const Port a{'A', 0, "ADDRARDADDR", "ENARDEN", "REGCEAREGCE", "RSTRAMARSTRAM", "RSTREGARSTREG"};
    const Port b{'B', 0, "ADDRBWRADDR", "ENBWREN", "REGCEB", "RSTRAMB", "RSTREGB"};
    for (Port p : {a, b}) {
      p.width = static_cast<unsigned>(param_uint(c, std::string("READ_WIDTH_") + p.name, 0));
      if (p.width == 0 || (sdp && p.name == 'B')) continue;
      const unsigned max = (is36 ? 36u : 18u) * (sdp ? 2 : 1);
      if (!(p.width == 1 || p.width == 2 || p.width == 4 || p.width == 9 || p.width == 18 ||
            p.width == 36 || p.width == 72) ||
          p.width > max || (sdp && p.width != max))
        fail("READ_WIDTH_" + std::string(1, p.name) + " is " + std::to_string(p.width) +
             "; lutforge reads 1, 2, 4, 9, ... up to " + std::to_string(max) +
             (sdp ? " (SDP mode reads " + std::to_string(max) + ")" : ""));
      if (p.name == 'B' && port1(c, "CLKBWRCLK") != port1(c, "CLKARDCLK"))
        fail("ports A and B read on different clocks; lutforge expects one clock domain");
      ports.push_back(p);
    }
    for (const Port& p : ports) {
      const unsigned dw = p.width < 9 ? p.width : p.width / 9 * 8, pw = p.width / 9;
      unsigned low = 0;
      while ((1u << low) < dw) ++low;
      const uint32_t aw = addr_bits - low;
      const std::vector<YBit> address = in_bits(c, p.addr, 16);
      // The words: data bits, then parity bits.
      std::vector<TruthTable> data(dw + pw, TruthTable(aw));
      for (uint64_t w = 0; w < (uint64_t{1} << aw); ++w) {
        for (unsigned i = 0; i < dw; ++i)
          if (array[w * dw + i]) set_bit(data[i], w);
        for (unsigned i = 0; i < pw; ++i)
          if (parity[w * pw + i]) set_bit(data[dw + i], w);
      }
      const std::string port_name = prefix + ".port" + p.name;
      const NodeId rom = nl_.add_cell(Rom{aw, std::move(data)}, {}, port_name);
      for (uint32_t i = 0; i < aw; ++i) read(rom, i, address[low + i]);
      // Where each word bit goes: its output port and bit, and its INIT/SRVAL parameter and bit.
      struct Out {
        const char* port;
        unsigned bit;
        char half;  // INIT_/SRVAL_ suffix
        unsigned value_bit;
      };
      std::vector<Out> outs;
      const unsigned halves = sdp ? 2 : 1, hd = dw / halves, hp = pw / halves;
      for (unsigned i = 0; i < dw; ++i) {
        const unsigned h = i / hd;
        outs.push_back({h ? "DOBDO" : (p.name == 'A' ? "DOADO" : "DOBDO"), i % hd,
                        sdp ? char('A' + h) : p.name, i % hd});
      }
      for (unsigned i = 0; i < pw; ++i) {
        const unsigned h = i / hp;
        outs.push_back({h ? "DOPBDOP" : (p.name == 'A' ? "DOPADOP" : "DOPBDOP"), i % hp,
                        sdp ? char('A' + h) : p.name, hd + i % hp});
      }
      const std::string reg_param = std::string("DO") + p.name + "_REG";
      const uint64_t output_reg = param_uint(c, reg_param, 0);
      if (output_reg > 1) fail("parameter " + reg_param + " is " + std::to_string(output_reg));
      if (sdp && param_uint(c, "DOB_REG", 0) != output_reg)
        fail("in SDP mode, DOA_REG and DOB_REG differ");
      const std::string priority =
          param_string(c, std::string("RSTREG_PRIORITY_") + p.name, "RSTREG");
      if (priority != "RSTREG" && priority != "REGCE")
        fail("parameter RSTREG_PRIORITY_" + std::string(1, p.name) + " is \"" + priority + "\"");
      const YBit en = in_bit(c, p.en, kYBit1), rstram = in_bit(c, p.rstram, kYBit0);
      const YBit regce = in_bit(c, p.regce, kYBit1), rstreg = in_bit(c, p.rstreg, kYBit0);
      for (uint32_t i = 0; i < outs.size(); ++i) {
        const Out& o = outs[i];
        const auto* port_bits = port_opt(c, o.port);
        if (!port_bits || o.bit >= port_bits->size() || (*port_bits)[o.bit] < 0)
          continue;  // a bit that the design does not read
        const YBit out = (*port_bits)[o.bit];
        const bool init_v = param_bit(c, std::string("INIT_") + o.half, o.value_bit),
                   srval_v = param_bit(c, std::string("SRVAL_") + o.half, o.value_bit);
        const YBit word_bit = fresh_bit();
        drive(word_bit, Signal{rom, i});
        const std::string bit_name = "[" + std::to_string(o.bit) + "]";
        RegSpec latch;
        latch.has_en = en != kYBit1;
        latch.has_srst = rstram != kYBit0;
        latch.srst_needs_en = latch.has_en;
        const YBit q_latch = output_reg ? fresh_bit() : out;
        const std::string latch_name = prefix + "." + o.port + "_latch" + bit_name;
        add_register_bit(c, latch, word_bit, q_latch, en, rstram, kYBit0, srval_v, init_v,
                         &latch_name);
        if (!output_reg) continue;
        RegSpec reg;
        reg.has_en = regce != kYBit1;
        reg.has_srst = rstreg != kYBit0;
        reg.srst_needs_en = reg.has_en && priority == "REGCE";
        add_register_bit(c, reg, q_latch, out, regce, rstreg, kYBit0, srval_v, init_v);
      }
    }
  }
  // `count` bits from the 256-bit parameters PREFIX00, PREFIX01, ... (hex suffixes); an absent
  // parameter reads as 0.
  std::vector<bool> init_bits(const YosysCell& c, const char* prefix, size_t count) const {
    static const char* hex = "0123456789ABCDEF";
    std::vector<bool> bits(count, false);
    for (size_t index = 0; index * 256 < count; ++index) {
      const std::string name = std::string(prefix) + hex[(index >> 4) & 15] + hex[index & 15];
      const std::string_view* value = param_opt(c, name);
      for (size_t i = 0; i < 256 && index * 256 + i < count; ++i)
        bits[index * 256 + i] = value_bit(value, i);
    }
    return bits;
  }

  void add_carry4(const YosysCell& c) {
    // O[i] = S[i] ^ c[i]; c[i+1] = S[i] ? c[i] : DI[i]; c[0] = CI | CYINIT; CO[i] = c[i+1].
    const auto& di = port(c, "DI", 4);
    const auto& sel = port(c, "S", 4);
    const auto* o = port_opt(c, "O");
    const auto* co = port_opt(c, "CO");
    const NodeId c0 = nl_.add_cell(Gate{7}, {}, std::string(c.name) + "$cin");
    read(c0, 0, port1(c, "CI"));
    read(c0, 1, port1(c, "CYINIT"));
    Signal carry{c0, 0};
    for (uint32_t i = 0; i < 4; ++i) {
      const std::string idx = "[" + std::to_string(i) + "]";
      const NodeId x = nl_.add_cell(Gate{6}, {}, std::string(c.name) + "$O" + idx);
      read(x, 0, sel[i]);
      nl_.connect(x, 1, carry);
      if (o && i < o->size()) drive((*o)[i], Signal{x, 0});
      const NodeId m = nl_.add_cell(Lut{mux_table()}, {}, std::string(c.name) + "$CO" + idx);
      read(m, 0, di[i]);
      nl_.connect(m, 1, carry);
      read(m, 2, sel[i]);
      carry = Signal{m, 0};
      if (co && i < co->size()) drive((*co)[i], carry);
    }
  }

  const YosysDesign& design_;
  const YosysModule& m_;
  ImportStats* stats_;
  Netlist nl_;
  size_t cell_index_ = 0;
  BitMap<std::pair<size_t, size_t>> net_of_bit_;  // (net, bit of the net) naming each bit
  BitMap<char> init_of_bit_;
  BitMap<Signal> driver_;
  std::vector<Pending> pending_;
  struct Alias {
    YBit to, from;
    size_t cell;
  };
  std::vector<Alias> aliases_;
  YBit next_fresh_bit_ = 2;  // ids past the module's own, for nets inside a DSP slice
  std::optional<YBit> clock_bit_;
  std::unordered_set<YBit> clock_nets_;     // the clock port bit and the buffered copies of it
  std::unordered_set<size_t> clock_cells_;  // buffers on the clock path, not imported
};

}  // namespace

// Inlines instances of the design's own (non-blackbox) modules into `top`, recursively. Nets of
// an instance get fresh bit ids and names prefixed with the instance path ("inst.net"); a module
// port bit that is a constant, or that repeats a bit already connected, becomes a $_BUF_ cell.
class Flattener {
 public:
  explicit Flattener(const YosysDesign& d) : design_(d) {
    for (const auto& m : d.modules)
      if (!m.is_blackbox) modules_.emplace(m.name, &m);
  }

  bool hierarchical(const YosysModule& m) const {
    for (const auto& c : m.cells)
      if (modules_.count(c.type)) return true;
    return false;
  }

  YosysModule run(const YosysModule& top) {
    YosysModule flat;
    flat.name = top.name;
    flat.is_top = top.is_top;
    flat.ports = top.ports;
    next_bit_ = 2;
    for (const auto& n : top.nets)
      for (YBit b : n.bits) next_bit_ = std::max(next_bit_, b + 1);
    std::unordered_map<YBit, YBit> identity;
    for (const auto& n : top.nets)
      for (YBit b : n.bits)
        if (b >= 0) identity[b] = b;
    inline_module(top, "", identity, flat, {});
    return flat;
  }

  // The flat module's views and spans point into the flattener, which must outlive it.

 private:
  // Adds m's cells and nets to `flat`, with m's bits renamed by `bits` (which it extends).
  void inline_module(const YosysModule& m, const std::string& prefix,
                     std::unordered_map<YBit, YBit>& bits, YosysModule& flat,
                     std::vector<std::string_view> path) {
    const std::string mname(m.name);
    if (std::find(path.begin(), path.end(), m.name) != path.end())
      throw Error(design_.filename + ": module '" + mname + "' instantiates itself");
    path.push_back(m.name);
    auto map = [&](YBit b) -> YBit {
      if (b < 0) return b;
      auto [it, inserted] = bits.try_emplace(b, 0);
      if (inserted) it->second = next_bit_++;
      return it->second;
    };
    auto mapped = [&](std::span<const YBit> v) {
      std::vector<YBit> out;
      out.reserve(v.size());
      for (YBit b : v) out.push_back(map(b));
      return arena_.keep(out);
    };
    for (const auto& n : m.nets) {
      YosysNet copy = n;
      copy.name = arena_.keep(prefix + std::string(n.name));
      copy.bits = mapped(n.bits);
      flat.nets.push_back(copy);
    }
    for (const auto& c : m.cells) {
      auto sub = modules_.find(c.type);
      if (sub == modules_.end()) {
        YosysCell copy = c;
        copy.name = arena_.keep(prefix + std::string(c.name));
        std::vector<YosysConnection> conns;
        for (const auto& [pin, v] : c.connections) conns.push_back({pin, mapped(v)});
        copy.connections = arena_.keep(conns);
        flat.cells.push_back(copy);
        continue;
      }
      const YosysModule& child = *sub->second;
      const std::string inst = prefix + std::string(c.name);
      std::unordered_map<YBit, YBit> child_bits;
      auto connection = [&](const YosysPort& p) -> std::vector<YBit> {
        for (const auto& [pin, v] : c.connections)
          if (pin == p.name) {
            if (v.size() != p.bits.size())
              throw Error(design_.filename + ": module '" + mname + "', instance '" +
                          std::string(c.name) + "' of '" + std::string(child.name) + "': port " +
                          std::string(p.name) + " has " + std::to_string(v.size()) +
                          " bits, expected " + std::to_string(p.bits.size()));
            std::vector<YBit> out;
            for (YBit b : v) out.push_back(map(b));
            return out;
          }
        return {};
      };
      std::vector<std::pair<YBit, YBit>> buffers;  // (child bit, parent bit)
      for (int pass = 0; pass < 2;
           ++pass)  // inputs first, so that a feed-through output is a buffer
        for (const YosysPort& p : child.ports) {
          if (p.direction == YosysPort::Direction::Inout)
            throw Error(design_.filename + ": module '" + std::string(child.name) +
                        "': inout port " + std::string(p.name) + " is not supported");
          const bool input = p.direction == YosysPort::Direction::Input;
          if (input != (pass == 0)) continue;
          const std::vector<YBit> parent = connection(p);
          for (size_t k = 0; k < p.bits.size(); ++k) {
            const YBit cb = p.bits[k];
            if (input) {
              if (cb >= 0) child_bits.try_emplace(cb, parent.empty() ? kYBitX : parent[k]);
            } else if (!parent.empty()) {
              if (cb < 0 || child_bits.count(cb))
                buffers.emplace_back(cb, parent[k]);
              else
                child_bits.emplace(cb, parent[k]);
            }
          }
        }
      // Child bits mapped to a parent constant (an input tied off) must stay constants.
      std::unordered_map<YBit, YBit> renamed;
      for (auto [cb, pb] : child_bits) renamed[cb] = pb;
      inline_module(child, inst + ".", renamed, flat, path);
      for (auto [cb, pb] : buffers) {
        YosysCell buf;
        buf.name = arena_.keep(inst + ".$lf_port_buf" + std::to_string(flat.cells.size()));
        buf.type = "$_BUF_";
        const YBit a = cb < 0 ? cb : renamed.at(cb);
        buf.connections = arena_.keep(std::vector<YosysConnection>{
            {"A", arena_.keep(std::vector<YBit>{a})}, {"Y", arena_.keep(std::vector<YBit>{pb})}});
        flat.cells.push_back(buf);
      }
    }
  }

  const YosysDesign& design_;
  std::unordered_map<std::string_view, const YosysModule*> modules_;
  YBit next_bit_ = 2;
  YosysArena arena_;
};

Netlist import_yosys(const YosysDesign& design, const ImportParams& params, ImportStats* stats) {
  const YosysModule* top = nullptr;
  if (!params.top.empty()) {
    for (const auto& m : design.modules)
      if (m.name == params.top) top = &m;
    if (!top) throw Error(design.filename + ": no module named '" + params.top + "'");
    if (top->is_blackbox)
      throw Error(design.filename + ": module '" + params.top + "' is a blackbox");
  } else {
    std::vector<const YosysModule*> candidates;
    for (const auto& m : design.modules) {
      if (m.is_top) top = &m;
      if (!m.is_blackbox) candidates.push_back(&m);
    }
    if (!top) {
      if (candidates.size() == 1)
        top = candidates[0];
      else if (candidates.empty())
        throw Error(design.filename + ": no module to read (every module is a blackbox)");
      else
        throw Error(design.filename + ": " + std::to_string(candidates.size()) +
                    " modules and none has the top attribute; name one with --top");
    }
  }
  Flattener flattener(design);
  if (flattener.hierarchical(*top)) {
    const YosysModule flat = flattener.run(*top);
    return Importer(design, flat, stats).run();
  }
  return Importer(design, *top, stats).run();
}

}  // namespace lutforge

#include "netlist/dsp.hpp"

#include "base/error.hpp"

namespace lutforge {
namespace {

// `stages` layers of registers on `bits`.
std::vector<Signal> delayed(Netlist& nl, std::vector<Signal> bits, unsigned stages,
                            const std::string& name) {
  for (unsigned s = 0; s < stages; ++s)
    for (size_t i = 0; i < bits.size(); ++i)
      bits[i] = {nl.add_cell(Dff{}, {bits[i]},
                             name + std::to_string(s + 1) + "[" + std::to_string(i) + "]"),
                 0};
  return bits;
}

std::vector<Signal> outputs(NodeId n, uint32_t width) {
  std::vector<Signal> v;
  for (uint32_t i = 0; i < width; ++i) v.push_back({n, i});
  return v;
}

}  // namespace

unsigned dsp_latency(const DspConfig& c) {
  return c.areg + (c.adreg ? 1 : 0) + (c.mreg ? 1 : 0) + (c.preg ? 1 : 0);
}

void check_dsp_config(const DspConfig& c, const std::string& name) {
  auto fail = [&](const std::string& what) { throw Error("DSP slice '" + name + "': " + what); };
  const PackedDsp& d = c.arithmetic;
  if (c.areg > 2 || c.breg > 2) fail("AREG and BREG are 0, 1 or 2");
  if (d.z_width || d.has_z_enable) fail("the arithmetic must have no Z port (the slice owns it)");
  if (c.accumulate && !c.preg) fail("accumulation needs the P register");
  if (c.adreg && d.pre_add == PackedDsp::PreAdd::None) fail("ADREG without a pre-adder");
  const unsigned to_multiplier = c.areg + (c.adreg ? 1 : 0);
  if (c.breg != to_multiplier)
    fail("BREG " + std::to_string(c.breg) + " does not match the A path's " +
         std::to_string(to_multiplier) + " stages to the multiplier");
  if (d.d_width && c.dreg != c.areg)
    fail("DREG " + std::to_string(c.dreg) + " does not match AREG " + std::to_string(c.areg));
  const unsigned to_post_adder = to_multiplier + (c.mreg ? 1 : 0);
  if (d.c_width && c.creg != to_post_adder)
    fail("C's " + std::to_string(c.creg) + " stages do not match the " +
         std::to_string(to_post_adder) + " stages to the post-adder");
}

std::vector<Signal> add_dsp(Netlist& nl, const DspConfig& c, const DspPorts& ports,
                            const std::string& name) {
  check_dsp_config(c, name);
  PackedDsp core = c.arithmetic;
  if (ports.a.size() != core.a_width || ports.b.size() != core.b_width ||
      ports.c.size() != core.c_width || ports.d.size() != core.d_width)
    throw Error("DSP slice '" + name + "': the ports do not have the arithmetic's widths");
  std::vector<Signal> a = delayed(nl, ports.a, c.areg, name + ".A");
  const std::vector<Signal> b = delayed(nl, ports.b, c.breg, name + ".B");
  const std::vector<Signal> cc = delayed(nl, ports.c, c.creg, name + ".C");
  std::vector<Signal> d = delayed(nl, ports.d, c.dreg, name + ".D");
  const uint32_t pw = core.p_width;

  if (c.adreg) {
    // The pre-adder on its own, D + A or D + ~A + 1, then its register.
    // A is extended to the pre-adder's width before it is inverted.
    const bool subtract = core.pre_add == PackedDsp::PreAdd::Subtract;
    std::vector<Signal> pins = d;
    for (uint32_t i = 0; i < core.ad_width; ++i) {
      const Signal bit = i < a.size()                   ? a[i]
                         : core.is_signed && !a.empty() ? a.back()
                                                        : nl.constant(false);
      pins.push_back(subtract ? Signal{nl.add_cell(Gate{12}, {bit, bit},
                                                   name + ".nA[" + std::to_string(i) + "]"),
                                       0}
                              : bit);
    }
    pins.push_back(nl.constant(subtract));
    Adder pre{{{core.d_width, core.is_signed}, {core.ad_width, false}, {1, false}}, core.ad_width};
    if (!core.d_width) pre.operands.erase(pre.operands.begin());
    a = delayed(nl, outputs(nl.add_cell(pre, pins, name + ".AD"), core.ad_width), 1, name + ".ADr");
    d.clear();
    core.a_width = core.ad_width;
    core.d_width = 0;
    core.pre_add = PackedDsp::PreAdd::None;
    core.ad_width = 0;
  }

  // P before its register. With accumulation, Z reads the P register, made below.
  std::vector<std::pair<NodeId, uint32_t>> z_pins;  // (node, first pin) of each bit's reader
  NodeId p_node;
  if (!c.mreg) {
    if (c.accumulate) {
      core.z_width = pw;
      core.has_z_enable = true;
    }
    std::vector<Signal> pins = a;
    pins.insert(pins.end(), b.begin(), b.end());
    pins.insert(pins.end(), cc.begin(), cc.end());
    pins.insert(pins.end(), d.begin(), d.end());
    const NodeId n = nl.add_cell(core, {}, name);
    for (uint32_t i = 0; i < pins.size(); ++i) nl.connect(n, i, pins[i]);
    if (c.accumulate) {
      for (uint32_t i = 0; i < pw; ++i) z_pins.push_back({n, uint32_t(pins.size()) + i});
      nl.connect(n, uint32_t(pins.size()) + pw, ports.zen);
    }
    p_node = n;
  } else {
    PackedDsp mult = core;
    mult.c_width = 0;
    std::vector<Signal> pins = a;
    pins.insert(pins.end(), b.begin(), b.end());
    pins.insert(pins.end(), d.begin(), d.end());
    const std::vector<Signal> m =
        delayed(nl, outputs(nl.add_cell(mult, pins, name), pw), 1, name + ".M");
    Adder post{{{pw, core.is_signed}}, pw};
    std::vector<Signal> post_pins = m;
    if (core.c_width) {
      post.operands.push_back({core.c_width, core.is_signed});
      post_pins.insert(post_pins.end(), cc.begin(), cc.end());
    }
    if (c.accumulate) {
      post.operands.push_back({pw, false});
      for (uint32_t i = 0; i < pw; ++i) {
        const NodeId g = nl.add_cell(Gate{1}, {}, name + ".Zg[" + std::to_string(i) + "]");
        z_pins.push_back({g, 0});
        nl.connect(g, 1, ports.zen);
        post_pins.push_back({g, 0});
      }
    }
    p_node = nl.add_cell(post, post_pins, name + ".post");
  }
  std::vector<Signal> p = delayed(nl, outputs(p_node, pw), c.preg ? 1 : 0, name + ".P");
  for (uint32_t i = 0; i < z_pins.size(); ++i) nl.connect(z_pins[i].first, z_pins[i].second, p[i]);
  return p;
}

}  // namespace lutforge

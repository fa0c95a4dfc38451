#include "sim/clocked.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <systemc>
#include <utility>

#include "base/error.hpp"
#include "netlist/eval.hpp"
#include "netlist/levels.hpp"

namespace lutforge::sim {
namespace {

using sc_core::sc_in;
using sc_core::sc_module_name;
using sc_core::sc_out;
using sc_core::sc_signal;

bool pattern_at(const std::string& p, uint64_t cycle) {
  return p.empty() || p[cycle % p.size()] == '1';
}

// Registers between the inputs and the outputs of a balanced pipeline; throws when the netlist is
// not one.
unsigned balanced_depth(const Netlist& nl) {
  const Levels lv = levelize(nl);
  if (lv.has_feedback)
    throw Error(
        "clocked simulation: the netlist has feedback through registers and no valid_in/valid_out "
        "ports, "
        "so which cycles carry a sample is not defined");
  // depth[n]: registers between the inputs and n's output; -1 where n reads only constants.
  // Registers are sources in the order, so repeat until nothing changes (at most stages + 1 times).
  std::vector<int> depth(nl.num_nodes(), -1);
  for (bool changed = true; changed;) {
    changed = false;
    for (NodeId n : lv.order) {
      const Cell& c = nl.cell(n);
      if (std::holds_alternative<Output>(c)) continue;  // checked below, with a message about ports
      int d = -1;
      if (std::holds_alternative<Input>(c)) {
        d = 0;
      } else if (is_register(c)) {
        const int x = depth[nl.fanin(n)[0].node];
        d = x < 0 ? -1 : x + 1;
      } else {
        for (const Signal& s : nl.fanin(n)) {
          const int x = depth[s.node];
          if (x < 0) continue;
          if (d >= 0 && x != d)
            throw Error("clocked simulation: " + describe(nl, n) + " reads signals " +
                        std::to_string(std::min(d, x)) + " and " + std::to_string(std::max(d, x)) +
                        " registers from the inputs; the netlist is not a balanced pipeline (give "
                        "it valid_in/valid_out "
                        "ports, as `convert --pipeline` does)");
          d = x;
        }
      }
      if (d != depth[n]) {
        depth[n] = d;
        changed = true;
      }
    }
  }
  int out = -1;
  for (NodeId n : nl.outputs())
    for (const Signal& s : nl.fanin(n)) {
      const int x = depth[s.node];
      if (x < 0) continue;
      if (out >= 0 && x != out)
        throw Error("clocked simulation: output ports are " + std::to_string(std::min(out, x)) +
                    " and " + std::to_string(std::max(out, x)) +
                    " registers from the inputs; the netlist is not a balanced pipeline (give it "
                    "valid_in/valid_out "
                    "ports, as `convert --pipeline` does)");
      out = x;
    }
  return out < 0 ? 0 : static_cast<unsigned>(out);
}

Program compile_scalar(const Netlist& nl) {
  CompileParams cp;
  cp.scalar = true;  // one sample per clock: LUTs as table lookups
  return compile(nl, cp);
}

// The shared record of one run, written by the modules.
struct Run {
  const Netlist& nl;
  const VectorTable& samples;
  const ClockedParams& p;
  ClockedReport report;
  std::deque<std::pair<uint64_t, uint64_t>>
      in_flight;                   // (sample, input transfer cycle), oldest first
  std::vector<uint64_t> in_cycle;  // by sample
  bool done = false;
  std::string error;  // a failure inside a SystemC process, reported after the run
};

// Offers samples in order with valid, on the cycles the source pattern allows; the transfer
// happens at a clock edge where valid and ready were both high.
SC_MODULE(Source) {
  sc_in<bool> clk, rst, ready, design_ready;
  sc_out<bool> valid;
  sc_out<uint64_t> index;

  SC_HAS_PROCESS(Source);
  Source(sc_module_name name, Run & run) : sc_module(name), run_(run) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }

 private:
  void tick() {
    if (rst.read()) {
      next_ = 0;
      cycle_ = 0;
    } else {
      if (valid.read() && ready.read() && design_ready.read()) ++next_;
      ++cycle_;
    }
    valid.write(!rst.read() && next_ < run_.samples.rows.size() &&
                pattern_at(run_.p.source_pattern, cycle_));
    index.write(next_);
  }

  Run& run_;
  uint64_t next_ = 0, cycle_ = 0;
};

// The netlist. At the rising edge, when enabled, the registers take the values computed for the
// cycle before; at the falling edge the logic is evaluated on the inputs of this cycle.
SC_MODULE(Design) {
  sc_in<bool> clk, rst, in_valid, enable;
  sc_in<uint64_t> in_index;
  sc_out<bool> out_valid, in_ready;

  SC_HAS_PROCESS(Design);
  Design(sc_module_name name, Run & run) : sc_module(name), run_(run), ev_(compile_scalar(run.nl)) {
    const Netlist& nl = run.nl;
    // Validity: the netlist's own ports, or a valid bit beside a balanced pipeline.
    const NodeId vi = nl.find_port(run.p.valid_in), vo = nl.find_port(run.p.valid_out);
    for (size_t i = 0; i < nl.inputs().size(); ++i)
      if (nl.inputs()[i] == vi && port_width(nl, vi) == 1) valid_in_port_ = i;
    for (size_t i = 0; i < nl.outputs().size(); ++i)
      if (nl.outputs()[i] == vo && port_width(nl, vo) == 1) valid_out_port_ = i;
    run.report.valid_ports = valid_in_port_ && valid_out_port_;
    const NodeId ir = nl.find_port(run.p.in_ready);
    for (size_t i = 0; i < nl.outputs().size(); ++i)
      if (nl.outputs()[i] == ir && port_width(nl, ir) == 1) in_ready_port_ = i;
    if (in_ready_port_ && !run.report.valid_ports)
      throw Error("clocked simulation: the design has an in_ready port but not both of " +
                  run.p.valid_in + " and " + run.p.valid_out +
                  "; a design that paces its input must say which outputs are valid");
    run.report.ready_port = in_ready_port_.has_value();
    if (run.report.valid_ports) {
      const Levels lv = levelize(nl);
      run.report.pipeline_depth = lv.has_feedback ? 0 : lv.num_stages;
    } else {
      valid_in_port_.reset();
      valid_out_port_.reset();
      run.report.pipeline_depth = balanced_depth(nl);
      side_.assign(run.report.pipeline_depth, false);
    }
    in_widths_ = input_table(nl).widths;
    out_widths_ = output_table(nl).widths;
    // The sample's columns for each input port.
    for (NodeId n : nl.inputs()) {
      const auto it = std::find(run.samples.names.begin(), run.samples.names.end(), nl.name(n));
      column_.push_back(it == run.samples.names.end()
                            ? SIZE_MAX
                            : static_cast<size_t>(it - run.samples.names.begin()));
      if (column_.back() == SIZE_MAX && (!valid_in_port_ || nl.inputs()[*valid_in_port_] != n))
        throw Error("clocked simulation: the stimulus has no column for input port '" + nl.name(n) +
                    "'");
    }
    prepare_power();
    SC_METHOD(rise);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(fall);
    sensitive << clk.neg();
    dont_initialize();
  }

  // Values of the traced nets, updated at every evaluation.
  std::vector<std::pair<std::string, Signal>> traced;
  std::unique_ptr<bool[]> traced_values;

  // The output ports as evaluated at the last falling edge; the registers may have moved since.
  const std::vector<BitVector>& outputs() const { return outputs_; }
  uint64_t evaluated_cycles() const { return evaluated_; }
  size_t net_bits() const { return nets_.size(); }

 private:
  void rise() {
    if (rst.read()) {
      ev_.reset();
      std::fill(side_.begin(), side_.end(), false);
      return;
    }
    if (!enable.read()) return;  // ready low: everything holds
    ev_.step();
    if (!side_.empty()) {
      std::rotate(side_.rbegin(), side_.rbegin() + 1, side_.rend());
      side_[0] = in_valid.read();
    }
  }

  void fall() {
    const VectorTable& s = run_.samples;
    const bool valid = in_valid.read() && !rst.read();
    if (valid) {
      const auto& row = s.rows[in_index.read()];
      for (size_t i = 0; i < run_.nl.inputs().size(); ++i) {
        if (column_[i] == SIZE_MAX) continue;
        for (uint32_t b = 0; b < in_widths_[i]; ++b)
          ev_.input(i, b)[0] = (row[column_[i]][b / 64] >> (b % 64)) & 1 ? ~uint64_t{0} : 0;
      }
    }
    if (valid_in_port_) ev_.input(*valid_in_port_, 0)[0] = valid ? ~uint64_t{0} : 0;
    ev_.eval();
    if (!rst.read()) count_toggles();
    for (size_t i = 0; i < traced.size(); ++i)
      traced_values[i] = ev_.value(traced[i].second)[0] & 1;
    if (run_.p.record_cycles && !rst.read()) record_cycle();
    bool ov;
    if (valid_out_port_)
      ov = ev_.output(*valid_out_port_, 0)[0] & 1;
    else
      ov = side_.empty() ? valid : side_.back();
    if (ov) pack_ports(false, outputs_);  // the monitor reads them only with valid
    out_valid.write(ov && !rst.read());
    in_ready.write(!in_ready_port_ || (ev_.output(*in_ready_port_, 0)[0] & 1));
  }

  // The input or output ports' current values, one BitVector per port.
  void pack_ports(bool inputs, std::vector<BitVector>& out) {
    const std::vector<uint32_t>& widths = inputs ? in_widths_ : out_widths_;
    out.resize(widths.size());
    for (size_t i = 0; i < widths.size(); ++i) {
      out[i].assign((widths[i] + 63) / 64, 0);
      for (uint32_t b = 0; b < widths[i]; ++b)  // no branch on data
        out[i][b / 64] |= uint64_t{(inputs ? ev_.input(i, b)[0] : ev_.output(i, b)[0]) & 1u}
                          << (b % 64);
    }
  }

  void record_cycle() {
    std::vector<BitVector> row;
    pack_ports(true, row);
    run_.report.cycle_inputs.rows.push_back(row);
    pack_ports(false, row);
    run_.report.cycle_outputs.rows.push_back(std::move(row));
  }

  struct Net {
    uint32_t slot;
    double weight;
    uint8_t kind;
    uint32_t stage;
    NodeId node;
    uint32_t bit;
  };

  void prepare_power() {
    const Netlist& nl = run_.nl;
    const Levels lv = levelize(nl);
    const PowerWeights& w = run_.p.weights;
    for (NodeId n = 0; n < nl.num_nodes(); ++n) {
      const Cell& c = nl.cell(n);
      if (std::holds_alternative<Output>(c) || std::holds_alternative<Const>(c)) continue;
      const size_t readers = nl.fanout_size(n);
      const auto kw = w.kind.find(kind_name(c));
      const double weight =
          (kw == w.kind.end() ? 0.0 : kw->second) +
          w.fanout * static_cast<double>(readers) / std::max<uint32_t>(1, num_output_bits(c));
      for (uint32_t b = 0; b < num_output_bits(c); ++b)
        nets_.push_back({ev_.program().signal_slots[n][b], weight, static_cast<uint8_t>(kind_of(c)),
                         lv.stage[n], n, b});
      if (is_register(c)) ++registers_;
    }
    std::sort(nets_.begin(), nets_.end(),
              [](const Net& a, const Net& b) { return a.slot < b.slot; });
    contiguous_ = true;
    for (size_t i = 1; i < nets_.size(); ++i)
      contiguous_ = contiguous_ && nets_[i].slot == nets_[0].slot + i;
    previous_.assign(nets_.size(), 0);
    recent_.assign(nets_.size(), 0);
    toggles_.assign(nets_.size(), 0);
    num_stages_ = lv.num_stages;
  }

  // Per net: toggles += (old XOR new), without branches, on bytes; net slots are normally one
  // contiguous run, which the compiler vectorizes. 16-bit counters keep the arrays in cache and
  // are added to the 64-bit totals before they can overflow. The first cycle after reset is the
  // baseline: toggles are changes between consecutive cycles, as a waveform viewer counts them.
  void count_toggles() {
    const size_t n = nets_.size();
    if (evaluated_ == 0)
      for (size_t i = 0; i < n; ++i) previous_[i] = ev_.slot(nets_[i].slot)[0] & 1;
    uint8_t* __restrict prev = previous_.data();
    uint16_t* __restrict cnt = recent_.data();
    if (contiguous_ && n) {
      const uint8_t* __restrict v = ev_.slot(nets_[0].slot);
      for (size_t i = 0; i < n; ++i) {
        const uint8_t x = v[i] & 1;
        cnt[i] = static_cast<uint16_t>(cnt[i] + (x ^ prev[i]));
        prev[i] = x;
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        const uint8_t x = ev_.slot(nets_[i].slot)[0] & 1;
        cnt[i] = static_cast<uint16_t>(cnt[i] + (x ^ prev[i]));
        prev[i] = x;
      }
    }
    if (++evaluated_ % 65535 == 0) flush_toggles();
  }

  void flush_toggles() {
    for (size_t i = 0; i < recent_.size(); ++i) toggles_[i] += std::exchange(recent_[i], 0);
  }

 public:
  // Sums the per-net toggles into the power report.
  void finish_power() {
    flush_toggles();
    Power& pw = run_.report.power;
    std::vector<double> by_kind(kNumCellKinds, 0.0);
    pw.by_stage.assign(num_stages_ + 1, 0.0);
    for (size_t i = 0; i < nets_.size(); ++i) {
      const Net& net = nets_[i];
      const double e = static_cast<double>(toggles_[i]) * net.weight;
      pw.toggles += toggles_[i];
      pw.switching += e;
      by_kind[net.kind] += e;
      if (pw.by_stage.size() <= net.stage) pw.by_stage.resize(net.stage + 1, 0.0);
      pw.by_stage[net.stage] += e;
      run_.report.net_toggles.push_back({net.node, net.bit, toggles_[i]});
    }
    for (unsigned k = 0; k < kNumCellKinds; ++k)
      if (by_kind[k] != 0) pw.by_kind[kind_name(static_cast<CellKind>(k))] = by_kind[k];
    pw.clock =
        run_.p.weights.clock * static_cast<double>(registers_) * static_cast<double>(evaluated_);
  }

 private:
  Run& run_;
  ScalarEvaluator ev_;
  std::optional<size_t> valid_in_port_, valid_out_port_, in_ready_port_;
  std::vector<bool> side_;  // the valid bit beside a balanced pipeline, one per register stage
  std::vector<size_t> column_;
  std::vector<uint32_t> in_widths_, out_widths_;
  std::vector<BitVector> outputs_;
  std::vector<Net> nets_;
  std::vector<uint8_t> previous_;
  std::vector<uint16_t> recent_;  // toggles since the last flush
  std::vector<uint64_t> toggles_;
  bool contiguous_ = false;
  uint32_t num_stages_ = 0;
  size_t registers_ = 0;
  uint64_t evaluated_ = 0;
};

// Takes an output sample at every edge where valid and ready were high, and drives ready by the
// ready pattern.
SC_MODULE(Monitor) {
  sc_in<bool> clk, rst, valid, in_valid, in_ready, design_ready;
  sc_in<uint64_t> in_index;
  sc_out<bool> ready;

  SC_HAS_PROCESS(Monitor);
  Monitor(sc_module_name name, Run & run, const Design& design)
      : sc_module(name), run_(run), design_(design) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }

 private:
  void tick() {
    ClockedReport& r = run_.report;
    if (rst.read()) {
      cycle_ = 0;
      ready.write(pattern_at(run_.p.ready_pattern, 0));
      return;
    }
    ++cycle_;
    // The edge that ends cycle_ - 1: record both transfers first, input then output, so that a
    // combinational design passes a sample through in the same cycle.
    if (in_valid.read() && in_ready.read() && design_ready.read()) {
      const uint64_t s = in_index.read();
      run_.in_flight.emplace_back(s, cycle_);
      if (!any_in_) r.first_in = cycle_;
      any_in_ = true;
      r.last_in = cycle_;
    }
    if (!in_ready.read()) ++r.stall_cycles;
    if (valid.read() && ready.read()) {
      if (run_.in_flight.empty()) {
        run_.error = "clocked simulation: the design signalled a valid output at cycle " +
                     std::to_string(cycle_) + " with no sample in flight";
        sc_core::sc_stop();
        return;
      }
      const auto [s, in] = run_.in_flight.front();
      run_.in_flight.pop_front();
      r.outputs.rows.push_back(design_.outputs());
      r.output_order.push_back(s);
      r.latency.push_back(cycle_ - in);
      if (r.output_order.size() == 1) r.first_out = cycle_;
      r.last_out = cycle_;
      ++r.samples;
      if (r.samples == run_.samples.rows.size()) {
        r.cycles = cycle_;
        run_.done = true;
        sc_core::sc_stop();
      }
    }
    ready.write(pattern_at(run_.p.ready_pattern, cycle_));
  }

  Run& run_;
  const Design& design_;
  uint64_t cycle_ = 0;
  bool any_in_ = false;
};

SC_MODULE(Top) {
  sc_core::sc_clock clk;
  sc_signal<bool> rst, src_valid, ready, out_valid, design_ready;
  sc_signal<uint64_t> src_index;
  Source source;
  Design design;
  Monitor monitor;

  SC_HAS_PROCESS(Top);
  Top(sc_module_name name, Run & run)
      : sc_module(name),
        clk("clk", run.p.clock_period_ns, sc_core::SC_NS),
        source("source", run),
        design("design", run),
        monitor("monitor", run, design),
        reset_cycles_(run.p.reset_cycles) {
    source.clk(clk);
    source.rst(rst);
    source.ready(ready);
    source.design_ready(design_ready);
    source.valid(src_valid);
    source.index(src_index);
    design.clk(clk);
    design.rst(rst);
    design.in_valid(src_valid);
    design.in_index(src_index);
    design.enable(ready);
    design.out_valid(out_valid);
    design.in_ready(design_ready);
    monitor.clk(clk);
    monitor.rst(rst);
    monitor.valid(out_valid);
    monitor.in_valid(src_valid);
    monitor.in_ready(ready);
    monitor.design_ready(design_ready);
    monitor.in_index(src_index);
    monitor.ready(ready);
    rst.write(true);
    SC_THREAD(reset);
  }

 private:
  void reset() {
    for (unsigned i = 0; i < std::max(1u, reset_cycles_); ++i) wait(clk.posedge_event());
    rst.write(false);
  }
  unsigned reset_cycles_;
};

}  // namespace

ClockedReport run_clocked(const Netlist& nl, const VectorTable& samples,
                          const ClockedParams& params) {
  Run run{nl, samples, params, {}, {}, {}, false, {}};
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  run.report.outputs = output_table(nl);
  run.report.cycle_inputs = input_table(nl);
  run.report.cycle_outputs = output_table(nl);
  Top top("top", run);
  sc_core::sc_trace_file* vcd = nullptr;
  if (!params.vcd_path.empty()) {
    std::string base = params.vcd_path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0)
      base.resize(base.size() - 4);
    vcd = sc_core::sc_create_vcd_trace_file(base.c_str());
    if (!vcd) throw Error(params.vcd_path + ": cannot open file for writing");
    vcd->set_time_unit(1, sc_core::SC_NS);
    sc_core::sc_trace(vcd, top.clk, "clk");
    sc_core::sc_trace(vcd, top.rst, "rst");
    sc_core::sc_trace(vcd, top.src_valid, "in_valid");
    sc_core::sc_trace(vcd, top.src_index, "in_sample");
    sc_core::sc_trace(vcd, top.ready, "ready");
    sc_core::sc_trace(vcd, top.out_valid, "out_valid");
    Design& d = top.design;
    for (NodeId n = 0; n < nl.num_nodes(); ++n) {
      const Cell& c = nl.cell(n);
      if (nl.name(n).empty() || std::holds_alternative<Output>(c) ||
          std::holds_alternative<Const>(c))
        continue;
      if (!params.vcd_nets.empty() && std::find(params.vcd_nets.begin(), params.vcd_nets.end(),
                                                nl.name(n)) == params.vcd_nets.end())
        continue;
      const uint32_t w = num_output_bits(c);
      for (uint32_t b = 0; b < w; ++b)
        d.traced.emplace_back(w == 1 ? nl.name(n) : nl.name(n) + "[" + std::to_string(b) + "]",
                              Signal{n, b});
    }
    for (const auto& name : params.vcd_nets)
      if (nl.find_port(name) == kNoNode &&
          std::none_of(d.traced.begin(), d.traced.end(), [&](const auto& t) {
            return t.first == name || t.first.rfind(name + "[", 0) == 0;
          }))
        throw Error("--vcd-net: the netlist has no net named '" + name + "'");
    d.traced_values = std::make_unique<bool[]>(d.traced.size());
    for (size_t i = 0; i < d.traced.size(); ++i)
      sc_core::sc_trace(vcd, d.traced_values[i], "design." + d.traced[i].first);
  }
  // A design that paces its input (in_ready) may take a sample only every II cycles.
  const uint64_t per_sample = run.report.ready_port ? 4096 : 16;
  const uint64_t limit =
      params.max_cycles ? params.max_cycles : per_sample * samples.rows.size() + 1000;
  const auto t0 = std::chrono::steady_clock::now();
  if (!samples.rows.empty())
    sc_core::sc_start(sc_core::sc_time(
        params.clock_period_ns * static_cast<double>(limit + params.reset_cycles + 1),
        sc_core::SC_NS));
  run.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (vcd) sc_core::sc_close_vcd_trace_file(vcd);

  ClockedReport& r = run.report;
  if (!run.error.empty()) throw Error(run.error);
  if (!samples.rows.empty() && !run.done)
    throw Error("clocked simulation: " + std::to_string(r.samples) + " of " +
                std::to_string(samples.rows.size()) + " samples came out within " +
                std::to_string(limit) + " cycles (raise --max-cycles, or check the ready pattern)");
  if (!r.latency.empty()) {
    r.latency_min = *std::min_element(r.latency.begin(), r.latency.end());
    r.latency_max = *std::max_element(r.latency.begin(), r.latency.end());
    double sum = 0;
    for (uint64_t l : r.latency) sum += static_cast<double>(l);
    r.latency_mean = sum / static_cast<double>(r.latency.size());
    r.samples_per_cycle =
        static_cast<double>(r.samples) / static_cast<double>(r.last_out - r.first_in + 1);
    r.initiation_interval = r.samples > 1 ? static_cast<double>(r.last_in - r.first_in) /
                                                static_cast<double>(r.samples - 1)
                                          : 0;
    r.fill_cycles = r.first_out - r.first_in;
    r.drain_cycles = r.last_out - r.last_in;
  }
  top.design.finish_power();
  Power& pw = r.power;
  pw.energy = pw.switching + pw.clock;
  if (pw.clock > 0) pw.by_kind["clock"] = pw.clock;
  pw.per_inference = r.samples ? pw.energy / static_cast<double>(r.samples) : 0;
  const uint64_t cycles = top.design.evaluated_cycles();
  pw.alpha = cycles && top.design.net_bits()
                 ? static_cast<double>(pw.toggles) /
                       (static_cast<double>(cycles) * static_cast<double>(top.design.net_bits()))
                 : 0;
  return r;
}

}  // namespace lutforge::sim

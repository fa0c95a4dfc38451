// Resource-aware structured pruning of MAC networks (family "mac"), as hls4ml's optimization API
// frames it: the prunable structures of a model, each with a resource cost vector measured on
// lutforge's own lowering, an importance per structure, and the knapsack (prune/knapsack.hpp)
// that keeps the most important structures whose cost fits a budget per resource.
//
// Structures:
//   - a row: a neuron of a dense layer, or a filter of a convolution (all the neurons that are
//     that filter at some position; the trainer says which, `rows`), in every layer but the
//     last; removing it zeroes its weights and bias (its code becomes the constant 0) and the
//     next layer's weights that read it;
//   - a pattern: the weights that one slice multiplies over the reuse factor's R cycles in the
//     lowering (weights k*R .. k*R + R - 1 of a neuron, when R < 2F); removing it zeroes them, and
//     the lowering leaves that slice out (models/lower_reuse.cpp). Fully parallel (R = 1), a
//     pattern is one weight, and one slice. A pattern of a row needs its row (the knapsack's
//     parent).
// Costs. A structure's cost vector is the resources the lowering saves when it goes: for every
// layer and kind, the model is lowered whole and with the first such structure (with packing,
// the first as many as share a slice) removed, and the difference (per structure) is the cost of
// each structure of that layer and kind; a row's own cost is what removing it saves beyond its
// patterns. Resources of a netlist: DSPs (PackedDsp cells that synthesis maps to slices),
// flip-flops (register bits), LUTs estimated as the Lut cells plus one LUT per bit that each
// two-operand step of a sum adds (adder_steps; none for a sum of two that a slice's post-adder
// takes), and block RAM
// in 18 Kbit halves (Rom cells: their width over the width of one half at their depth, whose
// registers are the RAM's own). With the weights in LUTs no structure has a BRAM cost; with
// LowerParams::weights_in_bram a layer's weights are one ROM, and a pattern costs the share of
// its width that its weight columns take (the weight block it frees), which synthesis rounds up
// per layer. The model is additive: the next
// layer's patterns that read only removed rows are zero too and leave the lowering, which the
// prediction does not count (it is high by their cost then). Product slices that synth_xilinx
// builds of LUTs (a weight pattern of one bit, such as {0, -1}, or a product narrower than 9 bits)
// count as LUTs, in the structures' costs as in what a pruning reports (pruned_cost), which is
// also swept of what no output reaches, as synthesis keeps it.
// The LUT estimate is what synth_xilinx makes of the lowering written with `lutforge convert
// --xilinx-luts --adder-modules` (its Lut cells as LUT instances, which synthesis keeps, and its
// sums as kept two-operand adders), to within about 2% (the ArgMax is estimated); without
// --xilinx-luts ABC maps the Lut cells again, into about 6% more LUTs on the MAC MLP of
// BENCHMARKS.md (the weights' functions of the counter share pieces instead of one LUT6 each).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "models/lower.hpp"
#include "models/model.hpp"
#include "netlist/netlist.hpp"
#include "prune/knapsack.hpp"

namespace lutforge::prune {

enum class Resource { Dsp, Lut, Ff, Bram };
constexpr size_t kNumResources = 4;
using Cost = std::array<double, kNumResources>;
const char* resource_name(Resource r);

// The resources of a lowered netlist, as the cost model counts them. A product slice is a DSP only
// when synth_xilinx maps it to one (both factors of at least 2 bits and the product of at least 9),
// and LUTs otherwise: a score layer of 4-bit weights and activations is LUTs, and pruning it saves
// no DSP. Cells: the factors are the slice's ports, and a ROM counts its share of block RAM, so
// that one structure's cost is that of every structure of its layer and kind, and the costs add
// up. Synthesized: the factors' repeated sign bits and constant zeros are dropped first, as
// synthesis drops them (a weight pattern of {0, -1} is one bit), and a ROM's bits that are read
// take whole block RAMs.
enum class Count { Cells, Synthesized };
Cost netlist_cost(const Netlist& nl, Count count = Count::Cells);
// The last layer's scores narrowed to its accumulators, which pruned weights make narrower (a
// model file's scores are exactly that wide).
void fit_scores(models::Model& m);
// The resources of m's lowering with `params` (its scores fitted first), keeping the slices of
// neurons that nothing reads (LowerParams::keep_unread). The structures' costs are differences
// of this count, which keeps every cell, so that they add up; with Count::Synthesized it is
// pruned_cost() before its sweep.
Cost lowered_cost(const models::Model& m, const models::LowerParams& params,
                  Count count = Count::Cells);
// The resources of a pruned model as synthesis keeps them: the lowering above, swept of the cells
// that no output reaches (the input registers that no kept slice reads any more, a neuron that
// no kept weight reads), as Yosys removes them, and counted as Count::Synthesized. What a pruning
// reports and checks its budget by.
Cost pruned_cost(const models::Model& m, const models::LowerParams& params);

// A budget per resource; infinity where there is none.
using Budget = Cost;
// "dsp=40,lut=20000": throws Error naming `what` on an unknown resource, a negative or
// malformed number, or a repeated resource.
Budget parse_budget(const std::string& text, const std::string& what);
std::string format_cost(const Cost& c);
// The first resource in which `c` exceeds `b` (beyond rounding), or none.
std::optional<Resource> over_budget(const Cost& c, const Budget& b);

struct Structure {
  enum class Kind { Row, Pattern };
  Kind kind = Kind::Row;
  size_t layer = 0;
  size_t row = 0;               // the row (neuron or filter) in its layer
  std::vector<size_t> neurons;  // the model's neurons it covers
  size_t first = 0, count = 0;  // Pattern: weights first .. first + count - 1 of each neuron
  Cost cost{};
  double importance = 0;  // Pattern: its weights'; Row: its weights outside patterns
  int parent = -1;        // Pattern: the index of its row's structure, if the row is prunable
  bool removed = false;   // already pruned (all weights zero): cost and importance 0
};

// Live structures whose lanes share packed DSP slices, `per` lanes a slice at each of the places
// where they are lanes: the rows of a layer without patterns, or the patterns of one lane index
// (weights k*R ..). They take unit * ceil(kept / per) slices, which their costs spread as
// fractions (unit / per each, where at least per are live).
struct PackGroup {
  std::vector<size_t> structures;
  size_t per = 1;
  double unit = 0;  // slices freed by removing per of them (all, when fewer are live)
};

struct Inventory {
  std::vector<Structure> structures;
  Cost total{};  // the lowering of the model as it is
  Cost fixed{};  // total minus every live structure's cost: what pruning cannot remove
  std::vector<PackGroup> groups;  // with DSP packing
};

// rows[l]: the number of rows of layer l (its neuron count divides by it); empty: every neuron
// is a row. Importance is the magnitude, sum |W| * multiplier over the weights (the units of the
// next layer's input), each layer's divided by the mean of its nonzero ones, until
// set_importance() replaces it.
Inventory inventory(const models::Model& m, const models::LowerParams& params,
                    const std::vector<size_t>& rows = {});
// importance[l][n][i]: the importance of weight i of neuron n of layer l; each structure's is the
// sum over its weights (a row's over the weights not in its patterns).
void set_importance(Inventory& inv,
                    const std::vector<std::vector<std::vector<double>>>& importance);

// For each row of a layer before the last, the live structures of the next layer that read it
// through a nonzero weight (its patterns, or its rows that have none); empty for the others, and
// for a row that the next layer reads with no structure of its own (the last layer without
// patterns). A row is worth its cost only while one of them stays: prune() keeps it only with
// one (KnapsackItem::needs_any), so that it cannot keep a layer that nothing reads.
std::vector<std::vector<int>> readers(const models::Model& m, const Inventory& inv);

// The structures that keep each class connected to the inputs: the class's strongest live
// pattern in the last layer (the class's own weights when that layer has no structures), the
// strongest live row that it reads (a row's strength: its importance with its patterns'), that
// row's strongest pattern, and so on down to the first layer. prune() requires them
// (KnapsackItem::required): a class whose last path went would score a constant, and no budget
// or importance estimate may remove it.
std::vector<bool> class_paths(const models::Model& m, const Inventory& inv);

// The weights each structure covers are zeroed (a row also its bias, and the next layer's weights
// that read its neurons).
void remove_structure(models::Model& m, const Structure& s);

struct PruneResult {
  models::Model model;
  KnapsackResult knapsack;
  std::vector<bool> kept;  // per structure of the inventory: false when this pruning removed it
  Cost predicted{};        // fixed + the kept structures' costs
  Cost lowered{};          // the pruned model's lowering
  // The budget the knapsack was last solved for (fixed cost included), per resource: the given
  // one, tightened or loosened as below.
  Budget solved{};
  size_t removed_rows = 0, removed_patterns = 0;
};
// Keeps what the solver picks under `budget`, removes the rest. Throws Error naming the resource
// when even the fixed part exceeds its budget. When the pruned lowering still exceeds a budget
// (packing rounds up per group of slices), that resource's budget is tightened by the excess and
// the knapsack solved again, up to 8 times; `lowered` says what was reached. When it lands under a
// budget, that budget is loosened by the slack (halved when the lowering then exceeds it) and the
// solution taken when it fits and keeps more importance, up to 8 times.
PruneResult prune(const models::Model& m, const Inventory& inv, const Budget& budget,
                  const models::LowerParams& params, KnapsackSolver solver);

}  // namespace lutforge::prune

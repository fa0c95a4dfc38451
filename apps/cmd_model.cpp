// lower: a model file to a netlist; encode: dataset samples to the netlist's input vectors, with
// the integer reference's scores and predictions beside them.
#include <algorithm>

#include "apps/commands.hpp"
#include "apps/lower_options.hpp"
#include "apps/options.hpp"
#include "base/error.hpp"
#include "equiv/equiv.hpp"
#include "models/lower.hpp"
#include "models/model.hpp"
#include "netlist/native_json.hpp"
#include "netlist/passes.hpp"
#include "netlist/vectors.hpp"
#include "train/datasets.hpp"

namespace lutforge::cli {

void add_mac_lowering_options(po::options_description& opts) {
  opts.add_options()(
      "dsp-packing",
      "MAC layers: the products of one input for several neurons share a DSP slice, with the "
      "borrow correction (see `lutforge dsp-packing`)")(
      "dsp-family", po::value<std::string>(),
      "MAC layers: the slice whose ports bound the packing, dsp48e1 or dsp48e2 (default)")(
      "reuse-factor", po::value<std::string>(),
      "MAC networks: each slice serves R products over R cycles (R, or R0,R1,... per layer); the "
      "design takes a sample every max(R) cycles through valid_in/in_ready and offers its scores "
      "with valid_out")(
      "weights-in-bram",
      "with --reuse-factor: each layer's weights are a ROM read by the frame counter, which "
      "synth_xilinx maps to block RAM, instead of LUTs");
}

void read_mac_lowering_options(const po::variables_map& vm, const models::Model& m,
                               const std::string& model_path, models::LowerParams& lp) {
  const bool has_mac = std::any_of(m.layers.begin(), m.layers.end(), [](const models::Layer& L) {
    return L.kind == models::LayerKind::Mac;
  });
  if ((vm.count("dsp-packing") || vm.count("dsp-family")) && !has_mac)
    throw Error(model_path +
                ": --dsp-packing and --dsp-family apply to MAC layers, and this "
                "model has none");
  lp.dsp_packing = vm.count("dsp-packing");
  if (vm.count("dsp-family") &&
      !models::family_from_name(vm["dsp-family"].as<std::string>(), lp.dsp_family))
    throw Error("--dsp-family: expected dsp48e1 or dsp48e2, got '" +
                vm["dsp-family"].as<std::string>() + "'");
  if (vm.count("reuse-factor")) {
    if (!has_mac)
      throw Error(model_path + ": --reuse-factor applies to MAC layers, and this model has none");
    lp.reuse_factor = parse_unsigned_list(vm["reuse-factor"].as<std::string>(), "--reuse-factor");
  }
  lp.weights_in_bram = vm.count("weights-in-bram");
  if (lp.weights_in_bram && !vm.count("reuse-factor"))
    throw Error("--weights-in-bram needs --reuse-factor (weights are read one slot at a time)");
}

int cmd_lower(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string model_path, out_path;
  opts.add_options()("model", po::value(&model_path)->required(), "model file (.lfm.json)")(
      "output,o", po::value(&out_path)->required(), "native JSON netlist")(
      "no-argmax", "leave out the ArgMax cell and the prediction port")(
      "register-layers", "put a register after every layer (--register-every 1)")(
      "register-every", po::value<unsigned>(),
      "put a register after every N-th layer and at the end (after a GroupSum head's popcounts)")(
      "popcount-radix", po::value<unsigned>(),
      "GroupSum heads: build each popcount as a tree of adders of at most R operands; with "
      "registers, every level of the tree is a pipeline stage")(
      "argmax-tree",
      "the prediction as a tournament of two-class ArgMax cells; with registers, every level "
      "is a pipeline stage (the class-score ports are delayed to match)")(
      "fold",
      "fold constant and pass-through gates and LUTs and absorb inverters, report the cell "
      "counts before and after, and prove the folded netlist equivalent")(
      "pixel-bits", po::value<unsigned>(),
      "the input encoder in hardware: x holds every feature as a W-bit integer p (the feature "
      "p / (2^W - 1), as image pixels; 8 for MNIST), and LUTs make the codes (encode with the "
      "same --pixel-bits)");
  add_mac_lowering_options(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge lower MODEL.lfm.json -o NETLIST.json [--no-argmax] [--register-layers | "
             "--register-every N] [--popcount-radix R] [--argmax-tree] [--dsp-packing "
             "[--dsp-family F]] [--reuse-factor R[,R...] [--weights-in-bram]] [--fold] "
             "[--pixel-bits W]",
             opts, pos, vm))
    return kExitOk;
  const models::Model m = models::read_model_file(model_path);
  models::LowerParams lp;
  lp.argmax = !vm.count("no-argmax");
  lp.argmax_tree = vm.count("argmax-tree");
  if (lp.argmax_tree && !lp.argmax) throw Error("--argmax-tree and --no-argmax contradict");
  if (vm.count("register-layers") && vm.count("register-every"))
    throw Error("--register-layers and --register-every both set the registers; give one");
  lp.register_every = vm.count("register-every")    ? vm["register-every"].as<unsigned>()
                      : vm.count("register-layers") ? 1
                                                    : 0;
  if (vm.count("popcount-radix")) {
    lp.popcount_radix = vm["popcount-radix"].as<unsigned>();
    if (lp.popcount_radix < 2) throw Error("--popcount-radix must be at least 2");
    if (m.head.kind != models::Head::Kind::GroupSum)
      throw Error(model_path +
                  ": --popcount-radix applies to a GroupSum head, and this model's "
                  "head is the codes of its last layer");
  }
  read_mac_lowering_options(vm, m, model_path, lp);
  if (vm.count("pixel-bits")) {
    lp.pixel_bits = vm["pixel-bits"].as<unsigned>();
    if (lp.pixel_bits < 1 || lp.pixel_bits > 16) throw Error("--pixel-bits must be 1 to 16");
  }
  Netlist nl = models::lower(m, lp);
  if (vm.count("fold")) {
    // Published gate counts of these networks often include pass-through and constant gates;
    // both figures are printed, and the folding is proved, not assumed.
    const CellCounts before = count_cells(nl);
    Netlist folded = fold_buffers(propagate_constants(nl));
    const CellCounts after = count_cells(folded);
    const EquivResult proof = check_equivalence(nl, folded);
    if (proof.status != EquivStatus::Equivalent)
      throw Error(model_path +
                  ": the folded netlist is not proved equivalent to the lowered one (" +
                  std::string(status_name(proof.status)) + ")");
    auto count = [](const CellCounts& c, CellKind k) {
      return c.by_kind[static_cast<unsigned>(k)];
    };
    std::cout << "lowered  " << count(before, CellKind::Gate) << " gates, "
              << count(before, CellKind::Lut) << " LUTs, " << count(before, CellKind::Adder)
              << " adders, " << count(before, CellKind::Dff) << " registers\n"
              << "folded   " << count(after, CellKind::Gate) << " gates, "
              << count(after, CellKind::Lut) << " LUTs, " << count(after, CellKind::Adder)
              << " adders, " << count(after, CellKind::Dff)
              << " registers (proved equivalent to the lowered netlist)\n";
    nl = std::move(folded);
  }
  auto out = open_output(out_path);
  write_native_json(nl, out);
  return kExitOk;
}

int cmd_encode(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string model_path, out_path, mnist, jsc, split = "test", reference;
  size_t limit = 0;
  uint64_t seed = 42;
  unsigned pixel_bits = 0;
  opts.add_options()("model", po::value(&model_path)->required(), "model file (.lfm.json)")(
      "mnist", po::value(&mnist), "an MNIST-layout directory (data/mnist, data/fashion-mnist)")(
      "jsc", po::value(&jsc), "the JSC OpenML CSV (80/20 split and StandardScaler with --seed)")(
      "split", po::value(&split), "train or test (default test)")(
      "seed", po::value(&seed), "JSC split seed (default 42)")("limit", po::value(&limit),
                                                               "only the first N samples")(
      "pixel-bits", po::value(&pixel_bits),
      "write the features as W-bit integers, for a netlist lowered with the same --pixel-bits")(
      "reference-out", po::value(&reference),
      "also write the integer reference: label, class scores, prediction")(
      "output,o", po::value(&out_path)->required(),
      "vectors CSV with the input port x, one row per sample");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge encode MODEL.lfm.json (--mnist DIR | --jsc FILE.csv) [--split test] "
             "[--limit N] [--pixel-bits W] -o X.csv",
             opts, pos, vm))
    return kExitOk;
  if (vm.count("mnist") == vm.count("jsc")) throw Error("give exactly one of --mnist and --jsc");
  if (split != "train" && split != "test")
    throw Error("--split must be train or test, not '" + split + "'");
  if (vm.count("pixel-bits") && (pixel_bits < 1 || pixel_bits > 16))
    throw Error("--pixel-bits must be 1 to 16");
  const models::Model m = models::read_model_file(model_path);
  train::Dataset d;
  if (!mnist.empty()) {
    d = train::read_mnist_dir(mnist, split == "train");
  } else {
    auto parts = train::prepare_jsc(jsc, seed);
    d = split == "train" ? std::move(parts.first) : std::move(parts.second);
  }
  if (d.num_features != m.input.num_features())
    throw Error(model_path + ": the model reads " + std::to_string(m.input.num_features()) +
                " features, the dataset has " + std::to_string(d.num_features));
  const size_t n = limit ? std::min(limit, d.size()) : d.size();
  VectorTable x;
  x.names = {"x"};
  x.widths = {
      static_cast<uint32_t>(pixel_bits ? m.input.num_features() * pixel_bits : m.input.num_bits())};
  VectorTable ref;
  ref.names = {"label"};
  ref.widths = {32};
  for (size_t c = 0; c < m.num_classes(); ++c) {
    ref.names.push_back("class" + std::to_string(c));
    ref.widths.push_back(m.score_bits());
  }
  ref.names.push_back("prediction");
  ref.widths.push_back(32);
  for (size_t i = 0; i < n; ++i) {
    const float* features = &d.features[i * d.num_features];
    const std::vector<uint32_t> codes = models::input_codes(m, features);
    try {
      x.rows.push_back({pixel_bits ? models::pack_pixels(m, features, pixel_bits)
                                   : models::pack_codes(m, codes)});
    } catch (const Error& e) {
      throw Error((mnist.empty() ? jsc : mnist) + ": sample " + std::to_string(i) + ": " +
                  e.what());
    }
    if (!reference.empty()) {
      const std::vector<uint32_t> scores = models::class_scores(m, codes);
      std::vector<BitVector> row{{static_cast<uint64_t>(d.labels[i])}};
      for (uint32_t s : scores) row.push_back({s});
      row.push_back({models::predict(m, scores)});
      ref.rows.push_back(std::move(row));
    }
  }
  auto out = open_output(out_path);
  write_vectors_csv(x, out);
  if (!reference.empty()) {
    auto f = open_output(reference);
    write_vectors_csv(ref, f);
  }
  return kExitOk;
}

}  // namespace lutforge::cli

// Training with the real LibTorch through the lutforge executable, on a small synthetic image set
// the test writes: every family trains and learns, models/ predicts every test sample as
// LibTorch's quantized evaluation does, the same seed gives the same file, a killed run resumes to
// the same model, SparseLUT keeps F live inputs per neuron, and a trained model goes through
// lowering, yosys synth -lut 6, the equivalence proof and simulation unchanged.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "base/error.hpp"
#include "models/model.hpp"
#include "tests/support/tools.hpp"
#include "train/config.hpp"

using namespace lutforge;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

// 4x4 images in four classes: class bit 0 brightens the left half, bit 1 the top half, over
// uniform noise. Any neuron that sees a few pixels learns something; no single pixel decides.
void write_images(const fs::path& dir, const std::string& prefix, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> pixels(n * 16), labels(n);
  for (size_t i = 0; i < n; ++i) {
    const unsigned y = static_cast<unsigned>(rng() % 4);
    labels[i] = static_cast<uint8_t>(y);
    for (unsigned r = 0; r < 4; ++r)
      for (unsigned c = 0; c < 4; ++c) {
        unsigned v = static_cast<unsigned>(rng() % 130);
        if ((y & 1) && c < 2) v += 110;
        if ((y & 2) && r < 2) v += 110;
        pixels[i * 16 + r * 4 + c] = static_cast<uint8_t>(std::min(v, 255u));
      }
  }
  write_text(dir / (prefix + "-images-idx3-ubyte"),
             idx_bytes(8, {static_cast<uint32_t>(n), 4, 4}, pixels));
  write_text(dir / (prefix + "-labels-idx1-ubyte"),
             idx_bytes(8, {static_cast<uint32_t>(n)}, labels));
}

// Each test process writes its own copy: CTest runs the test cases of this file as parallel
// processes, and temp_dir empties a directory that another process may be reading.
const fs::path& image_data() {
  static const fs::path dir = [] {
    const fs::path d = temp_dir("train_images_" + std::to_string(getpid()));
    write_images(d, "train", 2000, 11);
    write_images(d, "t10k", 300, 12);
    return d;
  }();
  return dir;
}

// A configuration file for the synthetic images; `model` holds the family's [model] keys
// (without layers), `extra` any further tables.
fs::path write_config(const fs::path& dir, const std::string& model, unsigned epochs,
                      uint64_t seed = 3, const std::string& extra = "") {
  const fs::path p = dir / "config.toml";
  const bool gates = model.find("difflogic") != std::string::npos ||
                     model.find("\"dwn\"") != std::string::npos ||
                     model.find("\"lutnet\"") != std::string::npos;  // their own widths
  const bool mac = model.find("\"mac\"") != std::string::npos;       // signed scores
  write_text(p, "[data]\ndataset = \"mnist\"\npath = \"" + image_data().string() +
                    "\"\n\n[model]\n" +
                    (gates ? ""
                     : mac ? "layers = [12, 4]\nbits = 2\n"
                           : "layers = [12, 4]\nbits = 2\noutput_bits = 2\n") +
                    (model.find("input_bits") == std::string::npos ? "input_bits = 2\n" : "") +
                    model + "\n\n[train]\nepochs = " + std::to_string(epochs) +
                    "\nbatch_size = 64\nlearning_rate = 0.02\nseed = " + std::to_string(seed) +
                    "\nthreads = 1\n" + extra);
  return p;
}

RunResult lutforge_ok(const std::string& args) {
  const RunResult r = run_lutforge(args);
  INFO("lutforge " << args << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

// Trains `config` into dir/m.lfm.json with the quantized evaluation's predictions and a report.
nlohmann::json train_run(const fs::path& config, const fs::path& dir,
                         const std::string& more = "") {
  lutforge_ok("train " + config.string() + " -o " + (dir / "m.lfm.json").string() +
              " --predictions-out " + (dir / "torch.csv").string() + " --report " +
              (dir / "report.json").string() + " --quiet " + more);
  return nlohmann::json::parse(read_text(dir / "report.json"));
}

// models/'s integer inference on the test images (lutforge encode --reference-out).
void reference(const fs::path& dir) {
  lutforge_ok("encode " + (dir / "m.lfm.json").string() + " --mnist " + image_data().string() +
              " -o " + (dir / "x.csv").string() + " --reference-out " + (dir / "ref.csv").string());
}

double accuracy(const fs::path& csv) {
  const auto labels = csv_column(csv, "label"), predictions = csv_column(csv, "prediction");
  REQUIRE(labels.size() == predictions.size());
  size_t right = 0;
  for (size_t i = 0; i < labels.size(); ++i) right += labels[i] == predictions[i];
  return static_cast<double>(right) / static_cast<double>(labels.size());
}

// Waits until `file` exists and then SIGKILLs process `pid`, unless it exits first; returns its
// wait status.
int kill_once_written(pid_t pid, const fs::path& file) {
  int status = 0;
  while (!fs::exists(file)) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

// Starts `lutforge train CONFIG -o OUT --quiet` in a child process and SIGKILLs it as soon as its
// first checkpoint (OUT.ckpt) is in place, unless it exits first; returns its wait status.
int train_until_checkpoint(const fs::path& config, const fs::path& out) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execl(LUTFORGE_BIN, LUTFORGE_BIN, "train", config.c_str(), "-o", out.c_str(), "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return kill_once_written(pid, out.string() + ".ckpt");
}

struct Family {
  const char* name;
  const char* model;  // [model] keys
};

const std::vector<Family>& families() {
  static const std::vector<Family> f = {
      {"logicnets", "family = \"logicnets\"\nfan_in = 3"},
      {"polylut", "family = \"polylut\"\nfan_in = 3\ndegree = 2"},
      {"neuralut", "family = \"neuralut\"\nfan_in = 3\nhidden = 8\nhidden_layers = 2"},
      {"polylut-add",
       "family = \"polylut-add\"\nfan_in = 2\nsub_neurons = 2\nsub_bits = 2\ndegree = 2"},
      {"sparselut", "family = \"polylut\"\nfan_in = 3\ndegree = 2\nconnectivity = \"sparselut\""},
      {"thermometer",
       "family = \"logicnets\"\nfan_in = 3\ninput_bits = 3\ninput_encoding = \"thermometer\""},
      {"mac-learned-scale",
       "family = \"mac\"\ninput_bits = 4\nweight_bits = [3, 4]\nactivation_bits = 3\n"
       "weight_scale = \"learned\""},
      {"mac", "family = \"mac\"\ninput_bits = 4\nweight_bits = [3, 4]\nactivation_bits = 3"},
  };
  return f;
}

}  // namespace

TEST_CASE("every family trains, learns, and models/ predicts every test sample as LibTorch does",
          "[train]") {
  for (const Family& f : families()) {
    SECTION(f.name) {
      const fs::path dir = temp_dir(std::string("train_") + f.name);
      const nlohmann::json report = train_run(write_config(dir, f.model, 4), dir);
      reference(dir);
      const auto torch = csv_column(dir / "torch.csv", "prediction");
      CHECK(torch.size() == 300);
      CHECK(csv_column(dir / "ref.csv", "prediction") == torch);
      CHECK(csv_column(dir / "ref.csv", "label") == csv_column(dir / "torch.csv", "label"));
      // Four classes: chance is 25%. The classes are separable from any half of the pixels.
      INFO(f.name << " accuracy " << accuracy(dir / "ref.csv"));
      CHECK(accuracy(dir / "ref.csv") > 0.6);
      CHECK(report["test_accuracy"].get<double>() == Approx(accuracy(dir / "ref.csv")));
      CHECK(report["epochs"].size() == 4);

      const models::Model m =
          models::read_model(read_text(dir / "m.lfm.json"), (dir / "m.lfm.json").string());
      REQUIRE(m.layers.size() == 2);
      CHECK(m.layers[0].neurons.size() == 12);
      CHECK(m.layers[1].neurons.size() == 4);
      CHECK(m.input.thresholds.size() == 16);
      if (std::string(f.name) == "polylut-add") {
        CHECK(m.layers[0].sub_neurons == 2);
        CHECK(m.layers[0].neurons[0].inputs.size() == 4);
        CHECK(m.layers[0].neurons[0].sub.size() == 2);
      }
      if (std::string(f.name) == "sparselut") CHECK(m.family == "polylut+sparselut");
      if (std::string(f.name).rfind("mac", 0) == 0) {
        // Dense integer layers of the configured widths; the last one's accumulators are the
        // signed scores, and the requantizing multipliers fit multiplier_bits (8).
        CHECK(m.family == "mac");
        CHECK(m.signed_scores());
        for (size_t l = 0; l < 2; ++l) {
          const models::Layer& L = m.layers[l];
          CHECK(L.kind == models::LayerKind::Mac);
          CHECK(L.weight_bits == (l == 0 ? 3u : 4u));
          CHECK(L.in_bits == (l == 0 ? 4u : 3u));
          CHECK(L.fan_in == (l == 0 ? 16u : 12u));
          CHECK(L.requantize == (l == 0));
          int32_t widest = 0;
          for (const models::Neuron& N : L.neurons) {
            CHECK(N.multiplier < 256);
            for (int32_t w : N.weights) widest = std::max(widest, std::abs(w));
          }
          // Each neuron's largest weight takes the largest magnitude of its width.
          CHECK(widest == (int32_t{1} << (L.weight_bits - 1)) - 1);
        }
        CHECK(m.layers[0].out_bits == 3);
        CHECK(m.layers[1].out_bits == models::accumulator_bits(m.layers[1]));
      }
    }
  }
}

TEST_CASE("the same seed gives the same model file, and another seed another", "[train]") {
  const std::string model =
      "family = \"polylut\"\nfan_in = 3\ndegree = 2\nconnectivity = \"sparselut\"";
  const fs::path a = temp_dir("train_seed_a"), b = temp_dir("train_seed_b"),
                 c = temp_dir("train_seed_c");
  train_run(write_config(a, model, 3, 5), a);
  train_run(write_config(b, model, 3, 5), b);
  train_run(write_config(c, model, 3, 6), c);
  CHECK(read_text(a / "m.lfm.json") == read_text(b / "m.lfm.json"));
  CHECK(read_text(a / "torch.csv") == read_text(b / "torch.csv"));
  CHECK(read_text(a / "m.lfm.json") != read_text(c / "m.lfm.json"));
  // --seed overrides the configuration's: seed 5's configuration with --seed 6 trains seed 6's.
  const fs::path d = temp_dir("train_seed_d");
  CHECK(train_run(write_config(d, model, 3, 5), d, "--seed 6")["seed"] == 6);
  CHECK(read_text(d / "m.lfm.json") == read_text(c / "m.lfm.json"));
}

TEST_CASE("a run killed after an epoch resumes to the model of an uninterrupted run", "[train]") {
  const std::string model =
      "family = \"polylut-add\"\nfan_in = 2\nsub_neurons = 2\ndegree = 2\nconnectivity = "
      "\"sparselut\"";
  const unsigned epochs = 8;
  const fs::path whole = temp_dir("train_whole"), killed = temp_dir("train_killed");
  train_run(write_config(whole, model, epochs, 9, "\n[sparselut]\nfreeze_epoch = 4\n"), whole);

  const fs::path config =
      write_config(killed, model, epochs, 9, "\n[sparselut]\nfreeze_epoch = 4\n");
  const fs::path out = killed / "m.lfm.json";
  // Kill it as soon as its first checkpoint is in place.
  REQUIRE(WIFSIGNALED(train_until_checkpoint(config, out)));  // killed mid-run, not finished
  CHECK_FALSE(fs::exists(out));

  const nlohmann::json report = train_run(config, killed, "--resume");
  const unsigned after = report["resumed_after_epoch"].get<unsigned>();
  CHECK(after >= 1);
  CHECK(after < epochs);
  CHECK(report["epochs"].size() == epochs - after);
  CHECK(read_text(out) == read_text(whole / "m.lfm.json"));
  CHECK(read_text(killed / "torch.csv") == read_text(whole / "torch.csv"));

  // A finished checkpoint resumes to the same model again, running no epoch.
  const nlohmann::json again = train_run(config, killed, "--resume");
  CHECK(again["resumed_after_epoch"].get<unsigned>() == epochs);
  CHECK(again["epochs"].empty());
  CHECK(read_text(out) == read_text(whole / "m.lfm.json"));
}

TEST_CASE(
    "the parameter average: a decay near 0 exports the live network, a real one another, and a "
    "killed run resumes with its average",
    "[train]") {
  const std::string model =
      "family = \"difflogic\"\nlayers = [48, 24]\nclasses = 4\ntau = 4.0\ninput_bits = 1";
  const unsigned epochs = 4;  // few steps: the average still lags the live parameters at the end
  const fs::path live = temp_dir("train_average_live"), near0 = temp_dir("train_average_near0"),
                 whole = temp_dir("train_average_whole"), killed = temp_dir("train_average_killed");
  train_run(write_config(live, model, epochs, 4), live);
  // The decay is at most its value: 1e-6 keeps the average within float rounding of the live
  // parameters, so the export is the network without an average.
  train_run(write_config(near0, model, epochs, 4, "average_decay = 0.000001\n"), near0);
  CHECK(read_text(near0 / "m.lfm.json") == read_text(live / "m.lfm.json"));

  const std::string averaged = "average_decay = 0.99\n";  // from the first epoch on
  const nlohmann::json full = train_run(write_config(whole, model, epochs, 4, averaged), whole);
  CHECK(read_text(whole / "m.lfm.json") != read_text(live / "m.lfm.json"));
  CHECK(full["test_accuracy"].get<double>() > 0.5);  // four classes: chance is 0.25
  // The last epoch's test accuracy is the average's, and the export is the average.
  CHECK(full["epochs"].back()["test_accuracy"] == full["test_accuracy"]);
  // The average leaves the training alone: every epoch reports the last parameters' test
  // accuracy too, and it is the run without an average's.
  const nlohmann::json plain = nlohmann::json::parse(read_text(live / "report.json"));
  REQUIRE(plain["epochs"].size() == epochs);
  REQUIRE(full["epochs"].size() == epochs);
  for (unsigned e = 0; e < epochs; ++e) {
    CHECK_FALSE(plain["epochs"][e].contains("unaveraged_test_accuracy"));
    CHECK(full["epochs"][e]["unaveraged_test_accuracy"] == plain["epochs"][e]["test_accuracy"]);
    CHECK(full["epochs"][e]["loss"] == plain["epochs"][e]["loss"]);
  }

  // Killed after its first checkpoint and resumed: the model of the run that was not killed, so
  // the checkpoint carried the average.
  const fs::path config = write_config(killed, model, epochs, 4, averaged);
  const fs::path out = killed / "m.lfm.json";
  REQUIRE(WIFSIGNALED(train_until_checkpoint(config, out)));
  const nlohmann::json report = train_run(config, killed, "--resume");
  CHECK(report["resumed_after_epoch"].get<unsigned>() >= 1);
  CHECK(report["resumed_after_epoch"].get<unsigned>() < epochs);
  CHECK(read_text(out) == read_text(whole / "m.lfm.json"));
  CHECK(read_text(killed / "torch.csv") == read_text(whole / "torch.csv"));
}

TEST_CASE("resume errors name the checkpoint and what is wrong", "[train]") {
  const fs::path dir = temp_dir("train_resume_errors");
  const fs::path config = write_config(dir, "family = \"logicnets\"\nfan_in = 3", 1);
  RunResult r = run_lutforge("train " + config.string() + " -o " + (dir / "m.lfm.json").string() +
                             " --quiet --resume");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find((dir / "m.lfm.json.ckpt").string() + ": no checkpoint to resume from") !=
        std::string::npos);

  lutforge_ok("train " + config.string() + " -o " + (dir / "m.lfm.json").string() + " --quiet");
  const fs::path other = dir / "other.toml";
  write_text(other, read_text(config) + "weight_decay = 0.001\n");
  r = run_lutforge("train " + other.string() + " -o " + (dir / "m.lfm.json").string() +
                   " --quiet --resume");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("written for a different configuration") != std::string::npos);

  // A difflogic key is part of the configuration a checkpoint was written for.
  const fs::path gates = write_config(
      dir, "family = \"difflogic\"\nlayers = [32, 16]\nclasses = 4\ntau = 4.0\ninput_bits = 1", 1);
  lutforge_ok("train " + gates.string() + " -o " + (dir / "g.lfm.json").string() + " --quiet");
  std::string hotter = read_text(gates);
  hotter.replace(hotter.find("tau = 4.0"), 9, "tau = 5.0");
  write_text(dir / "hotter.toml", hotter);
  r = run_lutforge("train " + (dir / "hotter.toml").string() + " -o " +
                   (dir / "g.lfm.json").string() + " --quiet --resume");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("written for a different configuration") != std::string::npos);

  // So are LUTNet's: the BNN's epochs and the connections.
  const std::string lutnet =
      "family = \"lutnet\"\nlayers = [6, 4]\nconnections = [4, 6]\nfan_in = 3\nclasses = 4\n"
      "tau = 2.0\nbnn_epochs = 1";
  fs::create_directories(dir / "lutnet");
  const fs::path lutnet_config = write_config(dir / "lutnet", lutnet, 2);
  lutforge_ok("train " + lutnet_config.string() + " -o " + (dir / "l.lfm.json").string() +
              " --quiet");
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"bnn_epochs = 1", "bnn_epochs = 0"},
        {"connections = [4, 6]", "connections = [3, 6]"}}) {
    std::string changed = read_text(lutnet_config);
    changed.replace(changed.find(from), from.size(), to);
    write_text(dir / "changed.toml", changed);
    r = run_lutforge("train " + (dir / "changed.toml").string() + " -o " +
                     (dir / "l.lfm.json").string() + " --quiet --resume");
    INFO(to);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("written for a different configuration") != std::string::npos);
  }

  write_text(dir / "junk.ckpt", "not a checkpoint");
  r = run_lutforge("train " + config.string() + " -o " + (dir / "m.lfm.json").string() +
                   " --quiet --resume --checkpoint " + (dir / "junk.ckpt").string());
  CHECK(r.exit_code != 0);
  CHECK(r.err.find((dir / "junk.ckpt").string() + ": not a readable lutforge checkpoint") !=
        std::string::npos);
}

TEST_CASE(
    "SparseLUT keeps F distinct live inputs per neuron and moves them away from the random masks",
    "[train]") {
  const std::string sparse = "family = \"logicnets\"\nfan_in = 3\nconnectivity = \"sparselut\"";
  const std::string fixed = "family = \"logicnets\"\nfan_in = 3";
  const fs::path s = temp_dir("train_sparse"), r = temp_dir("train_sparse_random");
  const nlohmann::json report =
      train_run(write_config(s, sparse, 6, 4, "\n[sparselut]\nfreeze_epoch = 3\nl1 = 0.001\n"), s);
  train_run(write_config(r, fixed, 6, 4), r);
  const models::Model ms = models::read_model(read_text(s / "m.lfm.json"), "sparse");
  const models::Model mr = models::read_model(read_text(r / "m.lfm.json"), "random");
  size_t moved = 0;
  for (size_t l = 0; l < ms.layers.size(); ++l)
    for (size_t n = 0; n < ms.layers[l].neurons.size(); ++n) {
      const auto& in = ms.layers[l].neurons[n].inputs;
      CHECK(in.size() == 3);
      CHECK(std::set<uint32_t>(in.begin(), in.end()).size() == in.size());
      // The random family draws its masks as SparseLUT draws its initial ones.
      const auto& init = mr.layers[l].neurons[n].inputs;
      moved +=
          std::set<uint32_t>(in.begin(), in.end()) != std::set<uint32_t>(init.begin(), init.end());
    }
  CHECK(moved > 0);
  // Regrowth happens before the freeze epoch and never after it.
  long long before = 0;
  for (const auto& e : report["epochs"]) {
    if (e["epoch"].get<unsigned>() <= 3)
      before += e["regrown"].get<long long>();
    else
      CHECK(e["regrown"].get<long long>() == 0);
  }
  CHECK(before > 0);
}

TEST_CASE("a trained model through lower, synth -lut 6, equiv and sim reproduces its predictions",
          "[train][yosys]") {
  for (const Family& f : {families()[1], families()[3]}) {
    SECTION(f.name) {
      const fs::path dir = temp_dir(std::string("train_flow_") + f.name);
      train_run(write_config(dir, f.model, 3), dir);
      reference(dir);
      for (const bool registered : {false, true}) {
        const std::string low = (dir / (registered ? "low_reg.json" : "low.json")).string();
        const std::string v = (dir / (registered ? "m_reg.v" : "m.v")).string();
        const std::string syn = (dir / (registered ? "syn_reg.json" : "syn.json")).string();
        lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low +
                    (registered ? " --register-layers" : ""));
        lutforge_ok("convert " + low + " -o " + v + " --blackbox-luts");
        const std::string top = nlohmann::json::parse(read_text(low))["design"].get<std::string>();
        const RunResult y = run("yosys -q -p 'read_verilog -icells " + v + "; synth -lut 6 -top " +
                                top + "; write_json " + syn + "'");
        INFO(y.err);
        REQUIRE(y.exit_code == 0);
        CHECK(lutforge_ok("equiv " + low + " " + syn).out.rfind("EQUIVALENT", 0) == 0);
        const std::string out = (dir / (registered ? "out_reg.csv" : "out.csv")).string();
        // The registered design is clocked sample by sample through its pipeline.
        lutforge_ok("sim " + std::string(registered ? "--engine systemc " : "") + syn +
                    " --vectors " + (dir / "x.csv").string() + " -o " + out);
        CHECK(csv_column(out, "prediction") == csv_column(dir / "torch.csv", "prediction"));
        CHECK(csv_column(out, "prediction") == csv_column(dir / "ref.csv", "prediction"));
      }
    }
  }
}

TEST_CASE(
    "a trained MAC network through lower (plain and DSP-packed), synth_xilinx, equiv and sim "
    "reproduces its predictions",
    "[train][yosys][mac]") {
  const Family& f = families().back();
  REQUIRE(std::string(f.name) == "mac");
  const fs::path dir = temp_dir("train_flow_mac");
  train_run(write_config(dir, f.model, 3), dir);
  reference(dir);
  // Fully parallel, DSP-packed, and sequential with each slice serving 4 products, unpacked and
  // packed (the design's registers then have feedback: the proof matches them, and the SystemC
  // engine clocks one sample in every 4 cycles).
  for (const std::string tag : {"plain", "packed", "reuse", "reuse_packed"}) {
    const bool packing = tag.find("packed") != std::string::npos,
               reuse = tag.find("reuse") != std::string::npos;
    const std::string low = (dir / (tag + ".json")).string(), v = (dir / (tag + ".v")).string(),
                      syn = (dir / (tag + "_x.json")).string();
    lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low + " --dsp-family dsp48e1" +
                (packing ? " --dsp-packing" : "") + (reuse ? " --reuse-factor 4" : ""));
    lutforge_ok("convert " + low + " -o " + v + " --adder-modules");
    const std::string top = nlohmann::json::parse(read_text(low))["design"].get<std::string>();
    const RunResult s = lutforge_ok("synth " + v + " --top " + top + " --target xilinx -o " + syn);
    // Yosys maps products narrower than 9 bits to LUTs; the packed slices are wide enough.
    if (packing) CHECK(s.out.find(" 0 DSPs") == std::string::npos);
    CHECK(
        lutforge_ok("equiv " + low + " " + syn + " --time-limit 120").out.rfind("EQUIVALENT", 0) ==
        0);
    const std::string out = (dir / (tag + ".csv")).string();
    lutforge_ok("sim " + std::string(reuse ? "--engine systemc " : "") + syn + " --vectors " +
                (dir / "x.csv").string() + " -o " + out);
    CHECK(csv_column(out, "prediction") == csv_column(dir / "torch.csv", "prediction"));
    CHECK(csv_column(out, "prediction") == csv_column(dir / "ref.csv", "prediction"));
  }
}

TEST_CASE(
    "a MAC CNN: convolutions export as neurons over their windows with shared weights, and the "
    "network runs through lower with reuse and packing, synth_xilinx, equiv and sim",
    "[train][yosys][mac]") {
  const fs::path dir = temp_dir("train_cnn");
  // 4x4 images: 3 filters of 2x2 at stride 2 give 3 planes of 2x2, then dense 12 and 4.
  train_run(write_config(dir,
                         "family = \"mac\"\ninput_bits = 4\nconv_filters = 3\nconv_kernel = 2\n"
                         "conv_stride = 2\nweight_bits = [4, 3, 4]\nactivation_bits = 3",
                         4),
            dir);
  reference(dir);
  CHECK(csv_column(dir / "ref.csv", "prediction") == csv_column(dir / "torch.csv", "prediction"));
  CHECK(accuracy(dir / "ref.csv") > 0.6);
  const models::Model m =
      models::read_model(read_text(dir / "m.lfm.json"), (dir / "m.lfm.json").string());
  REQUIRE(m.layers.size() == 3);
  const models::Layer& conv = m.layers[0];
  REQUIRE(conv.neurons.size() == 12);
  CHECK(conv.fan_in == 4);
  CHECK(conv.weight_bits == 4);
  for (size_t f = 0; f < 3; ++f)
    for (size_t i = 0; i < 2; ++i)
      for (size_t j = 0; j < 2; ++j) {
        // Filter f at (i, j): the 2x2 window at (2i, 2j), row by row; the filter's weights.
        const models::Neuron& N = conv.neurons[f * 4 + i * 2 + j];
        const uint32_t top = static_cast<uint32_t>(2 * i * 4 + 2 * j);
        CHECK(N.inputs == std::vector<uint32_t>{top, top + 1, top + 4, top + 5});
        CHECK(N.weights == conv.neurons[f * 4].weights);
        CHECK(N.bias == conv.neurons[f * 4].bias);
        CHECK(N.multiplier == conv.neurons[f * 4].multiplier);
      }
  CHECK(m.layers[1].fan_in == 12);
  // Reuse 8: the convolution's slices serve two positions each (4 inputs), packed by filter.
  const std::string low = (dir / "r.json").string(), v = (dir / "r.v").string(),
                    syn = (dir / "r_x.json").string();
  lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low +
              " --reuse-factor 8 --dsp-packing --dsp-family dsp48e1");
  lutforge_ok("convert " + low + " -o " + v + " --adder-modules");
  lutforge_ok("synth " + v + " --top mac --target xilinx -o " + syn);
  CHECK(lutforge_ok("equiv " + low + " " + syn + " --time-limit 120").out.rfind("EQUIVALENT", 0) ==
        0);
  const std::string out = (dir / "out.csv").string();
  lutforge_ok("sim --engine systemc " + syn + " --vectors " + (dir / "x.csv").string() + " -o " +
              out);
  CHECK(csv_column(out, "prediction") == csv_column(dir / "torch.csv", "prediction"));
}

TEST_CASE(
    "a MAC MLP pruned to a DSP budget by the [prune] schedule: its lowering and synth_xilinx "
    "meet the budget, and it proves equivalent and predicts as LibTorch",
    "[train][yosys][mac]") {
  const fs::path dir = temp_dir("train_prune");
  // 16 inputs and 12 hidden at reuse 5: 12 x 4 + 4 x 3 = 60 slices unpruned (fewer when a lane's
  // weights all round to zero); the budget is 26. Yosys maps products of 9 bits or more to
  // DSP48E1s, so the weights have 8 bits.
  const nlohmann::json report =
      train_run(write_config(dir, "family = \"mac\"\nweight_bits = 8\nactivation_bits = 3", 4, 3,
                             "\n[prune]\nbudget = \"dsp=26\"\nreuse_factor = 5\nsteps = 2\n"
                             "finetune_epochs = 2\nsolver = \"cbc\"\n"),
                dir);
  reference(dir);
  CHECK(csv_column(dir / "ref.csv", "prediction") == csv_column(dir / "torch.csv", "prediction"));
  const nlohmann::json& pr = report.at("prune");
  const double before = pr.at("before").at("dsp").get<double>();
  CHECK(before <= 60);
  CHECK(before >= 50);
  REQUIRE(pr.at("steps").size() == 2);
  CHECK(pr.at("steps")[0].at("budget").at("dsp").get<double>() == before - (before - 26) / 2);
  CHECK(pr.at("steps")[1].at("lowered").at("dsp").get<double>() <= 26);
  CHECK(pr.at("after").at("dsp").get<double>() <= 26);
  CHECK(accuracy(dir / "ref.csv") > 0.5);

  const std::string low = (dir / "p.json").string(), v = (dir / "p.v").string(),
                    syn = (dir / "p_x.json").string();
  lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low + " --reuse-factor 5");
  // The LUTs as LUT instances, which synth_xilinx keeps: the report's LUT estimate is then within
  // 2% of synthesis (prune/prune.hpp).
  lutforge_ok("convert " + low + " -o " + v + " --adder-modules --xilinx-luts");
  lutforge_ok("synth " + v + " --top mac --target xilinx -o " + syn);
  const nlohmann::json stats = nlohmann::json::parse(lutforge_ok("stats " + syn + " --json").out);
  const nlohmann::json res = nlohmann::json::parse(read_text(dir / "p_x.resources.json"));
  CHECK(std::abs(pr.at("after").at("lut").get<double>() / res.at("luts").get<double>() - 1) < 0.02);
  const int dsps = stats.at("yosys_cells").value("DSP48E1", 0);
  // Yosys may fold a slice whose product it simplifies (a lane left with one weight, say) into
  // LUTs: at most the lowering's slices, and within the budget.
  CHECK(dsps > 0);
  CHECK(dsps <= pr.at("after").at("dsp").get<int>());
  CHECK(dsps >= pr.at("after").at("dsp").get<int>() - 3);
  CHECK(lutforge_ok("equiv " + low + " " + syn + " --time-limit 120").out.rfind("EQUIVALENT", 0) ==
        0);
  const std::string out = (dir / "out.csv").string();
  lutforge_ok("sim " + syn + " --per-sample --vectors " + (dir / "x.csv").string() + " -o " + out);
  CHECK(csv_column(out, "prediction") == csv_column(dir / "torch.csv", "prediction"));
}

TEST_CASE(
    "a MAC MLP pruned to a LUT budget ends within it: fine-tuning that moves the LUT estimate "
    "over it is followed by more steps at the budget, the last one not fine-tuned",
    "[train][mac]") {
  // The LUT estimate depends on the kept weights' values, which the fine-tuning moves; the
  // slices do not (a pruned pattern stays zero). A fast fine-tuning after a single step moves
  // them far. 8-bit weights, so that the products are DSP slices and the structures' costs add up.
  // The budgets are fractions of the trained network's estimate, which a budget it already meets
  // reports unpruned (the trained weights, and so the estimate, vary with the machine's kernels).
  auto run = [](const std::string& tag, int budget, const std::string& importance = "taylor") {
    const fs::path dir = temp_dir("train_prune_lut_" + tag);
    const nlohmann::json report =
        train_run(write_config(dir, "family = \"mac\"\nweight_bits = 8\nactivation_bits = 3", 3, 3,
                               "\n[prune]\nbudget = \"lut=" + std::to_string(budget) +
                                   "\"\nreuse_factor = 5\nsteps = 1\nfinetune_epochs = 4\n"
                                   "finetune_learning_rate = 0.03\nsolver = \"cbc\"\n"
                                   "importance = \"" +
                                   importance + "\"\n"),
                  dir);
    return std::pair(dir, report);
  };
  const double unpruned = run("unpruned", 1000000).second.at("prune").at("before").at("lut");
  REQUIRE(unpruned > 1000);
  size_t repaired = 0;
  for (const double fraction : {0.96, 0.92, 0.88, 0.84}) {
    const int budget = static_cast<int>(fraction * unpruned);
    // Half of them with the other gradient-based importance.
    const std::string importance = fraction == 0.92 || fraction == 0.84 ? "fisher" : "taylor";
    INFO("lut=" << budget << " of " << unpruned << ", " << importance);
    const auto [dir, report] = run(std::to_string(budget), budget, importance);
    reference(dir);
    CHECK(csv_column(dir / "ref.csv", "prediction") == csv_column(dir / "torch.csv", "prediction"));
    const nlohmann::json& pr = report.at("prune");
    CHECK(pr.at("after").at("lut").get<double>() <= budget);
    CHECK(pr.at("within_budget") == true);
    const nlohmann::json& steps = pr.at("steps");
    REQUIRE(steps.size() >= 1);
    REQUIRE(steps.size() <= 5);  // the step, and up to four more at the budget
    repaired += steps.size() > 1;
    for (size_t k = 1; k < steps.size(); ++k)
      CHECK(steps[k].at("budget").at("lut").get<double>() == budget);
    // The fourth extra step is not fine-tuned: it ends within the budget.
    if (steps.size() == 5) CHECK(steps[4].at("test_accuracy") == steps[4].at("accuracy_pruned"));
  }
  CHECK(repaired > 0);
}

TEST_CASE(
    "difflogic: both parametrizations and the learnable mapping learn, and the gate netlist "
    "synthesizes, proves and predicts as LibTorch",
    "[train][yosys]") {
  // "learnable": input-wise, and the first two layers' inputs chosen among 8 candidates each.
  for (const char* variant : {"input-wise", "classic", "learnable"}) {
    SECTION(variant) {
      const bool learnable = variant == std::string("learnable");
      const std::string param = learnable ? "input-wise" : variant;
      const fs::path dir = temp_dir(std::string("train_difflogic_") + variant);
      const std::string model =
          "family = \"difflogic\"\nlayers = [96, 64, 48]\nclasses = 4\ntau = 4.0\n"
          "input_bits = 3\ninput_encoding = \"thermometer\"\nparametrization = \"" +
          param + "\"" +
          (learnable ? "\nmapping = \"learnable\"\nmapping_candidates = 8\nmapping_layers = 2"
                     : "");
      const nlohmann::json report = train_run(write_config(dir, model, 6), dir);
      reference(dir);
      const auto torch = csv_column(dir / "torch.csv", "prediction");
      REQUIRE(torch.size() == 300);
      CHECK(csv_column(dir / "ref.csv", "prediction") == torch);
      INFO(variant << " accuracy " << accuracy(dir / "ref.csv"));
      CHECK(accuracy(dir / "ref.csv") > 0.6);  // four classes: chance is 25%
      const models::Model m =
          models::read_model(read_text(dir / "m.lfm.json"), (dir / "m.lfm.json").string());
      REQUIRE(m.layers.size() == 3);
      CHECK(m.layers[0].kind == models::LayerKind::Gate);
      CHECK(m.layers[0].neurons.size() == 96);
      CHECK(m.head.kind == models::Head::Kind::GroupSum);
      CHECK(m.num_classes() == 4);
      std::set<uint32_t> read;
      for (const auto& n : m.layers[0].neurons) {
        for (uint32_t i : n.inputs) CHECK(i < 48);
        // At random, every gate reads two different inputs; a learned mapping may choose one
        // bit for both.
        if (!learnable) CHECK(n.inputs[0] != n.inputs[1]);
        read.insert(n.inputs.begin(), n.inputs.end());
      }
      // At random the first layer reads all 48 input bits; the mapping chooses what it reads.
      if (!learnable) CHECK(read.size() == 48);

      const std::string low = (dir / "low.json").string(), v = (dir / "m.v").string(),
                        syn = (dir / "syn.json").string(), out = (dir / "out.csv").string();
      lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low);
      lutforge_ok("convert " + low + " -o " + v);
      const RunResult y = run("yosys -q -p 'read_verilog " + v + "; synth -lut 6 -top difflogic; " +
                              "write_json " + syn + "'");
      INFO(y.err);
      REQUIRE(y.exit_code == 0);
      CHECK(lutforge_ok("equiv " + low + " " + syn).out.rfind("EQUIVALENT", 0) == 0);
      lutforge_ok("sim " + syn + " --vectors " + (dir / "x.csv").string() + " -o " + out);
      CHECK(csv_column(out, "prediction") == torch);
    }
  }
}

TEST_CASE(
    "dwn: learned tables with random and learnable mappings, and the LUT netlist synthesizes, "
    "proves and predicts as LibTorch",
    "[train][yosys]") {
  // "shrink": learnable mapping, and logic shrinkage of 75% of the LUT inputs after 3 epochs.
  for (const char* variant : {"random", "learnable", "shrink"}) {
    SECTION(variant) {
      const std::string mapping = variant == std::string("random") ? "random" : "learnable";
      const bool shrink = variant == std::string("shrink");
      const fs::path dir = temp_dir(std::string("train_dwn_") + variant);
      const std::string model =
          "family = \"dwn\"\nlayers = [60, 40]\nfan_in = 6\nclasses = 4\ntau = 3.0\n"
          "input_bits = 3\ninput_encoding = \"distributive\"\nmapping = \"" +
          mapping + "\"" + (mapping == "learnable" ? "\nmapping_candidates = 8" : "") +
          (shrink ? "\nshrink = 0.75\nshrink_epoch = 3" : "");
      train_run(write_config(dir, model, 6), dir);
      reference(dir);
      const auto torch = csv_column(dir / "torch.csv", "prediction");
      REQUIRE(torch.size() == 300);
      CHECK(csv_column(dir / "ref.csv", "prediction") == torch);
      INFO(variant << " accuracy " << accuracy(dir / "ref.csv"));
      CHECK(accuracy(dir / "ref.csv") > 0.6);  // four classes: chance is 25%
      const models::Model m =
          models::read_model(read_text(dir / "m.lfm.json"), (dir / "m.lfm.json").string());
      REQUIRE(m.layers.size() == 2);
      CHECK(m.family == "dwn");
      CHECK(m.head.kind == models::Head::Kind::GroupSum);
      CHECK(m.num_classes() == 4);
      CHECK(m.layers[0].in_bits == 1);
      CHECK(m.layers[0].fan_in == 6);
      // The thresholds come from the training pixels: each lies halfway between two of the 8-bit
      // values the images take (k / 255), or above them all (a feature's largest value + 1).
      for (const auto& t : m.input.thresholds)
        for (float v : t) CHECK((v >= 1.0f || std::fmod(v * 255.0f + 0.25f, 1.0f) > 0.5f));
      for (size_t l = 0; l < 2; ++l) {  // shrinkage keeps a quarter of the inputs, 1 to 6 a LUT
        size_t inputs = 0;
        for (const auto& n : m.layers[l].neurons) {
          CHECK(!n.inputs.empty());
          CHECK(n.tables[0].num_vars() == n.inputs.size());
          CHECK((shrink || n.inputs.size() == 6));
          inputs += n.inputs.size();
        }
        const size_t all = m.layers[l].neurons.size() * 6;
        CHECK(inputs == (shrink ? all - all * 3 / 4 : all));
      }
      if (mapping == "random") {  // every input bit read, none twice by a LUT
        std::set<uint32_t> read;
        for (const auto& n : m.layers[0].neurons) {
          CHECK(std::set<uint32_t>(n.inputs.begin(), n.inputs.end()).size() == 6);
          read.insert(n.inputs.begin(), n.inputs.end());
        }
        CHECK(read.size() == 48);
      }
      const std::string low = (dir / "low.json").string(), v = (dir / "m.v").string(),
                        syn = (dir / "syn.json").string(), out = (dir / "out.csv").string();
      lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low);
      lutforge_ok("convert " + low + " -o " + v + " --yosys-luts");
      lutforge_ok("synth " + v + " --top dwn --lut 6 -o " + syn);
      CHECK(lutforge_ok("equiv " + low + " " + syn).out.rfind("EQUIVALENT", 0) == 0);
      lutforge_ok("sim " + syn + " --vectors " + (dir / "x.csv").string() + " -o " + out);
      CHECK(csv_column(out, "prediction") == torch);
    }
  }
}

TEST_CASE(
    "lutnet: a BNN, its XNORs grown into LUTs, and logic shrinkage, and the netlist of popcounts "
    "and "
    "thresholds synthesizes, proves and predicts as LibTorch",
    "[train][yosys]") {
  // "bnn": the BNN alone (every epoch before the LUTs grow); "lut": 2 epochs of BNN, then 4-input
  // LUTs; "shrink": the same, half of the LUT inputs dropped in epochs 3 and 4, a quarter each;
  // "cut": half of the LUTs lose all of their inputs at epoch 3; "wires": half of the LUTs keep
  // only their most salient input; "rewired": the same, and those learn which bit they read;
  // "rewired-steps": "shrink" with LUTs that may lose every input, its LUTs of one input rewired
  // (so that a wire of the first step may become a constant in the second); "first-layer":
  // "rewired" with a fraction per layer, half of the first layer's LUTs and none of the last's;
  // "rewired-whole": "rewired", and the LUTs the cut leaves whole learn which bits they read.
  for (const char* variant : {"bnn", "lut", "shrink", "cut", "wires", "rewired", "rewired-steps",
                              "first-layer", "rewired-whole"}) {
    SECTION(variant) {
      const bool bnn = variant == std::string("bnn"), cut = variant == std::string("cut");
      const bool whole_rewired = variant == std::string("rewired-whole");
      const bool rewired = whole_rewired || variant == std::string("rewired");
      const bool rewired_steps = variant == std::string("rewired-steps");
      const bool first = variant == std::string("first-layer");
      const bool wires = rewired || first || variant == std::string("wires");  // cut to one input
      const bool shrink = cut || wires || rewired_steps || variant == std::string("shrink");
      const fs::path dir = temp_dir(std::string("train_lutnet_") + variant);
      const std::string model =
          std::string(
              "family = \"lutnet\"\nlayers = [10, 4]\nconnections = [6, 8]\nfan_in = 4\n"
              "classes = 4\ntau = 2.0\ninput_bits = 2\ninput_encoding = \"distributive\"\n"
              "bnn_epochs = ") +
          (bnn ? "6" : "2") +
          (cut ? "\nshrink = 0.5\nshrink_epoch = 3\nshrink_unit = \"lut\"\nshrink_min_inputs = 0"
           : first  ? "\nshrink = [0.5, 0.0]\nshrink_epoch = 3\nshrink_unit = \"lut\""
           : wires  ? "\nshrink = 0.5\nshrink_epoch = 3\nshrink_unit = \"lut\""
           : shrink ? "\nshrink = 0.5\nshrink_epoch = 3\nshrink_steps = 2"
                    : "");
      const std::string rewire = "\nshrink_rewire = 16\nshrink_rewire_margin = 0.0";
      const nlohmann::json report =
          train_run(write_config(dir,
                                 model + (whole_rewired      ? rewire + "\nshrink_rewire_luts = 8"
                                          : rewired || first ? rewire
                                          : rewired_steps    ? rewire + "\nshrink_min_inputs = 0"
                                                             : ""),
                                 6),
                    dir);
      reference(dir);
      const auto torch = csv_column(dir / "torch.csv", "prediction");
      REQUIRE(torch.size() == 300);
      CHECK(csv_column(dir / "ref.csv", "prediction") == torch);
      INFO(variant << " accuracy " << accuracy(dir / "ref.csv"));
      CHECK(accuracy(dir / "ref.csv") > 0.6);  // four classes: chance is 25%
      const models::Model m =
          models::read_model(read_text(dir / "m.lfm.json"), (dir / "m.lfm.json").string());
      CHECK(m.family == "lutnet");
      CHECK(m.head.kind == models::Head::Kind::GroupSum);
      CHECK(m.num_classes() == 4);
      // LUTs (one per connection), threshold neurons over each neuron's 6 LUTs, LUTs (8 a class).
      REQUIRE(m.layers.size() == 3);
      CHECK(m.layers[0].kind == models::LayerKind::Lut);
      CHECK(m.layers[0].neurons.size() == 60);
      CHECK(m.layers[1].kind == models::LayerKind::Threshold);
      REQUIRE(m.layers[1].neurons.size() == 10);
      for (size_t n = 0; n < 10; ++n) {
        const auto& in = m.layers[1].neurons[n].inputs;
        CHECK(in == std::vector<uint32_t>{
                        static_cast<uint32_t>(6 * n), static_cast<uint32_t>(6 * n + 1),
                        static_cast<uint32_t>(6 * n + 2), static_cast<uint32_t>(6 * n + 3),
                        static_cast<uint32_t>(6 * n + 4), static_cast<uint32_t>(6 * n + 5)});
      }
      CHECK(m.layers[2].neurons.size() == 32);
      size_t inputs = 0, luts = 0, whole = 0, constants = 0;
      for (size_t l : {0u, 2u})
        for (const auto& n : m.layers[l].neurons) {
          ++luts;
          inputs += n.inputs.size();
          whole += n.inputs.size() == 4;
          CHECK(n.tables[0].num_vars() == n.inputs.size());
          // A LUT that lost every input reads one through a table of two equal entries.
          if (n.inputs.size() == 1 && (n.tables[0].words()[0] & 3) % 3 == 0) ++constants;
          if (cut || wires) CHECK((n.inputs.size() == 4 || n.inputs.size() == 1));
          if (bnn) {  // an XNOR with a weight: the input or its complement
            REQUIRE(n.inputs.size() == 1);
            const uint64_t t = n.tables[0].words()[0] & 3;
            CHECK((t == 0b10 || t == 0b01));
          } else if (!shrink) {
            CHECK(std::set<uint32_t>(n.inputs.begin(), n.inputs.end()).size() == 4);
          }
        }
      // Shrinkage drops half of each layer's inputs: 120 of 240 and 64 of 128. Cutting LUTs
      // leaves half of each layer whole (30 and 16) and the others constants (or wires).
      // The report gives the same shape a layer: the two LUT layers, whole, wires and constants.
      const auto& shape = report["lut_layers"];
      REQUIRE(shape.size() == 2);
      CHECK(shape[0]["layer"] == 0);
      CHECK(shape[1]["layer"] == 2);
      CHECK(shape[0]["neurons"] == 60);
      CHECK(shape[1]["neurons"] == 32);
      size_t reported_whole = 0, reported_constants = 0, reported_inputs = 0;
      for (const auto& s : shape) {
        reported_whole += s["by_fan_in"].value("4", size_t{0});
        reported_constants += s["constant"].get<size_t>();
        for (const auto& [k, count] : s["by_fan_in"].items())
          reported_inputs += std::stoul(k) * count.get<size_t>();
      }
      CHECK(reported_whole == whole);
      if (cut) {
        CHECK(whole == 46);
        CHECK(constants == luts - 46);
        CHECK(reported_constants == constants);
        CHECK(shape[0]["by_fan_in"].size() == 1);  // 4 inputs, the others constants
      } else if (first) {
        // The first layer's 60 LUTs: 30 whole, 30 wires; the last layer's 32 all whole.
        CHECK(shape[0]["by_fan_in"].value("4", size_t{0}) == 30);
        CHECK(shape[1]["by_fan_in"] == nlohmann::json{{"4", 32}});
        CHECK(whole == 62);
        CHECK(inputs == 62 * 4 + 30);
      } else if (wires) {
        CHECK(whole == 46);
        CHECK(inputs == 46 * 4 + (luts - 46));
        // The wires and inverters are LUTs of one input; the rest constants.
        CHECK(reported_inputs + reported_constants == inputs);
      } else if (rewired_steps) {
        // Half of the inputs go; a LUT left none is written reading one, through equal entries.
        CHECK(inputs >= luts * 2);
        CHECK(inputs - constants <= luts * 2);
      } else {
        CHECK(inputs == (bnn ? luts : shrink ? luts * 2 : luts * 4));
      }
      if (rewired) {
        // The same network without rewiring trains the same until the cut, so cuts the same
        // LUTs; after it, some of those read other bits than the input the cut kept, and the
        // whole LUTs read their random bits still, or (rewired-whole) some read others.
        const fs::path plain = temp_dir(std::string("train_lutnet_plain_") + variant);
        train_run(write_config(plain, model, 6), plain);
        const models::Model p =
            models::read_model(read_text(plain / "m.lfm.json"), (plain / "m.lfm.json").string());
        size_t moved = 0, moved_whole = 0;
        for (size_t l : {0u, 2u})
          for (size_t j = 0; j < m.layers[l].neurons.size(); ++j) {
            const auto &a = m.layers[l].neurons[j], &b = p.layers[l].neurons[j];
            REQUIRE(a.inputs.size() == b.inputs.size());
            moved += a.inputs.size() == 1 && a.inputs != b.inputs;
            moved_whole += a.inputs.size() == 4 && a.inputs != b.inputs;
          }
        INFO("cut LUTs " << luts - 46 << ", rewired " << moved << "; whole LUTs rewired "
                         << moved_whole);
        CHECK(moved > 0);
        if (whole_rewired)
          CHECK(moved_whole > 0);
        else
          CHECK(moved_whole == 0);
      }
      if (bnn) continue;
      const std::string low = (dir / "low.json").string(), v = (dir / "m.v").string(),
                        syn = (dir / "syn.json").string(), out = (dir / "out.csv").string();
      lutforge_ok("lower " + (dir / "m.lfm.json").string() + " -o " + low + " --register-every 1");
      lutforge_ok("convert " + low + " -o " + v + " --yosys-luts");
      lutforge_ok("synth " + v + " --top lutnet --lut 6 -o " + syn);
      CHECK(lutforge_ok("equiv " + low + " " + syn).out.rfind("EQUIVALENT", 0) == 0);
      lutforge_ok("sim " + syn + " --engine systemc --vectors " + (dir / "x.csv").string() +
                  " -o " + out);
      CHECK(csv_column(out, "prediction") == torch);
    }
  }
}

TEST_CASE("a regression run killed during a train step resumes the training from its checkpoint",
          "[train][regress]") {
  const fs::path dir = temp_dir("train_regress_resume");
  const unsigned epochs = 8;
  const fs::path config = write_config(dir, "family = \"logicnets\"\nfan_in = 3", epochs, 4);
  write_text(dir / "s.toml",
             "[[case]]\nname = \"net\"\nconfig = \"config.toml\"\n"
             "  [[case.step]]\n  kind = \"train\"\n"
             "  [[case.step]]\n  kind = \"lower\"\n");
  const fs::path run = dir / "run", ckpt = run / "cases" / "net" / "train.ckpt";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string s = (dir / "s.toml").string(), o = run.string();
    execl(LUTFORGE_BIN, LUTFORGE_BIN, "regress", s.c_str(), "-o", o.c_str(), "--no-progress",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill the runner (and with it the training) once the first epoch's checkpoint is in place.
  REQUIRE(WIFSIGNALED(kill_once_written(pid, ckpt)));
  const RunResult r = run_lutforge("regress " + (dir / "s.toml").string() + " -o " + run.string() +
                                   " --no-progress");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json report =
      nlohmann::json::parse(read_text(run / "cases" / "net" / "train.report.json"));
  const unsigned after = report["resumed_after_epoch"].get<unsigned>();
  CHECK(after >= 1);
  CHECK(after < epochs);
  CHECK(report["epochs"].size() == epochs - after);
  // The same model as an uninterrupted training of the same configuration.
  const fs::path whole = temp_dir("train_regress_whole");
  train_run(write_config(whole, "family = \"logicnets\"\nfan_in = 3", epochs, 4), whole);
  CHECK(read_text(run / "cases" / "net" / "train.lfm.json") == read_text(whole / "m.lfm.json"));
}

TEST_CASE("the difflogic study script: a CSV, the final-layer comparison, Pareto plots and Fmax",
          "[train]") {
  const fs::path dir = temp_dir("difflogic_study");
  const std::string src = LUTFORGE_SOURCE_DIR;
  REQUIRE(run("python3 " + src + "/regress/suites/demo/make_data.py " + (dir / "data").string())
              .exit_code == 0);
  const std::string study = "python3 " + src + "/scripts/difflogic-study.py --lutforge " +
                            LUTFORGE_BIN + " --dataset demo=" + (dir / "data").string() +
                            " --epochs 2 -j 2 --out " + (dir / "out").string();

  // Bad points are one-line errors naming the point.
  auto r = run(study + " --point demo:2:40");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("--point 'demo:2:40' is not DATASET:DEPTH:WIDTH:FINAL") != std::string::npos);
  r = run(study + " --point demo:2:40:10");
  CHECK(r.err.find("point demo-d2-w40-f10: the final layer's 10 gates do not split into 4 "
                   "classes") != std::string::npos);
  r = run(study + " --point jsc:2:40:40");
  CHECK(r.err.find("no --dataset jsc=DIR") != std::string::npos);

  r = run(study + " --point demo:2:40:40 --point demo:2:40:8 --point demo:3:24:12");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path csv = dir / "out" / "study.csv";
  const auto points = csv_column(csv, "point");
  REQUIRE(points ==
          std::vector<std::string>{"demo-d2-w40-f40", "demo-d2-w40-f8", "demo-d3-w24-f12"});
  const auto num = [&](const std::string& col) {
    std::vector<double> v;
    for (const auto& s : csv_column(csv, col)) v.push_back(s.empty() ? -1 : std::stod(s));
    return v;
  };
  const auto gates = num("gates"), before = num("gates_before_folding"),
             after = num("gates_after_folding"), luts = num("luts"), stages = num("stages"),
             latency = num("latency_cycles"), per_stage = num("levels_per_stage"),
             total = num("levels_total"), fmax = num("fmax_mhz"), ns = num("latency_ns"),
             agreement = num("agreement"), accuracy = num("accuracy");
  const std::vector<double> expected_gates = {80, 48, 60};  // depth-1 layers of width, then final
  for (size_t i = 0; i < points.size(); ++i) {
    INFO(points[i]);
    CHECK(gates[i] == expected_gates[i]);
    CHECK(before[i] == gates[i]);  // before folding every gate is a cell
    CHECK(after[i] <= before[i]);
    CHECK(luts[i] > 0);
    CHECK(agreement[i] == 1.0);      // the synthesized netlist predicts as models/ does
    CHECK(latency[i] == stages[i]);  // the SystemC engine's latency is the pipeline's depth
    CHECK(total[i] >= per_stage[i]);
    CHECK(fmax[i] > 0);  // every tiny point fits an HX8K and was placed and routed
    CHECK(ns[i] == Approx(latency[i] * 1000.0 / fmax[i]));
  }
  CHECK(accuracy[0] > 0.5);  // the widest point beats chance (0.25) on four classes
  CHECK(csv_column(csv, "equiv") ==
        std::vector<std::string>{"EQUIVALENT", "EQUIVALENT", "EQUIVALENT"});
  // The clock period as a line in the LUT4 levels per stage, fitted on the placed points.
  CHECK(read_text(dir / "out" / "study.md")
            .find("Clock period against LUT4 levels per stage "
                  "over the 3 placed points") != std::string::npos);
  for (double f : num("fmax_predicted_mhz")) CHECK(f > 0);
  // The narrower final layer against the same network with a full one.
  const std::string final_layer = read_text(dir / "out" / "final_layer.md");
  CHECK(final_layer.find("| demo | 2 | 40 | 8 (was 40) |") != std::string::npos);
  for (const char* plot : {"pareto-luts", "pareto-energy", "pareto-latency"}) {
    CHECK(read_text(dir / "out" / (std::string(plot) + ".png")).rfind("\x89PNG", 0) == 0);
    CHECK(read_text(dir / "out" / (std::string(plot) + ".svg")).find("<svg") != std::string::npos);
    CHECK(fs::exists(dir / "out" / (std::string(plot) + "-demo.dat")));
  }
  // A rerun reuses every step and every placement.
  r = run(study + " --point demo:2:40:40 --point demo:2:40:8 --point demo:3:24:12");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("0 steps run, 33 reused") != std::string::npos);
  CHECK(r.out.find("nextpnr-ice40 (HX8K)") == std::string::npos);
  // Other settings change the design: the placement runs again, not a stale one.
  r = run(study + " --point demo:2:40:40 --register-every 1");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("demo-d2-w40-f40: synth_ice40 and nextpnr-ice40 (HX8K)") != std::string::npos);
}

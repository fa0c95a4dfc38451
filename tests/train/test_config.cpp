// The training configuration's errors, without LibTorch: train_data parses the TOML file.
#include <catch2/catch.hpp>

#include "tests/support/tools.hpp"
#include "train/config.hpp"

using namespace lutforge;
using namespace lutforge::test;

TEST_CASE("configuration errors name the file, the line and the key", "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string data = "[data]\ndataset = \"mnist\"\npath = \"d\"\n";
  const std::string model = "[model]\nfamily = \"polylut\"\nlayers = [8, 4]\nfan_in = 3\n";
  CHECK(config_error(data + model) == "no error");
  CHECK(config_error(data + model + "colour = 3\n").find("c.toml:8") != std::string::npos);
  CHECK(config_error(data + model + "colour = 3\n").find("colour") != std::string::npos);
  CHECK(config_error(data + "[model]\nfamily = \"polylut\"\nlayers = [8, 4]\nfan_in = \"three\"\n")
            .find("c.toml:7") != std::string::npos);
  CHECK(config_error(data + "[model]\nfamily = \"lstm\"\nlayers = [8, 4]\nfan_in = 3\n")
            .find("lstm") != std::string::npos);
  CHECK(config_error(data + "[model]\nfamily = \"polylut\"\nlayers = [8, 4]\nfan_in = 11\n")
            .find("fan_in") != std::string::npos);
  CHECK(config_error(data + model + "[sparselut]\nfreeze_epoch = 2\n").find("sparselut") !=
        std::string::npos);
  CHECK(config_error(data + model + "[train]\nepochs = 4\nbn_freeze_epoch = 3\n") == "no error");
  CHECK(config_error(data + model + "[train]\nepochs = 4\nbn_freeze_epoch = 5\n")
            .find("bn_freeze_epoch") != std::string::npos);
  CHECK(config_error("[data]\ndataset = \"mnist\"\npath = \"d\"\n[model\n").find("c.toml") !=
        std::string::npos);
  CHECK(config_error(data) == "c.toml: [model] needs the key 'family'");
}

TEST_CASE("a model key of another family is an error, and every family reads its own keys",
          "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string data = "[data]\ndataset = \"mnist\"\npath = \"d\"\n";
  auto model = [](const char* family, const std::string& extra) {
    // difflogic's fan_in is fixed at 2; mac layers are dense.
    const bool no_fan_in = std::string(family) == "difflogic" || std::string(family) == "mac";
    return std::string("[model]\nfamily = \"") + family + "\"\nlayers = [8, 4]\n" +
           (no_fan_in ? "" : "fan_in = 2\n") + extra;
  };
  CHECK(config_error(data + model("polylut", "hidden = 8\n")) ==
        "c.toml: [model] hidden is read by the neuralut family, not by polylut");
  CHECK(config_error(data + model("logicnets", "degree = 2\n")) ==
        "c.toml: [model] degree is read by the polylut and polylut-add families, not by logicnets");
  // Each family accepts every key it names, and the value arrives in the configuration.
  for (train::Family f : train::kFamilies) {
    std::string extra;
    for (const char* key : train::family_keys(f)) {
      const std::string k = key;
      extra += k + " = " +
               (k == "parametrization"                         ? "\"classic\""
                : k == "mapping"                               ? "\"learnable\""
                : k == "weight_scale"                          ? "\"learned\""
                : k == "residual_init"                         ? "1"
                : k == "shrink"                                ? "0.5"
                : k == "shrink_epoch"                          ? "3"  // after bnn_epochs
                : k == "shrink_min_inputs"                     ? "0"
                : k == "shrink_unit"                           ? "\"lut\""
                : k == "classes" && f == train::Family::LutNet ? "4"  // a neuron per class
                                                               : "2") +
               "\n";
    }
    INFO(train::family_name(f) << ": " << extra);
    CHECK(config_error(data + model(train::family_name(f), extra)) == "no error");
  }
  const auto c = train::parse_train_config(
      data + model("neuralut", "hidden = 5\nhidden_layers = 3\n"), "c.toml");
  CHECK(c.hidden == 5);
  CHECK(c.hidden_layers == 3);
}

TEST_CASE("difflogic configurations: classes, gate widths, and the keys a gate network has not",
          "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string head =
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"difflogic\"\n";
  CHECK(config_error(head + "layers = [64, 30]\n") ==
        "c.toml: [model] difflogic needs the key 'classes'");
  CHECK(config_error(head + "layers = [64, 30]\nclasses = 4\n") ==
        "c.toml: [model] the last layer's 30 gates do not split into 4 equal groups (classes)");
  CHECK(
      config_error(head + "layers = [64, 32]\nclasses = 4\nfan_in = 3\n") ==
      "c.toml: [model] difflogic gates read 2 inputs of 1 bit and are wired by `mapping`; fan_in, "
      "bits, output_bits and connectivity may not be given");
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nparametrization = \"x\"\n") ==
        "c.toml: [model] parametrization is 'x'; expected one of input-wise, classic");
  const auto c = train::parse_train_config(
      head + "layers = [64, 32]\nclasses = 4\ntau = 3.5\ninput_bits = 3\nresidual_init = 1\n",
      "c.toml");
  CHECK(c.num_classes() == 4);
  CHECK(c.tau == 3.5);
  CHECK(c.parametrization == "input-wise");
  CHECK(c.residual_init);
  CHECK(c.bits == 1);
  CHECK(c.mapping == "random");
  const auto l = train::parse_train_config(
      head + "layers = [64, 32]\nclasses = 4\nmapping = \"learnable\"\nmapping_candidates = 16\n",
      "c.toml");
  CHECK(l.mapping == "learnable");
  CHECK(l.mapping_candidates == 16);
  CHECK(l.mapping_layers == 1);
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nmapping_layers = 2\n") ==
        "c.toml: [model] mapping_layers applies to mapping = \"learnable\"");
  CHECK(config_error(
            head + "layers = [64, 32]\nclasses = 4\nmapping = \"learnable\"\nmapping_layers = 3\n")
            .find("mapping_layers") != std::string::npos);
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nmapping_candidates = 16\n") ==
        "c.toml: [model] mapping_candidates applies to mapping = \"learnable\"");
}

TEST_CASE("dwn configurations: classes, LUT widths, mappings, and the keys a DWN has not",
          "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string head =
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"dwn\"\nfan_in = 6\n";
  CHECK(config_error(head + "layers = [64, 30]\n") ==
        "c.toml: [model] dwn needs the key 'classes'");
  CHECK(config_error(head + "layers = [64, 30]\nclasses = 4\n") ==
        "c.toml: [model] the last layer's 30 LUTs do not split into 4 equal groups (classes)");
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nbits = 2\n") ==
        "c.toml: [model] dwn LUTs read and give single bits and are wired by `mapping`; bits, "
        "output_bits and connectivity may not be given");
  CHECK(config_error("[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"dwn\"\n"
                     "fan_in = 9\nlayers = [64, 32]\nclasses = 4\n") ==
        "c.toml: [model] fan_in 9: a dwn LUT has at most 8 inputs (its table has 2^fan_in "
        "trained entries)");
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nmapping = \"x\"\n") ==
        "c.toml: [model] mapping is 'x'; expected one of random, learnable");
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nmapping_candidates = 8\n") ==
        "c.toml: [model] mapping_candidates applies to mapping = \"learnable\"");
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\ninput_encoding = \"x\"\n") ==
        "c.toml: [model] input_encoding is 'x'; expected one of uniform, thermometer, "
        "distributive");
  const auto c =
      train::parse_train_config(head +
                                    "layers = [64, 32]\nclasses = 4\ntau = 3.5\ninput_bits = 3\n"
                                    "input_encoding = \"distributive\"\nmapping = \"learnable\"\n",
                                "c.toml");
  CHECK(c.num_classes() == 4);
  CHECK(c.tau == 3.5);
  CHECK(c.mapping == "learnable");
  CHECK(c.mapping_candidates == 64);
  CHECK(c.input_encoding == "distributive");
  CHECK(c.bits == 1);
  CHECK(c.threshold_bits == 0);
  const std::string distributive =
      head + "layers = [64, 32]\nclasses = 4\ninput_encoding = \"distributive\"\n";
  const auto grid = train::parse_train_config(distributive + "threshold_bits = 5\n", "c.toml");
  CHECK(grid.pixel_bits == 8);
  CHECK(grid.threshold_bits == 5);
  CHECK(config_error(head + "layers = [64, 32]\nclasses = 4\nthreshold_bits = 6\n") ==
        "c.toml: [model] threshold_bits puts the thresholds of the distributive thermometer on a "
        "grid; input_encoding is \"uniform\"");
  CHECK(config_error(distributive + "[train]\naugment_shift = 1\n") == "no error");
  CHECK(config_error(distributive + "[train]\naugment_shift = 9\n").find("augment_shift") !=
        std::string::npos);
  const auto shrink =
      train::parse_train_config(distributive + "shrink = 0.75\n[train]\nepochs = 9\n", "c.toml");
  CHECK(shrink.shrink == std::vector<double>{0.75, 0.75});  // the fraction for each layer
  CHECK(shrink.shrink_epoch == 4);                          // half the epochs by default
  CHECK(shrink.shrink_min_inputs == 1);                     // a LUT keeps an input by default
  CHECK(train::parse_train_config(distributive + "shrink = 0.75\nshrink_min_inputs = 0\n", "c.toml")
            .shrink_min_inputs == 0);
  CHECK(train::parse_train_config(distributive + "shrink = 0.75\nshrink_min_inputs = 2\n", "c.toml")
            .shrink_min_inputs == 2);  // a cut LUT keeps two inputs
  CHECK(config_error(distributive + "shrink = 0.75\nshrink_min_inputs = 6\n") ==
        "c.toml: [model] shrink_min_inputs 6 leaves a LUT of 6 inputs whole; it must be below "
        "every layer's fan_in");
  CHECK(config_error(distributive + "shrink = 0.75\nshrink_min_inputs = 8\n")
            .find("shrink_min_inputs") != std::string::npos);
  CHECK(shrink.shrink_unit == "input");
  CHECK(config_error(distributive + "shrink = 0.75\nshrink_unit = \"luts\"\n") ==
        "c.toml: [model] shrink_unit is 'luts'; expected one of input, lut");
  CHECK(config_error(distributive + "shrink_unit = \"lut\"\n") ==
        "c.toml: [model] shrink_unit applies to a shrink fraction above 0");
  CHECK(config_error(distributive + "shrink_min_inputs = 0\n") ==
        "c.toml: [model] shrink_min_inputs applies to a shrink fraction above 0");
  CHECK(config_error(distributive + "shrink_epoch = 3\n") ==
        "c.toml: [model] shrink_epoch applies to a shrink fraction above 0");
  CHECK(config_error(distributive + "shrink = 0.5\nshrink_epoch = 9\n[train]\nepochs = 9\n") ==
        "c.toml: [model] shrink_epoch 9 must be 1 to epochs - 1 (8)");
  CHECK(config_error(distributive + "shrink = 0.99\n").find("shrink") != std::string::npos);
  CHECK(config_error(distributive + "shrink_steps = 3\n") ==
        "c.toml: [model] shrink_steps applies to a shrink fraction above 0");
  CHECK(config_error(distributive +
                     "shrink = 0.5\nshrink_epoch = 7\nshrink_steps = 4\n[train]\nepochs = 10\n") ==
        "c.toml: [model] shrink_steps 4 from shrink_epoch 7 run past epochs (10)");
  std::string jsc = distributive + "[train]\naugment_shift = 1\n";
  jsc.replace(jsc.find("mnist"), 5, "jsc");
  CHECK(config_error(jsc) ==
        "c.toml: [train] augment_shift shifts images; the dataset jsc has none");
  CHECK(config_error(distributive + "pixel_bits = 8\n") ==
        "c.toml: [model] pixel_bits is read only with threshold_bits");
  CHECK(
      config_error(distributive + "pixel_bits = 4\nthreshold_bits = 6\n").find("threshold_bits") !=
      std::string::npos);
}

TEST_CASE("the parameter average starts after the network's last change of structure", "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string data = "[data]\ndataset = \"mnist\"\npath = \"d\"\n";
  const std::string polylut = "[model]\nfamily = \"polylut\"\nlayers = [8, 4]\nfan_in = 3\n";
  const std::string lutnet =
      "[model]\nfamily = \"lutnet\"\nlayers = [64, 10]\nclasses = 10\nfan_in = 4\n"
      "connections = 8\nshrink = 0.5\n";  // BNN epochs 0-2, shrinkage after epoch 7 (of 10)
  const auto p = train::parse_train_config(data + polylut + "[train]\naverage_decay = 0.99\n", "c");
  CHECK(p.average_decay == 0.99);
  CHECK(p.average_epoch == 0);
  CHECK(train::parse_train_config(data + lutnet + "[train]\naverage_decay = 0.99\n", "c")
            .average_epoch == 8);
  CHECK(train::parse_train_config(
            data + polylut + "connectivity = \"sparselut\"\n[train]\naverage_decay = 0.9\n", "c")
            .average_epoch == 5);  // the SparseLUT mask freezes half way by default
  CHECK(config_error(data + lutnet + "[train]\naverage_decay = 0.99\naverage_epoch = 5\n") ==
        "c.toml: [train] average_epoch 5 is before epoch 8, the first after the network's last "
        "change of structure");
  CHECK(config_error(data + polylut + "[train]\naverage_decay = 0.99\naverage_epoch = 10\n") ==
        "c.toml: [train] average_epoch 10 leaves no epoch to average (epochs = 10)");
  CHECK(config_error(data + polylut + "[train]\naverage_epoch = 2\n") ==
        "c.toml: [train] average_epoch is given but average_decay is 0 (no average)");
  CHECK(config_error(data + polylut + "[train]\naverage_decay = 1.0\n").find("average_decay") !=
        std::string::npos);
}

TEST_CASE("lutnet configurations: connections per layer, the BNN epochs and shrinkage after them",
          "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string head =
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"lutnet\"\n"
      "layers = [64, 10]\nclasses = 10\nfan_in = 4\n";
  const auto c =
      train::parse_train_config(head + "connections = 16\n[train]\nepochs = 9\n", "c.toml");
  CHECK(c.connections == std::vector<unsigned>{16, 16});
  CHECK(c.bnn_epochs == 3);  // a third of the epochs by default
  CHECK(c.num_classes() == 10);
  CHECK(c.bits == 1);
  const auto s = train::parse_train_config(
      head + "connections = [16, 32]\nbnn_epochs = 2\nshrink = 0.5\n[train]\nepochs = 10\n",
      "c.toml");
  CHECK(s.connections == std::vector<unsigned>{16, 32});
  CHECK(s.shrink_epoch == 6);  // half way through the epochs of the LUTs
  // A shrink fraction per layer; none at all when every one is 0.
  const std::string eight = head + "connections = 8\n";
  CHECK(train::parse_train_config(eight + "shrink = [0.6, 0.0]\n", "c").shrink ==
        std::vector<double>{0.6, 0.0});
  CHECK(train::parse_train_config(eight + "shrink = [0.6]\n", "c").shrink ==
        std::vector<double>{0.6, 0.6});
  CHECK(train::parse_train_config(eight + "shrink = [0, 0.0]\n", "c").shrink.empty());
  CHECK(config_error(eight + "shrink = [0.5, 0.2, 0.1]\n") ==
        "c.toml: [model] shrink has 3 entries for 2 layers; give one fraction or one per layer");
  CHECK(config_error(eight + "shrink = [0.5, 0.99]\n") ==
        "c.toml:10: [model] shrink = 0.990000 is outside [0.000000, 0.950000]");
  CHECK(config_error(eight + "shrink = [0.5, \"half\"]\n") ==
        "c.toml:10: [model] shrink must be a number");
  CHECK(config_error(eight + "shrink = []\n") == "c.toml:10: [model] shrink must not be empty");
  CHECK(config_error(eight + "shrink = [0.0, 0.0]\nshrink_epoch = 5\n") ==
        "c.toml: [model] shrink_epoch applies to a shrink fraction above 0");
  CHECK(config_error(head) == "c.toml: [model] needs the key 'connections'");
  CHECK(config_error(head + "connections = [1, 2, 3]\n") ==
        "c.toml: [model] connections has 3 entries for 2 layers; give one integer or one per "
        "layer");
  CHECK(config_error(head + "connections = 8\nbnn_epochs = 12\n") ==
        "c.toml: [model] bnn_epochs 12 is more than epochs (10)");
  CHECK(config_error(head + "connections = 8\nbnn_epochs = 4\nshrink = 0.5\nshrink_epoch = 4\n") ==
        "c.toml: [model] shrink_epoch 4 must be 5 to epochs - 1 (9): the LUTs it shrinks grow "
        "after bnn_epochs");
  std::string wide = head + "connections = 8\n";
  wide.replace(wide.find("[64, 10]"), 8, "[64, 20]");
  CHECK(config_error(wide) ==
        "c.toml: [model] a lutnet's last layer has a neuron per class: layers ends with 20, "
        "classes is 10");
  CHECK(config_error(head + "connections = 8\nbits = 2\n") ==
        "c.toml: [model] lutnet LUTs read and give single bits and are wired at random; bits, "
        "output_bits and connectivity may not be given");
  CHECK(config_error(head + "connections = 8\nmapping = \"learnable\"\n") ==
        "c.toml: [model] mapping is read by the difflogic and dwn families, not by lutnet");
  // Rewiring the LUTs that shrinkage cuts to one input.
  const std::string cut = head + "connections = 8\nshrink = 0.5\nshrink_unit = \"lut\"\n";
  const auto r = train::parse_train_config(cut + "shrink_rewire = 32\n", "c.toml");
  CHECK(r.shrink_rewire == 32);
  CHECK(r.shrink_rewire_margin == 2.0);
  CHECK(s.shrink_rewire == 0);  // off by default
  CHECK(train::parse_train_config(cut + "shrink_rewire = 8\nshrink_rewire_margin = 0.5\n", "c")
            .shrink_rewire_margin == 0.5);
  CHECK(config_error(head + "connections = 8\nshrink_rewire = 32\n") ==
        "c.toml: [model] shrink_rewire applies to a shrink fraction above 0");
  CHECK(config_error(cut + "shrink_rewire_margin = 1.0\n") ==
        "c.toml: [model] shrink_rewire_margin applies to shrink_rewire or shrink_rewire_luts "
        "above 0");
  CHECK(config_error(cut + "shrink_rewire = 1\n") ==
        "c.toml:12: [model] shrink_rewire = 1 is outside 2..65536");
  // Rewiring the LUTs that shrinkage leaves whole: alone or beside the wires, with the margin.
  const auto w = train::parse_train_config(cut + "shrink_rewire_luts = 16\n", "c.toml");
  CHECK(w.shrink_rewire_luts == 16);
  CHECK(w.shrink_rewire == 0);
  CHECK(r.shrink_rewire_luts == 0);  // off by default
  const auto both = train::parse_train_config(
      cut + "shrink_rewire = 64\nshrink_rewire_luts = 8\nshrink_rewire_margin = 1.5\n", "c");
  CHECK((both.shrink_rewire == 64 && both.shrink_rewire_luts == 8));
  CHECK(both.shrink_rewire_margin == 1.5);
  CHECK(train::parse_train_config(cut + "shrink_rewire_luts = 4\nshrink_rewire_margin = 0.5\n", "c")
            .shrink_rewire_margin == 0.5);
  CHECK(config_error(head + "connections = 8\nshrink_rewire_luts = 16\n") ==
        "c.toml: [model] shrink_rewire_luts applies to a shrink fraction above 0");
  CHECK(config_error(cut + "shrink_rewire_luts = 1\n") ==
        "c.toml:12: [model] shrink_rewire_luts = 1 is outside 2..65536");
  for (const char* key : {"shrink_rewire", "shrink_rewire_luts"}) {
    std::string dwn = cut + key + " = 32\n";
    dwn.replace(dwn.find("lutnet"), 6, "dwn");
    dwn.replace(dwn.find("connections = 8\n"), 16, "");
    CHECK(config_error(dwn) ==
          "c.toml: [model] " + std::string(key) + " is read by the lutnet family, not by dwn");
  }
}

TEST_CASE("mac configurations: bit widths per layer, and the keys a dense MAC network has not",
          "[train]") {
  auto config_error = [](const std::string& text) {
    return error_of([&] { train::parse_train_config(text, "c.toml"); });
  };
  const std::string head =
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"mac\"\n"
      "layers = [32, 16, 10]\n";
  CHECK(config_error(head + "fan_in = 3\n") ==
        "c.toml: [model] mac layers are dense and the last one's accumulators are the scores; "
        "fan_in, output_bits and connectivity may not be given");
  CHECK(config_error(head + "weight_bits = [4, 4]\n") ==
        "c.toml: [model] weight_bits has 2 entries; give one integer or 3 (one per layer)");
  CHECK(config_error(head + "activation_bits = [4, 4, 4]\n") ==
        "c.toml: [model] activation_bits has 3 entries; give one integer or 2 (one per layer but "
        "the last)");
  CHECK(config_error(head + "weight_bits = 9\n") ==
        "c.toml:7: [model] weight_bits = 9 is outside 2..8");
  CHECK(config_error(head + "input_encoding = \"thermometer\"\n") ==
        "c.toml: [model] mac layers read the input codes as unsigned integers; input_encoding "
        "must be uniform");
  CHECK(config_error(head + "bits = 1\n") ==
        "c.toml: [model] mac activations need at least 2 bits (bits)");
  const auto c = train::parse_train_config(
      head + "weight_bits = [8, 4, 2]\nactivation_bits = [6, 3]\nmultiplier_bits = 12\n", "c.toml");
  CHECK(c.weight_bits == std::vector<unsigned>{8, 4, 2});
  CHECK(c.activation_bits == std::vector<unsigned>{6, 3});
  CHECK(c.multiplier_bits == 12);
  CHECK(c.weight_scale == "max");
  CHECK(train::parse_train_config(head + "weight_scale = \"learned\"\n", "c.toml").weight_scale ==
        "learned");
  CHECK(config_error(head + "weight_scale = \"lsq\"\n") ==
        "c.toml: [model] weight_scale is 'lsq'; expected one of max, learned");
  CHECK(config_error(head + "conv_kernel = 3\n") ==
        "c.toml: [model] conv_kernel is given but conv_filters is not");
  CHECK(config_error(head + "conv_filters = [4, 8]\nconv_stride = [1, 2, 2]\n") ==
        "c.toml: [model] conv_stride has 3 entries for 2 convolutions; give one integer or one "
        "per convolution");
  CHECK(config_error(head + "conv_filters = 4\nweight_bits = [4, 4, 4]\n") ==
        "c.toml: [model] weight_bits has 3 entries; give one integer or 4 (one per layer, "
        "convolutions first)");
  const auto cnn = train::parse_train_config(
      head + "conv_filters = [4, 8]\nconv_kernel = [5, 3]\nconv_stride = 2\n", "c.toml");
  CHECK(cnn.conv_kernel == std::vector<unsigned>{5, 3});
  CHECK(cnn.conv_stride == std::vector<unsigned>{2, 2});
  CHECK(cnn.weight_bits.size() == 5);
  CHECK(cnn.activation_bits.size() == 4);
  // [prune]: mac only, and every key checked.
  CHECK(config_error(head + "[prune]\nbudget = \"dsp=4\"\nreuse_factor = [2, 2]\n") ==
        "c.toml: [prune] reuse_factor has 2 entries; give one or 3 (one per layer)");
  CHECK(config_error(head + "[prune]\nbudget = \"dps=4\"\n") ==
        "c.toml: [prune] budget: unknown resource 'dps' (expected dsp, lut, ff or bram)");
  CHECK(config_error(head + "[prune]\nreuse_factor = 2\n") ==
        "c.toml: [prune] needs the key 'budget'");
  CHECK(config_error(head + "[prune]\nbudget = \"dsp=4\"\nimportance = \"random\"\n") ==
        "c.toml: [prune] importance is 'random'; expected one of taylor, fisher, magnitude");
  CHECK(config_error("[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = "
                     "\"logicnets\"\nlayers = [4, 2]\nfan_in = 2\n"
                     "[prune]\nbudget = \"dsp=4\"\n") ==
        "c.toml: [prune] applies to the mac family");
  CHECK(config_error(head + "[prune]\nmethod = \"unstructured\"\nbudget = \"dsp=4\"\n") ==
        "c.toml: [prune] budget applies to method = \"knapsack\"");
  CHECK(config_error(head + "[prune]\nmethod = \"unstructured\"\n") ==
        "c.toml: [prune] method = \"unstructured\" needs the key 'sparsity'");
  CHECK(config_error(head + "[prune]\nbudget = \"dsp=4\"\nsparsity = 0.5\n") ==
        "c.toml: [prune] sparsity applies to method = \"unstructured\"");
  CHECK(train::parse_train_config(head + "[prune]\nmethod = \"unstructured\"\nsparsity = 0.8\n",
                                  "c.toml")
            .prune.sparsity == 0.8);
  const auto pc = train::parse_train_config(
      head + "[prune]\nbudget = \"dsp=40,lut=900\"\nreuse_factor = 8\nsteps = 3\n", "c.toml");
  CHECK(pc.prune.enabled);
  CHECK(pc.prune.steps == 3);
  CHECK(pc.prune.reuse_factor == std::vector<unsigned>{8});
  CHECK(pc.prune.importance == "taylor");
  CHECK(!pc.prune.weights_in_bram);
  CHECK(
      train::parse_train_config(
          head + "[prune]\nbudget = \"bram=4\"\nreuse_factor = 8\nweights_in_bram = 1\n", "c.toml")
          .prune.weights_in_bram);
  CHECK(config_error(head + "[prune]\nbudget = \"bram=4\"\nweights_in_bram = 1\n") ==
        "c.toml: [prune] weights_in_bram needs a reuse_factor above 1 (a fully parallel layer "
        "reads every weight at once)");
  const auto d = train::parse_train_config(head + "bits = 5\n", "c.toml");
  CHECK(d.weight_bits == std::vector<unsigned>{8, 8, 8});
  CHECK(d.activation_bits == std::vector<unsigned>{5, 5});
}

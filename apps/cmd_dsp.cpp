// lutforge dsp-packing: how many low-bit products one DSP slice computes, with how many
// accumulations, for each pair of operand widths; optionally proved, configuration by
// configuration, against the same products without packing.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "equiv/equiv.hpp"
#include "models/dsp_packing.hpp"
#include "netlist/native_json.hpp"

namespace lutforge::cli {
namespace {

// "4" or "2..8".
std::pair<unsigned, unsigned> width_range(const std::string& text, const char* option) {
  unsigned lo = 0, hi = 0;
  char tail = 0;
  const auto dots = text.find("..");
  const bool ok = dots == std::string::npos
                      ? std::sscanf(text.c_str(), "%u%c", &lo, &tail) == 1 && (hi = lo, true)
                      : std::sscanf(text.substr(0, dots).c_str(), "%u%c", &lo, &tail) == 1 &&
                            std::sscanf(text.substr(dots + 2).c_str(), "%u%c", &hi, &tail) == 1;
  if (!ok || lo < 1 || hi > 24 || lo > hi)
    throw Error(std::string("--") + option +
                ": expected a width of 1..24 or a range such as 2..8, "
                "got '" +
                text + "'");
  return {lo, hi};
}

}  // namespace

int cmd_dsp_packing(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string family_text = "dsp48e2", x_text = "2..8", y_text = "2..8", write_dir;
  uint64_t accumulations = 1;
  opts.add_options()("family", po::value(&family_text),
                     "slice: dsp48e1 (A 25 bits into the multiplier) or dsp48e2 (27); default "
                     "dsp48e2")("x-bits", po::value(&x_text),
                                "widths of the packed operands (weights), such as 4 or 2..8")(
      "y-bits", po::value(&y_text), "widths of the shared operand (activations)")(
      "x-unsigned", "the packed operands are unsigned (default: signed)")(
      "y-signed", "the shared operand is signed (default: unsigned, as after a ReLU)")(
      "accumulations", po::value(&accumulations),
      "products each field must be able to sum (guard bits); default 1")(
      "prove",
      "check each configuration against its unpacked products: every operand value (where they "
      "are at most 28 bits together), and the prover")(
      "write", po::value(&write_dir),
      "write DIR/packed.json and DIR/unpacked.json for one configuration (single widths)")(
      "no-borrow-correction",
      "build the packed slice without the borrow correction (wrong: for proofs that must fail)")(
      "json", "print the table as JSON");
  po::variables_map vm;
  if (!parse(args,
             "lutforge dsp-packing [--family F] [--x-bits W] [--y-bits W] [--x-unsigned] "
             "[--y-signed] [--accumulations N] [--prove] [--write DIR] [--json]",
             opts, {}, vm))
    return kExitOk;
  models::DspFamily family;
  if (!models::family_from_name(family_text, family))
    throw Error("--family: expected dsp48e1 or dsp48e2, got '" + family_text + "'");
  const auto [x_lo, x_hi] = width_range(x_text, "x-bits");
  const auto [y_lo, y_hi] = width_range(y_text, "y-bits");
  const bool x_signed = !vm.count("x-unsigned"), y_signed = vm.count("y-signed");
  const bool correction = !vm.count("no-borrow-correction");
  if (accumulations < 1) throw Error("--accumulations: must be at least 1");

  if (!write_dir.empty()) {
    if (x_lo != x_hi || y_lo != y_hi)
      throw Error("--write: give single widths with --x-bits and --y-bits");
    const auto c = models::best_packing(family, x_lo, x_signed, y_lo, y_signed, accumulations);
    if (!c) throw Error("--write: no packing of these widths fits a " + family_text + " slice");
    std::error_code ec;
    std::filesystem::create_directories(write_dir, ec);
    if (ec) throw Error(write_dir + ": cannot create the directory: " + ec.message());
    for (const bool packed : {true, false}) {
      const std::string path = write_dir + (packed ? "/packed.json" : "/unpacked.json");
      auto out = open_output(path);
      write_native_json(models::packing_netlist(*c, family, packed, correction), out);
    }
    std::cout << "wrote " << write_dir << "/packed.json and " << write_dir
              << "/unpacked.json: " << c->count << " products of " << x_lo << " x " << y_lo
              << " bits, stride " << c->stride << (correction ? "" : ", no borrow correction")
              << "\n";
    return kExitOk;
  }

  nlohmann::ordered_json table = nlohmann::ordered_json::array();
  bool all_proved = true;
  for (unsigned xb = x_lo; xb <= x_hi; ++xb)
    for (unsigned yb = y_lo; yb <= y_hi; ++yb) {
      nlohmann::ordered_json row;
      row["x_bits"] = xb;
      row["y_bits"] = yb;
      const auto c = models::best_packing(family, xb, x_signed, yb, y_signed, accumulations);
      if (!c) {
        row["products"] = 0;
        table.push_back(row);
        continue;
      }
      row["products"] = c->count;
      row["stride"] = c->stride;
      row["accumulations"] = c->accumulations;
      if (vm.count("prove")) {
        // Every operand value where there are at most 28 operand bits, and the prover beside it.
        const unsigned inputs = c->count * xb + yb;
        auto start = std::chrono::steady_clock::now();
        auto seconds = [&] {
          const double s =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          start = std::chrono::steady_clock::now();
          return s;
        };
        bool ok = true;
        row["operand_bits"] = inputs;
        if (inputs <= 28) {
          const models::PackingCheck e = models::enumerate_packing(*c, family, correction);
          row["enumerated"] = e.vectors;
          row["mismatching"] = e.mismatching;
          if (!e.first.empty()) row["first_mismatch"] = e.first;
          row["enumeration_seconds"] = seconds();
          ok = e.mismatching == 0;
        }
        // The prover enumerates output cones of up to 26 inputs: SAT alone does not settle some
        // 8 x 8 signed products in minutes.
        EquivParams ep;
        ep.exhaustive_limit = std::max(ep.exhaustive_limit, std::min(inputs, 26u));
        const EquivResult r =
            check_equivalence(models::packing_netlist(*c, family, true, correction),
                              models::packing_netlist(*c, family, false), ep);
        row["prover"] = status_name(r.status);
        row["prover_bits_by_enumeration"] = r.proved_by_enumeration;
        row["prover_bits_by_sat"] = r.proved_by_sat;
        row["prover_seconds"] = seconds();
        ok = ok && r.status == EquivStatus::Equivalent;
        all_proved = all_proved && ok;
      }
      table.push_back(row);
    }
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["family"] = family_text;
    j["x_signed"] = x_signed;
    j["y_signed"] = y_signed;
    j["min_accumulations"] = accumulations;
    j["configurations"] = table;
    std::cout << j.dump(2) << "\n";
  } else {
    const models::SlicePorts ports = models::slice_ports(family);
    std::cout << family_text << ": multiplicand " << ports.multiplicand << " bits, multiplier "
              << ports.multiplier << ", P " << ports.p << "; x "
              << (x_signed ? "signed" : "unsigned") << ", y " << (y_signed ? "signed" : "unsigned")
              << "\n";
    std::cout << "x bits  y bits  products  stride  accumulations"
              << (vm.count("prove") ? "  check" : "") << "\n";
    for (const auto& row : table) {
      std::cout << std::setw(6) << row["x_bits"].get<unsigned>() << std::setw(8)
                << row["y_bits"].get<unsigned>() << std::setw(10)
                << row["products"].get<unsigned>();
      if (row["products"].get<unsigned>()) {
        std::cout << std::setw(8) << row["stride"].get<unsigned>() << std::setw(15)
                  << row["accumulations"].get<uint64_t>();
        if (row.contains("prover")) {
          std::cout << std::fixed << std::setprecision(2);
          if (row.contains("enumerated"))
            std::cout << "  all 2^" << row["operand_bits"].get<unsigned>() << ": "
                      << row["mismatching"].get<uint64_t>() << " mismatching ("
                      << row["enumeration_seconds"].get<double>() << " s);";
          std::cout << " prover " << row["prover"].get<std::string>() << " ("
                    << row["prover_seconds"].get<double>() << " s)";
          if (row.contains("first_mismatch"))
            std::cout << "; first: " << row["first_mismatch"].get<std::string>();
        }
      }
      std::cout << "\n";
    }
  }
  return all_proved ? kExitOk : kExitNotEquivalent;
}

}  // namespace lutforge::cli

#include "regress/suite.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "base/error.hpp"

namespace lutforge::regress {

namespace fs = std::filesystem;

const char* name(SourceKind k) {
  switch (k) {
    case SourceKind::Verilog: return "verilog";
    case SourceKind::Netlist: return "netlist";
    case SourceKind::Model: return "model";
    case SourceKind::Config: return "config";
    case SourceKind::Script: return "script";
  }
  return "?";
}

const char* name(StepKind k) {
  switch (k) {
    case StepKind::Train: return "train";
    case StepKind::Lower: return "lower";
    case StepKind::Verilog: return "verilog";
    case StepKind::Synth: return "synth";
    case StepKind::Equiv: return "equiv";
    case StepKind::Sim: return "sim";
    case StepKind::Stats: return "stats";
    case StepKind::Replay: return "replay";
    case StepKind::Predict: return "predict";
    case StepKind::Bench: return "bench";
  }
  return "?";
}

const char* name(Artifact a) {
  switch (a) {
    case Artifact::Verilog: return "Verilog";
    case Artifact::Netlist: return "netlist";
    case Artifact::Model: return "model file";
    case Artifact::Config: return "training configuration";
    case Artifact::Script: return "benchmark script";
    case Artifact::None: return "nothing";
  }
  return "?";
}

Artifact artifact_of(SourceKind k) {
  switch (k) {
    case SourceKind::Verilog: return Artifact::Verilog;
    case SourceKind::Netlist: return Artifact::Netlist;
    case SourceKind::Model: return Artifact::Model;
    case SourceKind::Config: return Artifact::Config;
    case SourceKind::Script: return Artifact::Script;
  }
  return Artifact::None;
}

Artifact artifact_of(StepKind k) {
  switch (k) {
    case StepKind::Train: return Artifact::Model;
    case StepKind::Lower: return Artifact::Netlist;
    case StepKind::Verilog: return Artifact::Verilog;
    case StepKind::Synth: return Artifact::Netlist;
    case StepKind::Equiv:
    case StepKind::Sim:
    case StepKind::Stats:
    case StepKind::Replay:
    case StepKind::Predict:
    case StepKind::Bench: return Artifact::None;
  }
  return Artifact::None;
}

namespace {

// The artifact a step of `kind` reads.
Artifact needs(StepKind kind) {
  switch (kind) {
    case StepKind::Train: return Artifact::Config;
    case StepKind::Lower: return Artifact::Model;
    case StepKind::Synth: return Artifact::Verilog;
    case StepKind::Verilog:
    case StepKind::Equiv:
    case StepKind::Sim:
    case StepKind::Stats:
    case StepKind::Replay:
    case StepKind::Predict: return Artifact::Netlist;
    case StepKind::Bench: return Artifact::Script;
  }
  return Artifact::None;
}

// Reads one TOML table, with the file and line in every message and unknown keys refused.
class Table {
 public:
  Table(const toml::table& t, std::string file, std::string what)
      : t_(t), file_(std::move(file)), what_(std::move(what)) {}

  std::string where(const toml::node& n) const {
    return file_ + ":" + std::to_string(n.source().begin.line);
  }
  std::string where() const { return where(t_); }
  const std::string& what() const { return what_; }

  bool has(const std::string& key) {
    asked_.insert(key);
    return t_.contains(key);
  }
  std::string str(const std::string& key, bool required = false) {
    if (!has(key)) {
      if (required) throw Error(where() + ": " + what_ + " needs '" + key + "'");
      return {};
    }
    const toml::node& n = *t_.get(key);
    if (!n.is_string() || n.value<std::string>()->empty())
      throw Error(where(n) + ": " + what_ + ": '" + key + "' must be a non-empty string");
    return *n.value<std::string>();
  }
  std::string one_of(const std::string& key, std::initializer_list<const char*> values) {
    const std::string v = str(key);
    if (v.empty()) return v;
    std::string list;
    for (const char* x : values) {
      if (v == x) return v;
      list += (list.empty() ? "" : ", ") + std::string(x);
    }
    throw Error(where(*t_.get(key)) + ": " + what_ + ": '" + key + "' is '" + v +
                "', expected one of " + list);
  }
  // An integer in [lo, hi], as text; empty when absent.
  std::string integer(const std::string& key, int64_t lo, int64_t hi) {
    if (!has(key)) return {};
    const toml::node& n = *t_.get(key);
    if (!n.is_integer() || *n.value<int64_t>() < lo || *n.value<int64_t>() > hi)
      throw Error(where(n) + ": " + what_ + ": '" + key + "' must be an integer from " +
                  std::to_string(lo) + " to " + std::to_string(hi));
    return std::to_string(*n.value<int64_t>());
  }
  std::optional<double> number(const std::string& key, double lo) {
    if (!has(key)) return std::nullopt;
    const toml::node& n = *t_.get(key);
    if (!n.is_number() || !(*n.value<double>() >= lo))
      throw Error(where(n) + ": " + what_ + ": '" + key + "' must be a number of at least " +
                  std::to_string(lo));
    return *n.value<double>();
  }
  bool boolean(const std::string& key) {
    if (!has(key)) return false;
    const toml::node& n = *t_.get(key);
    if (!n.is_boolean())
      throw Error(where(n) + ": " + what_ + ": '" + key + "' must be true or false");
    return *n.value<bool>();
  }
  // An array of strings (which may be empty); an empty list when absent.
  std::vector<std::string> strings(const std::string& key) {
    if (!has(key)) return {};
    const toml::node& n = *t_.get(key);
    const toml::array* a = n.as_array();
    std::vector<std::string> out;
    if (a)
      for (const toml::node& e : *a) {
        if (!e.is_string()) break;
        out.push_back(*e.value<std::string>());
      }
    if (!a || out.size() != a->size())
      throw Error(where(n) + ": " + what_ + ": '" + key + "' must be an array of strings");
    return out;
  }
  void reject_unknown() const {
    for (const auto& [k, n] : t_)
      if (!asked_.count(std::string(k.str())))
        throw Error(where(n) + ": " + what_ + ": unknown key '" + std::string(k.str()) + "'");
  }

 private:
  const toml::table& t_;
  std::string file_, what_;
  std::set<std::string> asked_;
};

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return s != "source";
}

std::string existing_file(Table& t, const std::string& key, const fs::path& dir) {
  const std::string rel = t.str(key);
  const fs::path p = fs::absolute(dir / rel).lexically_normal();
  if (!fs::is_regular_file(p))
    throw Error(t.where() + ": " + t.what() + ": " + key + " file '" + rel + "' does not exist (" +
                p.string() + ")");
  return p.string();
}

Step read_step(Table& t, const Case& c, const fs::path& dir) {
  Step s;
  static const std::pair<const char*, StepKind> kKinds[] = {
      {"train", StepKind::Train}, {"lower", StepKind::Lower},   {"verilog", StepKind::Verilog},
      {"synth", StepKind::Synth}, {"equiv", StepKind::Equiv},   {"sim", StepKind::Sim},
      {"stats", StepKind::Stats}, {"replay", StepKind::Replay}, {"predict", StepKind::Predict},
      {"bench", StepKind::Bench}};
  const std::string kind = t.one_of("kind", {"train", "lower", "verilog", "synth", "equiv", "sim",
                                             "stats", "replay", "predict", "bench"});
  if (kind.empty()) throw Error(t.where() + ": " + t.what() + " needs 'kind'");
  for (auto [n, k] : kKinds)
    if (kind == n) s.kind = k;
  s.name = t.has("name") ? t.str("name") : kind;
  if (!valid_name(s.name))
    throw Error(t.where() + ": " + t.what() + ": step name '" + s.name +
                "' must be letters, digits, '_' or '-', and not 'source'");
  for (const Step& e : c.steps)
    if (e.name == s.name)
      throw Error(t.where() + ": " + t.what() + ": a step named '" + s.name +
                  "' comes earlier in case '" + c.name + "'; give this one a 'name'");

  // An input names the source or an earlier step whose artifact this kind reads.
  auto artifact = [&](const std::string& ref) {
    if (ref == "source") return artifact_of(c.source_kind);
    for (const Step& e : c.steps)
      if (e.name == ref) return artifact_of(e.kind);
    throw Error(t.where() + ": " + t.what() + ": input '" + ref +
                "' is neither 'source' nor an earlier step of case '" + c.name + "'");
  };
  auto input = [&](const std::string& key, Artifact want) {
    std::string ref = t.str(key);
    // A file of the suite's own (a golden netlist or Verilog, say) instead of an artifact.
    auto ends_with = [&](const char* e) {
      const std::string x(e);
      return ref.size() > x.size() && ref.compare(ref.size() - x.size(), x.size(), x) == 0;
    };
    if (ref.find('/') != std::string::npos || ends_with(".json") || ends_with(".v") ||
        ends_with(".sv")) {
      const Artifact a = ends_with(".json")                    ? Artifact::Netlist
                         : ends_with(".v") || ends_with(".sv") ? Artifact::Verilog
                                                               : want;
      if (a != want)
        throw Error(t.where() + ": " + t.what() + ": '" + key + "' = '" + ref + "' is a " +
                    name(a) + " file, but a " + kind + " step reads a " + name(want) + " there");
      s.inputs.push_back(existing_file(t, key, dir));
      return;
    }
    if (ref.empty()) {  // the latest earlier artifact of the right kind
      for (auto it = c.steps.rbegin(); it != c.steps.rend() && ref.empty(); ++it)
        if (artifact_of(it->kind) == want) ref = it->name;
      if (ref.empty() && artifact_of(c.source_kind) == want) ref = "source";
      if (ref.empty())
        throw Error(t.where() + ": " + t.what() + ": a " + kind + " step reads a " + name(want) +
                    ", and case '" + c.name + "' has none before it; name one with '" + key + "'");
    } else if (artifact(ref) != want) {
      throw Error(t.where() + ": " + t.what() + ": '" + key + "' = '" + ref + "' is a " +
                  name(artifact(ref)) + ", but a " + kind + " step reads a " + name(want));
    }
    s.inputs.push_back(ref);
  };
  auto option = [&](const std::string& key, const std::string& value) {
    if (!value.empty()) s.options[key] = value;
  };
  switch (s.kind) {
    case StepKind::Train:
      input("input", needs(s.kind));
      option("epochs", t.integer("epochs", 1, 100000));
      if (t.has("data")) s.options["data"] = fs::absolute(dir / t.str("data")).string();
      break;
    case StepKind::Lower:
      input("input", needs(s.kind));
      option("register_every", t.integer("register_every", 1, 1000));
      option("popcount_radix", t.integer("popcount_radix", 2, 1000000));
      if (t.boolean("argmax_tree")) s.options["argmax_tree"] = "1";
      if (t.boolean("dsp_packing")) s.options["dsp_packing"] = "1";
      if (t.boolean("weights_in_bram")) s.options["weights_in_bram"] = "1";
      option("dsp_family", t.one_of("dsp_family", {"dsp48e1", "dsp48e2"}));
      option("reuse_factor", t.integer("reuse_factor", 1, 4096));
      if (t.boolean("fold")) s.options["fold"] = "1";
      option("pixel_bits", t.integer("pixel_bits", 1, 16));
      break;
    case StepKind::Verilog:
      input("input", needs(s.kind));
      option("luts", t.one_of("luts", {"shift", "blackbox", "yosys", "xilinx"}));
      if (t.boolean("adder_modules")) s.options["adder_modules"] = "1";
      break;
    case StepKind::Synth:
      input("input", needs(s.kind));
      option("target", t.one_of("target", {"generic", "xilinx", "ice40"}));
      option("lut", t.integer("lut", 2, 8));
      if (s.options.count("lut") && s.options.count("target") && s.options["target"] != "generic")
        throw Error(t.where() + ": " + t.what() + ": 'lut' applies to the generic target only");
      break;
    case StepKind::Equiv:
      if (!t.has("a") || !t.has("b"))
        throw Error(t.where() + ": " + t.what() + ": an equiv step names both sides, 'a' and 'b'");
      input("a", needs(s.kind));
      input("b", needs(s.kind));
      option("latency", t.integer("latency", 0, 1000));
      if (auto v = t.number("time_limit", 0.001)) s.options["time_limit"] = std::to_string(*v);
      option("conflicts", t.integer("conflicts", 0, INT64_MAX));
      option("expect", t.one_of("expect", {"equivalent", "not-equivalent"}));
      break;
    case StepKind::Sim:
      input("input", needs(s.kind));
      option("random", t.integer("random", 1, 100000000));
      option("seed", t.integer("seed", 0, INT64_MAX));
      option("engine", t.one_of("engine", {"batch", "systemc", "per-sample"}));
      if (t.has("vectors")) {
        if (s.options.count("random"))
          throw Error(t.where() + ": " + t.what() + ": give 'vectors' or 'random', not both");
        s.options["vectors"] = existing_file(t, "vectors", dir);
      } else if (!s.options.count("random")) {
        s.options["random"] = "1000";
      }
      break;
    case StepKind::Stats: input("input", needs(s.kind)); break;
    case StepKind::Predict:
      input("input", Artifact::Netlist);
      input("model", Artifact::Model);
      option("dataset", t.one_of("dataset", {"mnist", "jsc"}));
      if (!s.options.count("dataset")) s.options["dataset"] = "mnist";
      if (!t.has("data"))
        throw Error(t.where() + ": " + t.what() +
                    ": a predict step needs 'data', the dataset's directory (MNIST layout) or "
                    "CSV file (JSC)");
      s.options["data"] = fs::absolute(dir / t.str("data")).lexically_normal().string();
      option("limit", t.integer("limit", 1, 100000000));
      option("engine", t.one_of("engine", {"batch", "systemc", "per-sample"}));
      option("pixel_bits", t.integer("pixel_bits", 1, 16));
      break;
    case StepKind::Replay:
      input("input", Artifact::Netlist);
      input("verilog", Artifact::Verilog);
      option("random", t.integer("random", 1, 100000000));
      option("seed", t.integer("seed", 0, INT64_MAX));
      option("simulator", t.one_of("simulator", {"iverilog", "verilator"}));
      if (t.has("vectors")) {
        if (s.options.count("random"))
          throw Error(t.where() + ": " + t.what() + ": give 'vectors' or 'random', not both");
        s.options["vectors"] = existing_file(t, "vectors", dir);
      } else if (!s.options.count("random")) {
        s.options["random"] = "1000";
      }
      break;
    case StepKind::Bench:
      input("input", needs(s.kind));
      s.args = t.strings("args");
      break;
  }
  t.reject_unknown();
  return s;
}

}  // namespace

Suite read_suite(const std::string& path) {
  Suite suite;
  suite.path = fs::absolute(path).lexically_normal().string();
  const fs::path dir = fs::path(suite.path).parent_path();
  if (!fs::is_regular_file(path)) throw Error(path + ": no such suite file");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw Error(path + ":" + std::to_string(e.source().begin.line) + ": " +
                std::string(e.description()));
  }
  Table top(root, path, "the suite");
  suite.name = top.has("name") ? top.str("name") : fs::path(path).stem().string();
  if (!top.has("case"))
    throw Error(path + ": no cases; add [[case]] tables (see README.md, Regression suites)");
  const toml::array* cases = root.get("case")->as_array();
  if (!cases || !cases->is_array_of_tables())
    throw Error(top.where(*root.get("case")) + ": 'case' must be an array of tables, [[case]]");
  top.reject_unknown();

  for (const toml::node& cn : *cases) {
    const toml::table& ct = *cn.as_table();
    Table t(ct, path, "case");
    Case c;
    c.name = t.str("name", true);
    if (!valid_name(c.name))
      throw Error(t.where() + ": case name '" + c.name +
                  "' must be letters, digits, '_' or '-', and not 'source'");
    for (const Case& e : suite.cases)
      if (e.name == c.name)
        throw Error(t.where() + ": a case named '" + c.name + "' comes earlier");
    Table named(ct, path, "case '" + c.name + "'");
    int sources = 0;
    for (auto [key, kind] : {std::pair{"verilog", SourceKind::Verilog},
                             {"netlist", SourceKind::Netlist},
                             {"model", SourceKind::Model},
                             {"config", SourceKind::Config},
                             {"script", SourceKind::Script}})
      if (named.has(key)) {
        ++sources;
        c.source_kind = kind;
        // A benchmark program of the build ({build}/bench/bench_eval) is found when it runs.
        if (kind == SourceKind::Script && named.str(key).rfind("{build}/", 0) == 0)
          c.source = named.str(key);
        else
          c.source = existing_file(named, key, dir);
      }
    if (sources != 1)
      throw Error(named.where() + ": case '" + c.name +
                  "' needs exactly one source: verilog, netlist, model, config or script");
    named.has("name");
    if (c.source_kind == SourceKind::Verilog) c.top = named.str("top", true);
    if (named.has("step")) {
      const toml::array* steps = ct.get("step")->as_array();
      if (!steps || !steps->is_array_of_tables())
        throw Error(named.where() + ": case '" + c.name + "': 'step' must be [[case.step]] tables");
      for (const toml::node& sn : *steps) {
        Table st(*sn.as_table(), path,
                 "case '" + c.name + "', step " + std::to_string(c.steps.size() + 1));
        c.steps.push_back(read_step(st, c, dir));
      }
    }
    if (c.steps.empty())
      throw Error(named.where() + ": case '" + c.name + "' has no [[case.step]]");
    if (named.has("check")) {
      const toml::array* checks = ct.get("check")->as_array();
      if (!checks || !checks->is_array_of_tables())
        throw Error(named.where() + ": case '" + c.name +
                    "': 'check' must be [[case.check]] tables");
      for (const toml::node& kn : *checks) {
        Table kt(*kn.as_table(), path, "case '" + c.name + "', check");
        Check k;
        k.where = kt.where();
        const std::string metric = kt.str("metric", true);
        const size_t dot = metric.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == metric.size())
          throw Error(k.where + ": case '" + c.name + "': metric '" + metric +
                      "' must be STEP.METRIC, such as synth.luts");
        k.step = metric.substr(0, dot);
        k.metric = metric.substr(dot + 1);
        bool known = false;
        for (const Step& s : c.steps) known |= s.name == k.step;
        if (!known)
          throw Error(k.where + ": case '" + c.name + "': metric '" + metric +
                      "' names no step of the case ('" + k.step + "')");
        k.min = kt.number("min", -1e300);
        k.max = kt.number("max", -1e300);
        k.max_rel_baseline = kt.number("max_rel_baseline", 0);
        k.min_rel_baseline = kt.number("min_rel_baseline", 0);
        if (!k.min && !k.max && !k.max_rel_baseline && !k.min_rel_baseline)
          throw Error(k.where + ": case '" + c.name + "': check of '" + metric +
                      "' has no bound: min, max, max_rel_baseline or min_rel_baseline");
        kt.reject_unknown();
        c.checks.push_back(std::move(k));
      }
    }
    named.reject_unknown();
    suite.cases.push_back(std::move(c));
  }
  return suite;
}

bool matches_filter(const std::string& name, const std::string& pattern) {
  if (pattern.find_first_of("*?") == std::string::npos)
    return name.find(pattern) != std::string::npos;
  // Wildcard match with backtracking over the last '*'.
  size_t n = 0, p = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++n;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace lutforge::regress

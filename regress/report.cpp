#include "regress/report.hpp"

#include <filesystem>
#include <sstream>

#include "base/files.hpp"

namespace lutforge::regress {

namespace fs = std::filesystem;

namespace {

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') o += c;
    }
  return o;
}

std::string md_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|')
      o += "\\|";
    else if (c == '\n')
      o += ' ';
    else
      o += c;
  }
  return o;
}

// The step rows of a case in suite order, then its checks.
std::vector<StepResult> case_rows(const Case& c, const Store& store) {
  std::vector<StepResult> rows;
  for (const Step& s : c.steps)
    if (auto r = store.find(c.name, s.name)) rows.push_back(*r);
  if (auto r = store.find(c.name, "checks"); r && !c.checks.empty()) rows.push_back(*r);
  return rows;
}

std::string number(const nlohmann::ordered_json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    std::ostringstream o;
    o.precision(4);
    o << v.get<double>();
    return o.str();
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The metrics worth a column in the summary, by step kind.
std::vector<std::string> key_metrics(const std::string& kind) {
  if (kind == "synth") return {"luts", "flip_flops", "carry_cells", "dsps"};
  if (kind == "equiv") return {"result", "mode", "latency"};
  if (kind == "sim")
    return {"latency.max", "throughput.initiation_interval", "power.energy_per_inference"};
  if (kind == "stats") return {"cells.lut", "registers", "logic_depth"};
  if (kind == "train") return {"test_accuracy"};
  if (kind == "lower" || kind == "verilog") return {};
  return {};
}

}  // namespace

std::string junit_xml(const Suite& suite, const Store& store) {
  std::ostringstream body;
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double total = 0;
  for (const Case& c : suite.cases) {
    for (const StepResult& r : case_rows(c, store)) {
      ++tests;
      total += r.seconds;
      body << "  <testcase classname=\"" << xml_escape(suite.name + "." + c.name) << "\" name=\""
           << xml_escape(r.step) << "\" time=\"" << r.seconds << "\">\n";
      switch (r.status) {
        case Status::Pass: break;
        case Status::Fail:
          ++failures;
          body << "    <failure message=\"" << xml_escape(r.message) << "\"/>\n";
          break;
        case Status::Error:
          ++errors;
          body << "    <error message=\"" << xml_escape(r.message) << "\"/>\n";
          break;
        case Status::Skipped:
          ++skipped;
          body << "    <skipped message=\"" << xml_escape(r.message) << "\"/>\n";
          break;
      }
      if (!r.metrics.empty()) {
        body << "    <properties>\n";
        for (const auto& [k, v] : r.metrics.items())
          body << "      <property name=\"" << xml_escape(k) << "\" value=\""
               << xml_escape(number(v)) << "\"/>\n";
        body << "    </properties>\n";
      }
      body << "  </testcase>\n";
    }
  }
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuite name=\"" << xml_escape(suite.name) << "\" tests=\"" << tests << "\" failures=\""
    << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << total
    << "\">\n"
    << body.str() << "</testsuite>\n";
  return o.str();
}

std::string markdown_summary(const Suite& suite, const Store& store, const Store* baseline) {
  std::ostringstream o;
  size_t cases = 0, failed = 0;
  std::ostringstream tables;
  for (const Case& c : suite.cases) {
    const auto rows = case_rows(c, store);
    if (rows.empty()) continue;
    ++cases;
    bool ok = true;
    for (const auto& r : rows) ok = ok && r.status == Status::Pass;
    failed += !ok;
    tables << "\n## " << c.name << ": " << (ok ? "pass" : "**FAIL**") << "\n\n"
           << "Source: " << name(c.source_kind) << " `" << fs::path(c.source).filename().string()
           << "`" << (c.top.empty() ? "" : ", top `" + c.top + "`") << "\n\n"
           << "| step | kind | status | seconds | metrics | message |\n"
           << "|---|---|---|---|---|---|\n";
    for (const auto& r : rows) {
      std::string m;
      const auto keys = r.kind == "checks" ? std::vector<std::string>{} : key_metrics(r.kind);
      auto add = [&](const std::string& k, const nlohmann::ordered_json& v) {
        std::string cell = k + " " + number(v);
        if (baseline && v.is_number() && r.kind != "checks") {
          if (auto b = baseline->find(c.name, r.step);
              b && b->metrics.contains(k) && b->metrics[k].is_number()) {
            const double now = v.get<double>(), then = b->metrics[k].get<double>();
            if (now != then) cell += " (baseline " + number(b->metrics[k]) + ")";
          }
        }
        m += (m.empty() ? "" : ", ") + cell;
      };
      if (r.kind == "checks")
        for (const auto& [k, v] : r.metrics.items()) add(k, v);
      for (const auto& k : keys)
        if (r.metrics.contains(k)) add(k, r.metrics[k]);
      tables << "| " << r.step << " | " << r.kind << " | "
             << (r.status == Status::Pass ? "pass" : "**" + std::string(name(r.status)) + "**")
             << " | " << number(r.metrics.value("seconds", nlohmann::ordered_json(r.seconds)))
             << " | " << md_escape(m) << " | " << md_escape(r.message) << " |\n";
    }
  }
  o << "# Regression run: " << suite.name << "\n\n"
    << "Suite: `" << suite.path << "`. Runs recorded: " << store.num_runs() << ". Cases: " << cases
    << ", failed: " << failed << "." << (baseline ? " Baseline: `" + baseline->path() + "`." : "")
    << "\n"
    << tables.str();
  return o.str();
}

std::string write_reports(const Suite& suite, const std::string& run_dir, const Store& store,
                          const Store* baseline) {
  const std::string junit = (fs::path(run_dir) / "junit.xml").string();
  const std::string md = (fs::path(run_dir) / "summary.md").string();
  open_output(junit) << junit_xml(suite, store);
  open_output(md) << markdown_summary(suite, store, baseline);
  return junit + "\n" + md;
}

}  // namespace lutforge::regress

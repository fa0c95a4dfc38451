#include "regress/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>

#include "base/files.hpp"

namespace lutforge::regress {

namespace fs = std::filesystem;

namespace {

// Escaped for XML and HTML text and attribute values.
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
  if (kind == "replay") return {"replayed"};
  if (kind == "predict") return {"samples", "accuracy", "agreement", "latency.max"};
  if (kind == "lower" || kind == "verilog") return {};
  return {};
}

// The metrics of one step worth a column and a chart: its kind's, and for a benchmark (whose
// figures are its script's own) the ratios against the peer tool and the figures that the case
// checks.
std::vector<std::string> key_metrics(const Case& c, const StepResult& r) {
  if (r.kind != "bench") return key_metrics(r.kind);
  std::vector<std::string> keys;
  for (const auto& [k, v] : r.metrics.items())
    if (v.is_number() &&
        (k.find("ratio") != std::string::npos || k.find("_over_") != std::string::npos))
      keys.push_back(k);
  for (const Check& k : c.checks)
    if (k.step == r.step && std::find(keys.begin(), keys.end(), k.metric) == keys.end())
      keys.push_back(k.metric);
  return keys;
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
      const auto keys = r.kind == "checks" ? std::vector<std::string>{} : key_metrics(c, r);
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

namespace {

// +1 when a larger value is better (accuracy), -1 when smaller is better (resources, latency,
// energy, time), 0 when neither.
int better_direction(const std::string& metric) {
  if (metric.find("accuracy") != std::string::npos ||
      metric.find("samples_per_cycle") != std::string::npos)
    return +1;
  for (const char* k :
       {"luts", "flip_flops", "dsps", "brams_18k", "carry_cells", "latency", "energy", "power",
        "cells.", "logic_depth", "registers", "initiation_interval", "gates"})
    if (metric.find(k) != std::string::npos) return -1;
  return 0;
}

// A line chart of one metric over the runs, as inline SVG.
std::string svg_chart(const std::string& title, const std::vector<std::pair<int, double>>& pts) {
  const double w = 260, h = 90, l = 46, r = 8, t = 16, b = 18;
  double lo = pts[0].second, hi = pts[0].second;
  int r0 = pts[0].first, r1 = pts[0].first;
  for (auto [run, v] : pts) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    r0 = std::min(r0, run);
    r1 = std::max(r1, run);
  }
  if (hi == lo) {
    hi += 0.5 + std::abs(hi) * 0.05;
    lo -= 0.5 + std::abs(lo) * 0.05;
  }
  auto x = [&](int run) {
    return l + (r1 == r0 ? 0.5 : double(run - r0) / (r1 - r0)) * (w - l - r);
  };
  auto y = [&](double v) { return t + (1 - (v - lo) / (hi - lo)) * (h - t - b); };
  std::ostringstream o;
  o.precision(4);
  o << "<svg class=\"chart\" width=\"" << w << "\" height=\"" << h << "\" role=\"img\">"
    << "<title>" << xml_escape(title) << " by run</title>"
    << "<text x=\"" << l << "\" y=\"11\" class=\"ct\">" << xml_escape(title) << "</text>"
    << "<text x=\"" << l - 4 << "\" y=\"" << t + 4 << "\" class=\"ax\" text-anchor=\"end\">" << hi
    << "</text><text x=\"" << l - 4 << "\" y=\"" << h - b << "\" class=\"ax\" "
    << "text-anchor=\"end\">" << lo << "</text>"
    << "<text x=\"" << l << "\" y=\"" << h - 4 << "\" class=\"ax\">run " << r0 << "</text>"
    << "<text x=\"" << w - r << "\" y=\"" << h - 4 << "\" class=\"ax\" text-anchor=\"end\">run "
    << r1 << "</text><polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1.5\" points=\"";
  for (auto [run, v] : pts) o << x(run) << "," << y(v) << " ";
  o << "\"/>";
  for (auto [run, v] : pts)
    o << "<circle cx=\"" << x(run) << "\" cy=\"" << y(v) << "\" r=\"2.5\" fill=\"#2b6cb0\">"
      << "<title>run " << run << ": " << v << "</title></circle>";
  o << "</svg>";
  return o.str();
}

}  // namespace

std::string html_report(const Suite& suite, const Store& store, const Store* baseline) {
  std::ostringstream cases_html, index;
  size_t cases = 0, failed = 0, regressions = 0;
  for (const Case& c : suite.cases) {
    const auto rows = case_rows(c, store);
    if (rows.empty()) continue;
    ++cases;
    bool ok = true;
    double seconds = 0;
    for (const auto& r : rows) {
      ok = ok && r.status == Status::Pass;
      seconds += r.seconds;
    }
    failed += !ok;
    const std::string id = "case-" + c.name;
    index << "<tr class=\"" << (ok ? "pass" : "fail") << "\"><td><a href=\"#" << xml_escape(id)
          << "\">" << xml_escape(c.name) << "</a></td><td>" << (ok ? "pass" : "FAIL") << "</td><td>"
          << rows.size() << "</td><td>" << number(seconds) << "</td></tr>\n";
    std::ostringstream charts;
    cases_html << "<section class=\"case " << (ok ? "pass" : "fail") << "\" id=\"" << xml_escape(id)
               << "\" data-name=\"" << xml_escape(c.name) << "\">\n<h2>" << xml_escape(c.name)
               << " <span class=\"badge\">" << (ok ? "pass" : "FAIL") << "</span></h2>\n<p>"
               << name(c.source_kind) << " <code>"
               << xml_escape(fs::path(c.source).filename().string()) << "</code>"
               << (c.top.empty() ? "" : ", top <code>" + xml_escape(c.top) + "</code>")
               << "</p>\n<table><tr><th>step</th><th>kind</th><th>status</th><th>seconds</th>"
               << "<th>metrics</th><th>message</th></tr>\n";
    for (const auto& r : rows) {
      std::optional<StepResult> b;
      if (baseline && r.kind != "checks") b = baseline->find(c.name, r.step);
      std::string cells;
      auto add = [&](const std::string& k, const nlohmann::ordered_json& v) {
        std::string cls, note;
        if (b && b->metrics.contains(k) && b->metrics[k] != v) {
          const auto& bv = b->metrics[k];
          int worse = 0;
          if (v.is_number() && bv.is_number()) {
            const int dir = better_direction(k);
            const double d = v.get<double>() - bv.get<double>();
            worse = dir == 0 ? 0 : (d * dir < 0 ? 1 : -1);
          } else if (v.is_string()) {
            worse = 1;  // a verdict or mode that changed
          }
          cls = worse > 0 ? "regressed" : worse < 0 ? "improved" : "changed";
          regressions += worse > 0;
          note = " <span class=\"base\">(baseline " + xml_escape(number(bv)) + ")</span>";
        }
        cells += "<span class=\"m " + cls + "\">" + xml_escape(k) + " <b>" + xml_escape(number(v)) +
                 "</b>" + note + "</span> ";
      };
      if (r.kind == "checks")
        for (const auto& [k, v] : r.metrics.items()) add(k, v);
      const auto keys = r.kind == "checks" ? std::vector<std::string>{} : key_metrics(c, r);
      for (const auto& k : keys)
        if (r.metrics.contains(k)) add(k, r.metrics[k]);
      cases_html << "<tr class=\"" << name(r.status) << "\"><td>" << xml_escape(r.step)
                 << "</td><td>" << xml_escape(r.kind) << "</td><td class=\"st\">" << name(r.status)
                 << "</td><td>" << number(nlohmann::ordered_json(r.seconds)) << "</td><td>" << cells
                 << "</td><td>" << xml_escape(r.message) << "</td></tr>\n";
      // Each key metric that has been recorded in at least two runs, as a chart.
      if (r.kind == "checks") continue;
      const auto hist = store.history(c.name, r.step);
      for (const auto& k : keys) {
        std::vector<std::pair<int, double>> pts;
        for (const auto& h : hist)
          if (h.metrics.contains(k) && h.metrics[k].is_number())
            pts.emplace_back(h.run, h.metrics[k].get<double>());
        if (pts.size() >= 2) charts << svg_chart(r.step + ": " + k, pts);
      }
    }
    cases_html << "</table>\n";
    const std::string ch = charts.str();
    if (!ch.empty()) cases_html << "<div class=\"charts\">" << ch << "</div>\n";
    cases_html << "</section>\n";
  }
  std::ostringstream o;
  o << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>)"
    << xml_escape(suite.name) << R"( - lutforge regress</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1a202c; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { border: 1px solid #cbd5e0; padding: 3px 8px; text-align: left; vertical-align: top; }
tr.fail td, tr.error td { background: #fff5f5; } tr.skipped td { color: #718096; }
.badge { font-size: 0.7em; padding: 1px 6px; border-radius: 3px; background: #c6f6d5; }
section.fail .badge { background: #fed7d7; }
.m { white-space: nowrap; margin-right: 0.6em; } .regressed { color: #c53030; }
.improved { color: #2f855a; } .changed { color: #975a16; } .base { color: #718096; }
.chart { border: 1px solid #e2e8f0; margin: 4px; } .ct { font-size: 11px; } .ax { font-size: 9px; fill: #718096; }
#controls { margin: 0.5em 0; } .hidden { display: none; }
</style></head>
<body>
<h1>)"
    << xml_escape(suite.name) << R"(</h1>
<p id="totals">)"
    << cases << " cases, " << failed << " failed"
    << (baseline ? ", " + std::to_string(regressions) + " metrics worse than the baseline" : "")
    << ". Runs recorded: " << store.num_runs() << ". Suite: <code>" << xml_escape(suite.path)
    << "</code>"
    << (baseline ? ". Baseline: <code>" + xml_escape(baseline->path()) + "</code>" : "") << R"(.</p>
<div id="controls"><input id="filter" placeholder="filter cases" aria-label="filter cases">
<label><input type="checkbox" id="failed-only"> failures only</label> <span id="shown"></span></div>
<table id="index"><tr><th>case</th><th>status</th><th>steps</th><th>seconds</th></tr>
)" << index.str()
    << "</table>\n"
    << cases_html.str() << R"(<script>
(function () {
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.case"));
  var filter = document.getElementById("filter"), failedOnly = document.getElementById("failed-only");
  function update() {
    var text = filter.value.toLowerCase(), shown = 0;
    sections.forEach(function (s) {
      var show = s.dataset.name.toLowerCase().indexOf(text) >= 0 &&
                 (!failedOnly.checked || s.classList.contains("fail"));
      s.classList.toggle("hidden", !show);
      shown += show ? 1 : 0;
    });
    document.getElementById("shown").textContent = shown + " of " + sections.length + " cases shown";
  }
  filter.addEventListener("input", update);
  failedOnly.addEventListener("change", update);
  update();
  document.body.setAttribute("data-ready", String(sections.length));
})();
</script>
</body></html>
)";
  return o.str();
}

std::string write_reports(const Suite& suite, const std::string& run_dir, const Store& store,
                          const Store* baseline) {
  const std::string junit = (fs::path(run_dir) / "junit.xml").string();
  const std::string md = (fs::path(run_dir) / "summary.md").string();
  const std::string html = (fs::path(run_dir) / "report.html").string();
  open_output(junit) << junit_xml(suite, store);
  open_output(md) << markdown_summary(suite, store, baseline);
  open_output(html) << html_report(suite, store, baseline);
  return junit + "\n" + md + "\n" + html;
}

}  // namespace lutforge::regress

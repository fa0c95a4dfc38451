// Regression suites: the suite file's errors, a run through the real lutforge executable (which
// runs yosys), resuming after the runner is killed, reruns of changed inputs only, failures,
// baselines and the reports.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "base/error.hpp"
#include "models/model.hpp"
#include "regress/report.hpp"
#include "regress/store.hpp"
#include "regress/suite.hpp"
#include "tests/support/random_model.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::regress;
using test::write_text;
namespace fs = std::filesystem;

namespace {

const char* kAdder =
    "module add(input [3:0] a, input [3:0] b, output [4:0] y);\n"
    "  assign y = a + b;\n"
    "endmodule\n";
const char* kMult =
    "module mult(input [4:0] a, input [4:0] b, output [9:0] y);\n"
    "  assign y = a * b;\n"
    "endmodule\n";
// The multiplier with its result's bit 3 inverted: a different function.
const char* kMultBroken =
    "module mult(input [4:0] a, input [4:0] b, output [9:0] y);\n"
    "  assign y = (a * b) ^ 10'd8;\n"
    "endmodule\n";

// A case that synthesizes a design at gate level and to 6-LUTs, proves the two equivalent and
// simulates the LUT netlist.
std::string flow_case(const std::string& name, const std::string& file, const std::string& top) {
  return "[[case]]\nname = \"" + name + "\"\nverilog = \"" + file + "\"\ntop = \"" + top +
         "\"\n"
         "  [[case.step]]\n  kind = \"synth\"\n  name = \"gates\"\n"
         "  [[case.step]]\n  kind = \"synth\"\n  name = \"lut6\"\n  lut = 6\n"
         "  [[case.step]]\n  kind = \"equiv\"\n  a = \"gates\"\n  b = \"lut6\"\n"
         "  [[case.step]]\n  kind = \"sim\"\n  random = 300\n";
}

// "N steps run, M reused" from the command's summary line.
std::pair<int, int> steps_run_reused(const std::string& out) {
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("(\\d+) steps run, (\\d+) reused")));
  return {std::stoi(m[1]), std::stoi(m[2])};
}

std::string suite_error(const fs::path& dir, const std::string& text) {
  write_text(dir / "bad.toml", text);
  return test::error_of([&] { read_suite((dir / "bad.toml").string()); });
}

}  // namespace

TEST_CASE("suite files: every mistake is an error naming the file, the line and the key",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_suite_errors");
  write_text(dir / "add.v", kAdder);
  const std::string head = "[[case]]\nname = \"c\"\nverilog = \"add.v\"\ntop = \"add\"\n";
  const std::string f = (dir / "bad.toml").string();
  CHECK(suite_error(dir, "name = \"x\"\n") ==
        f + ": no cases; add [[case]] tables (see README.md, Regression suites)");
  CHECK(suite_error(dir, "[[case]]\nname = \"c\"\nverilog = \"nope.v\"\ntop = \"t\"\n")
            .find(f + ":1: case 'c': verilog file 'nope.v' does not exist") == 0);
  CHECK(suite_error(dir, "[[case]]\nname = \"c\"\n") ==
        f + ":1: case 'c' needs exactly one source: verilog, netlist, model, config or script");
  CHECK(suite_error(dir, head) == f + ":1: case 'c' has no [[case.step]]");
  CHECK(suite_error(dir, head + "colour = 1\n[[case.step]]\nkind = \"synth\"\n") ==
        f + ":5: case 'c': unknown key 'colour'");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"route\"\n") ==
        f + ":6: case 'c', step 1: 'kind' is 'route', expected one of train, lower, verilog, "
            "synth, equiv, sim, stats, replay, predict, bench");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\nlut = 12\n") ==
        f + ":7: case 'c', step 1: 'lut' must be an integer from 2 to 8");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\n[[case.step]]\nkind = "
                                "\"synth\"\n") ==
        f + ":7: case 'c', step 2: a step named 'synth' comes earlier in case 'c'; give this one "
            "a 'name'");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"sim\"\n") ==
        f + ":5: case 'c', step 1: a sim step reads a netlist, and case 'c' has none before it; "
            "name one with 'input'");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\n[[case.step]]\nkind = "
                                "\"equiv\"\na = \"synth\"\nb = \"source\"\n") ==
        f + ":7: case 'c', step 2: 'b' = 'source' is a Verilog, but a equiv step reads a netlist");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\n[[case.step]]\nkind = "
                                "\"equiv\"\na = \"synth\"\nb = \"synth\"\nconflicts = -1\n")
            .find(f + ":11: case 'c', step 2: 'conflicts' must be an integer from 0 to") == 0);
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"equiv\"\na = \"x\"\nb = \"y\"\n") ==
        f + ":5: case 'c', step 1: input 'x' is neither 'source' nor an earlier step of case 'c'");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\n[[case.check]]\nmetric = "
                                "\"luts\"\nmax = 3\n") ==
        f + ":7: case 'c': metric 'luts' must be STEP.METRIC, such as synth.luts");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\n[[case.check]]\nmetric = "
                                "\"synth.luts\"\n") ==
        f + ":7: case 'c': check of 'synth.luts' has no bound: min, max, max_rel_baseline or "
            "min_rel_baseline");
  CHECK(suite_error(dir, head + "[[case.step]]\nkind = \"synth\"\n" + head) ==
        f + ":7: a case named 'c' comes earlier");
  CHECK(suite_error(dir, "[[case]]\nname = 3\n") ==
        f + ":2: case: 'name' must be a non-empty string");
  CHECK(suite_error(dir, "[[case]\n").find(f + ":1: ") == 0);
  CHECK(test::error_of([&] { read_suite((dir / "none.toml").string()); }) ==
        (dir / "none.toml").string() + ": no such suite file");

  // Defaults: a step reads the latest earlier artifact of the kind it needs.
  write_text(dir / "ok.toml", head +
                                  "[[case.step]]\nkind = \"synth\"\n[[case.step]]\nkind = "
                                  "\"verilog\"\n[[case.step]]\nkind = \"synth\"\nname = \"again\""
                                  "\n[[case.step]]\nkind = \"sim\"\n");
  const Suite s = read_suite((dir / "ok.toml").string());
  REQUIRE(s.cases.size() == 1);
  REQUIRE(s.cases[0].steps.size() == 4);
  CHECK(s.cases[0].steps[0].inputs == std::vector<std::string>{"source"});
  CHECK(s.cases[0].steps[1].inputs == std::vector<std::string>{"synth"});
  CHECK(s.cases[0].steps[2].inputs == std::vector<std::string>{"verilog"});
  CHECK(s.cases[0].steps[3].inputs == std::vector<std::string>{"again"});
  CHECK(s.cases[0].steps[3].options.at("random") == "1000");
  CHECK(s.name == "ok");
}

TEST_CASE("filters: wildcards, or a substring without them", "[regress]") {
  CHECK(matches_filter("mnist_polylut", "polylut"));
  CHECK(matches_filter("mnist_polylut", "mnist_*"));
  CHECK(matches_filter("mnist_polylut", "*_poly?ut"));
  CHECK_FALSE(matches_filter("mnist_polylut", "jsc_*"));
  CHECK_FALSE(matches_filter("mnist_polylut", "poly*"));
  CHECK(matches_filter("a", "*"));
}

TEST_CASE("a suite runs, resumes after the runner is killed, and reruns only changed inputs",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_run");
  write_text(dir / "add.v", kAdder);
  write_text(dir / "mult.v", kMult);
  std::string suite = "name = \"flows\"\n";
  for (int i = 0; i < 3; ++i) {
    suite += flow_case("add" + std::to_string(i), "add.v", "add");
    suite += flow_case("mult" + std::to_string(i), "mult.v", "mult");
  }
  write_text(dir / "flows.toml", suite);
  const int total_steps = 6 * 4;
  const fs::path run = dir / "run";

  // Kill the runner once some steps have finished, and before all have.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string s = (dir / "flows.toml").string(), o = run.string();
    execl(LUTFORGE_BIN, LUTFORGE_BIN, "regress", s.c_str(), "-o", o.c_str(), "-j", "1",
          "--no-progress", static_cast<char*>(nullptr));
    _exit(127);
  }
  size_t finished_before_kill = 0;
  for (int i = 0; i < 3000 && finished_before_kill < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!fs::exists(run / "results.db")) continue;
    try {
      finished_before_kill = Store((run / "results.db").string(), true).all().size();
    } catch (const Error&) {  // the tables are being created
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const auto before = Store((run / "results.db").string(), true).all();
  INFO(before.size() << " steps had finished when the runner was killed");
  REQUIRE(before.size() >= 3);
  REQUIRE(before.size() < size_t(total_steps));
  CHECK(!fs::exists(run / "junit.xml"));

  // The same command resumes: every finished step is reused, the others run.
  const auto resumed = test::run_lutforge("regress " + (dir / "flows.toml").string() + " -o " +
                                          run.string() + " -j 2 --no-progress");
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  auto [ran, reused] = steps_run_reused(resumed.out);
  CHECK(reused == int(before.size()));
  CHECK(ran + reused == total_steps);
  const auto after = Store((run / "results.db").string(), true).all();
  REQUIRE(after.size() == size_t(total_steps));
  for (const auto& b : before)
    for (const auto& a : after)
      if (a.case_name == b.case_name && a.step == b.step) {
        CHECK(a.run == 1);  // not rerun
        CHECK(a.input_hash == b.input_hash);
      }
  for (const auto& a : after) {
    CHECK(a.status == Status::Pass);
    if (a.kind == "equiv") CHECK(a.metrics.at("result") == "EQUIVALENT");
  }

  // Nothing changed: nothing runs.
  auto again = test::run_lutforge("regress " + (dir / "flows.toml").string() + " -o " +
                                  run.string() + " --no-progress");
  REQUIRE(again.exit_code == 0);
  CHECK(steps_run_reused(again.out) == std::pair{0, total_steps});

  // A comment changes the design's bytes: its three cases synthesize again, but the netlists
  // come out byte-identical, so the steps after synthesis are reused. The filter narrows the run.
  write_text(dir / "add.v", std::string(kAdder) + "// a comment changes the bytes\n");
  again = test::run_lutforge("regress " + (dir / "flows.toml").string() + " -o " + run.string() +
                             " --no-progress --filter 'add*'");
  REQUIRE(again.exit_code == 0);
  CHECK(steps_run_reused(again.out) == std::pair{6, 6});
  // A changed function reruns every step of those cases.
  write_text(dir / "add.v",
             std::string(kAdder).replace(std::string(kAdder).find("a + b"), 5, "a + b + 1"));
  again = test::run_lutforge("regress " + (dir / "flows.toml").string() + " -o " + run.string() +
                             " --no-progress --filter 'add*'");
  REQUIRE(again.exit_code == 0);
  CHECK(steps_run_reused(again.out) == std::pair{12, 0});
  again = test::run_lutforge("regress " + (dir / "flows.toml").string() + " -o " + run.string() +
                             " --no-progress");
  CHECK(steps_run_reused(again.out) == std::pair{0, total_steps});

  // The reports: JUnit with one testcase per step, a Markdown table per case.
  const std::string junit = test::read_text(run / "junit.xml");
  CHECK(junit.find("<testsuite name=\"flows\" tests=\"24\" failures=\"0\" errors=\"0\"") !=
        std::string::npos);
  CHECK(junit.find("classname=\"flows.mult2\" name=\"equiv\"") != std::string::npos);
  const std::string md = test::read_text(run / "summary.md");
  CHECK(md.find("Cases: 6, failed: 0.") != std::string::npos);
  CHECK(md.find("## add0: pass") != std::string::npos);
  CHECK(md.find("result EQUIVALENT") != std::string::npos);

  // A run directory belongs to one suite.
  write_text(dir / "other.toml", suite);
  const auto other = test::run_lutforge("regress " + (dir / "other.toml").string() + " -o " +
                                        run.string() + " --no-progress");
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("this run directory belongs to suite") != std::string::npos);
}

TEST_CASE("failures: a refuted equivalence, an expected difference, a failed step, a baseline",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_failures");
  write_text(dir / "mult.v", kMult);
  write_text(dir / "broken.v", kMultBroken);
  write_text(dir / "broken_syntax.v", "module mult(input a, output y); assign y = ; endmodule\n");
  const std::string suite =
      "[[case]]\nname = \"ref\"\nverilog = \"mult.v\"\ntop = \"mult\"\n"
      "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
      "  [[case.check]]\n  metric = \"synth.luts\"\n  max_rel_baseline = 0.02\n"
      "[[case]]\nname = \"mutant\"\nverilog = \"broken.v\"\ntop = \"mult\"\n"
      "  [[case.step]]\n  kind = \"synth\"\n  name = \"gates\"\n"
      "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
      "  [[case.step]]\n  kind = \"equiv\"\n  a = \"gates\"\n  b = \"synth\"\n"
      "[[case]]\nname = \"syntax\"\nverilog = \"broken_syntax.v\"\ntop = \"mult\"\n"
      "  [[case.step]]\n  kind = \"synth\"\n"
      "  [[case.step]]\n  kind = \"stats\"\n";
  write_text(dir / "s.toml", suite);
  const auto base = test::run_lutforge("regress " + (dir / "s.toml").string() + " -o " +
                                       (dir / "base").string() + " --no-progress");
  INFO(base.out << base.err);
  CHECK(base.exit_code == 1);  // the syntax error fails its case
  CHECK(base.out.find("2 of 3 cases passed, 1 failed") != std::string::npos);
  const std::string junit = test::read_text(dir / "base" / "junit.xml");
  CHECK(junit.find("errors=\"1\" skipped=\"1\"") != std::string::npos);
  CHECK(junit.find("<skipped message=\"input &apos;synth&apos; was not produced\"/>") !=
        std::string::npos);

  // The mutant against its own synthesis is equivalent; against the reference it is not, and
  // both a plain equiv (fails) and one that expects the difference (passes) say so.
  const std::string cross =
      "[[case]]\nname = \"ref\"\nverilog = \"mult.v\"\ntop = \"mult\"\n"
      "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
      "  [[case.check]]\n  metric = \"synth.luts\"\n  max_rel_baseline = 0.02\n"
      "  [[case.check]]\n  metric = \"synth.luts\"\n  max = 1\n";
  write_text(dir / "mult.v",
             std::string(kMult).replace(std::string(kMult).find("a * b"), 5, "a * b + a"));
  write_text(dir / "cross.toml", cross);
  const auto grown = test::run_lutforge("regress " + (dir / "cross.toml").string() + " -o " +
                                        (dir / "grown").string() + " --no-progress --baseline " +
                                        (dir / "base").string());
  INFO(grown.out << grown.err);
  CHECK(grown.exit_code == 1);
  CHECK(grown.err.find("% above the baseline's") != std::string::npos);
  CHECK(grown.err.find("> max 1") != std::string::npos);
  const std::string md = test::read_text(dir / "grown" / "summary.md");
  CHECK(md.find("## ref: **FAIL**") != std::string::npos);
  CHECK(md.find("(baseline ") != std::string::npos);

  const auto missing =
      test::run_lutforge("regress " + (dir / "cross.toml").string() + " -o " +
                         (dir / "x").string() + " --baseline " + (dir / "nowhere").string());
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--baseline " + (dir / "nowhere").string() + ": no results.db") !=
        std::string::npos);
}

TEST_CASE("equiv steps: NOT EQUIVALENT fails unless expected, against a golden netlist file",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_equiv");
  write_text(dir / "mult.v", kMult);
  write_text(dir / "broken.v", kMultBroken);
  REQUIRE(test::run_lutforge("synth " + (dir / "mult.v").string() + " --top mult -o " +
                             (dir / "golden.json").string())
              .exit_code == 0);
  const std::string steps =
      "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
      "  [[case.step]]\n  kind = \"equiv\"\n  a = \"golden.json\"\n  b = \"synth\"\n";
  write_text(dir / "e.toml",
             "[[case]]\nname = \"good\"\nverilog = \"mult.v\"\ntop = \"mult\"\n" + steps +
                 "[[case]]\nname = \"mutant\"\nverilog = \"broken.v\"\ntop = \"mult\"\n" + steps +
                 "[[case]]\nname = \"mutant_expected\"\nverilog = \"broken.v\"\n"
                 "top = \"mult\"\n" +
                 steps + "  expect = \"not-equivalent\"\n");
  const auto e = test::run_lutforge("regress " + (dir / "e.toml").string() + " -o " +
                                    (dir / "run").string() + " --no-progress -j 2");
  INFO(e.out << e.err);
  CHECK(e.exit_code == 1);
  CHECK(e.out.find("2 of 3 cases passed, 1 failed") != std::string::npos);
  const Store store((dir / "run" / "results.db").string(), true);
  const auto good = store.find("good", "equiv");
  const auto mutant = store.find("mutant", "equiv");
  const auto expected = store.find("mutant_expected", "equiv");
  REQUIRE(good);
  REQUIRE(mutant);
  REQUIRE(expected);
  CHECK(good->status == Status::Pass);
  CHECK(good->metrics.at("result") == "EQUIVALENT");
  CHECK(mutant->status == Status::Fail);
  CHECK(mutant->message == "NOT EQUIVALENT, expected EQUIVALENT");
  CHECK(expected->status == Status::Pass);
  CHECK(expected->metrics.at("result") == "NOT EQUIVALENT");
  CHECK(test::read_text(dir / "run" / "junit.xml")
            .find("<failure message=\"NOT EQUIVALENT, expected EQUIVALENT\"/>") !=
        std::string::npos);
}

namespace {

struct Rendered {
  std::string dom;                          // the DOM after the page's scripts ran
  std::vector<std::string> console_errors;  // uncaught exceptions and console errors
};

// Renders a page in headless Chromium, as the machine's notes say to start it (no sandbox as
// root, no background networking), and returns its DOM and the page's console errors.
Rendered render(const fs::path& page, const fs::path& scratch) {
  const fs::path profile = scratch / "chromium-profile";
  fs::remove_all(profile);
  const auto r = test::run(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=" +
      profile.string() + " --enable-logging=stderr --v=0 --dump-dom file://" + page.string());
  INFO(r.err.substr(0, 3000));
  REQUIRE(r.exit_code == 0);
  Rendered out;
  out.dom = r.out;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);)
    if (line.find("CONSOLE") != std::string::npos &&
        (line.find("Uncaught") != std::string::npos || line.find("Error") != std::string::npos))
      out.console_errors.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("the HTML report renders in headless Chromium without script errors, every case shown",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_html");
  // The detector itself: a page whose script throws is caught.
  write_text(dir / "broken.html", "<html><body><script>notDefined();</script></body></html>");
  CHECK(!render(dir / "broken.html", dir).console_errors.empty());

  write_text(dir / "add.v", kAdder);
  write_text(dir / "mult.v", kMult);
  std::string suite = flow_case("add", "add.v", "add") + flow_case("mult", "mult.v", "mult") +
                      "  [[case.check]]\n  metric = \"lut6.luts\"\n  max_rel_baseline = 0.5\n";
  write_text(dir / "s.toml", suite);
  const std::string cmd = "regress " + (dir / "s.toml").string() + " --no-progress -o ";
  REQUIRE(test::run_lutforge(cmd + (dir / "base").string()).exit_code == 0);
  REQUIRE(test::run_lutforge(cmd + (dir / "run").string()).exit_code == 0);
  // The multiplier grows: its LUTs rise above the baseline's, in the second run of "run".
  write_text(dir / "mult.v",
             std::string(kMult).replace(std::string(kMult).find("a * b"), 5, "a * b * a"));
  const auto second =
      test::run_lutforge(cmd + (dir / "run").string() + " --baseline " + (dir / "base").string());
  INFO(second.out << second.err);
  CHECK(second.exit_code == 1);

  const Rendered page = render(dir / "run" / "report.html", dir);
  CHECK(page.console_errors.empty());
  CHECK(page.dom.find("data-ready=\"2\"") != std::string::npos);  // the script ran to its end
  for (const char* c : {"add", "mult"})
    CHECK(page.dom.find(std::string("id=\"case-") + c + "\" data-name=") != std::string::npos);
  CHECK(page.dom.find("2 of 2 cases shown") != std::string::npos);
  CHECK(page.dom.find("class=\"m regressed\"") != std::string::npos);
  CHECK(page.dom.find("<svg class=\"chart\"") != std::string::npos);  // luts over two runs
  CHECK(page.dom.find("more than 50% above the baseline") != std::string::npos);
}

TEST_CASE("replay steps: lutforge's outputs replayed on the Verilog in iverilog and Verilator",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_replay");
  write_text(dir / "mult.v", kMult);
  write_text(dir / "broken.v", kMultBroken);
  write_text(dir / "r.toml",
             "[[case]]\nname = \"iverilog\"\nverilog = \"mult.v\"\ntop = \"mult\"\n"
             "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
             "  [[case.step]]\n  kind = \"replay\"\n  random = 200\n"
             "[[case]]\nname = \"verilator\"\nverilog = \"mult.v\"\ntop = \"mult\"\n"
             "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
             "  [[case.step]]\n  kind = \"replay\"\n  simulator = \"verilator\"\n"
             // The netlist of the broken multiplier replayed on the right one: a mismatch.
             "[[case]]\nname = \"mismatch\"\nverilog = \"broken.v\"\ntop = \"mult\"\n"
             "  [[case.step]]\n  kind = \"synth\"\n  lut = 6\n"
             "  [[case.step]]\n  kind = \"verilog\"\n  input = \"synth\"\n"
             "  [[case.step]]\n  kind = \"replay\"\n  input = \"synth\"\n"
             "  verilog = \"verilog\"\n"
             "  [[case.step]]\n  kind = \"replay\"\n  name = \"on_golden\"\n"
             "  input = \"synth\"\n  verilog = \"mult.v\"\n");
  const auto r = test::run_lutforge("regress " + (dir / "r.toml").string() + " -o " +
                                    (dir / "run").string() + " --no-progress -j 2");
  INFO(r.out << r.err);
  const Store store((dir / "run" / "results.db").string(), true);
  for (const auto& [c, step, status] : std::vector<std::tuple<std::string, std::string, Status>>{
           {"iverilog", "replay", Status::Pass},
           {"verilator", "replay", Status::Pass},
           {"mismatch", "replay", Status::Pass},  // its own netlist's Verilog
           {"mismatch", "on_golden", Status::Fail}}) {
    const auto res = store.find(c, step);
    REQUIRE(res);
    INFO(c << "." << step << ": " << res->message);
    CHECK(res->status == status);
    CHECK(res->metrics.at("replayed") == (status == Status::Pass ? "PASS" : "FAIL"));
  }
  CHECK(store.find("mismatch", "on_golden")->message.find("the testbench did not pass") == 0);
  CHECK(r.exit_code == 1);

  // A changed design replays again, over the testbench directory of the first run.
  write_text(dir / "mult.v",
             std::string(kMult).replace(std::string(kMult).find("a * b"), 5, "a * b + 1"));
  const auto again =
      test::run_lutforge("regress " + (dir / "r.toml").string() + " -o " + (dir / "run").string() +
                         " --no-progress --filter iverilog");
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  const auto replayed = store.find("iverilog", "replay");
  REQUIRE(replayed);
  CHECK(replayed->run == 2);
  CHECK(replayed->status == Status::Pass);
}

TEST_CASE("the bundled suites read, and the demo's Verilog case passes", "[regress]") {
  const std::string suite = std::string(LUTFORGE_SOURCE_DIR) + "/regress/suites/demo.toml";
  const Suite s = read_suite(suite);
  REQUIRE(s.cases.size() == 2);
  CHECK(s.cases[0].name == "polylut");
  CHECK(s.cases[0].source_kind == SourceKind::Config);
  CHECK(s.cases[1].name == "bnn_layer");
  // The suite behind BENCHMARKS.md's model-flow table reads too: a case per configuration.
  const Suite models = read_suite(std::string(LUTFORGE_SOURCE_DIR) + "/regress/suites/models.toml");
  size_t configs = 0;
  for (const auto& e : fs::directory_iterator(std::string(LUTFORGE_SOURCE_DIR) + "/configs"))
    configs += e.path().extension() == ".toml";
  CHECK(models.cases.size() == configs);
  // Gate networks add the pipelined lowering whose proof goes through (the learned-connection
  // one has only that); MAC networks have a flow of their own (a reuse factor, synth_xilinx,
  // per-sample prediction), and so do DWN and LUTNet networks (the pixel encoder, pipelined
  // popcounts, SystemC).
  for (const auto& c : models.cases)
    CHECK(c.steps.size() == (c.name.find("-learned") != std::string::npos    ? 10u
                             : c.name.find("difflogic") != std::string::npos ? 16u
                             : c.name.find("-mac-") != std::string::npos     ? 7u
                             : c.name.find("-dwn") != std::string::npos      ? 7u
                             : c.name.find("-lutnet") != std::string::npos   ? 7u
                                                                             : 11u));
  for (const auto& c : models.cases)
    if (c.name.find("-dwn") != std::string::npos ||
        c.name.find("-lutnet") != std::string::npos) {  // lowering and prediction read 8-bit pixels
      INFO(c.name);
      CHECK(c.steps[1].options.at("pixel_bits") == "8");
      CHECK(c.steps[5].options.at("pixel_bits") == "8");
    }
  // The benchmarks' suite: one benchmark per case, each script in the repository or the build.
  const Suite bench =
      read_suite(std::string(LUTFORGE_SOURCE_DIR) + "/regress/suites/benchmarks.toml");
  CHECK(bench.cases.size() >= 6);
  const fs::path build = fs::path(LUTFORGE_BIN).parent_path().parent_path();
  for (const auto& c : bench.cases) {
    INFO(c.name);
    CHECK(c.source_kind == SourceKind::Script);
    for (const auto& st : c.steps) CHECK(st.kind == StepKind::Bench);
    if (c.source.rfind("{build}/", 0) == 0) {
      // The programs of the build that need SystemC are only built with it.
      if (c.name != "sim-verilator") CHECK(fs::exists(build / c.source.substr(8)));
    } else {
      CHECK(access(c.source.c_str(), X_OK) == 0);
    }
  }
  // The trained case needs the demo's generated images (scripts/demo.sh); this one needs nothing.
  const fs::path dir = test::temp_dir("regress_demo");
  const auto r = test::run_lutforge("regress " + suite + " -o " + (dir / "run").string() +
                                    " --filter bnn_layer --no-progress");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("1 of 1 cases passed") != std::string::npos);
}

TEST_CASE("bench steps: a script's figures become metrics, with placeholders and errors",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_bench");
  // A benchmark that counts the words of a file and writes how many, and the arguments it got.
  write_text(dir / "count.sh",
             "#!/bin/sh\nset -e\nmkdir -p \"$2\"\nwords=$(wc -w < \"$3\")\n"
             "[ -x \"$1/apps/lutforge\" ] && built=1 || built=0\n"
             "echo \"| words | $words |\"\n"
             "printf '{\"words\": %d, \"build_has_lutforge\": %d, \"tag\": \"%s\", "
             "\"deep\": {\"x\": 2}}' \"$words\" \"$built\" \"$4\" > \"$2/figures.json\"\n");
  fs::permissions(dir / "count.sh", fs::perms::owner_exec, fs::perm_options::add);
  write_text(dir / "text.txt", "one two three four five\n");
  write_text(dir / "plain.sh", "#!/bin/sh\n");
  auto bench_case = [&](const std::string& name, const std::string& script, const std::string& args,
                        const std::string& checks = "") {
    return "[[case]]\nname = \"" + name + "\"\nscript = \"" + script +
           "\"\n[[case.step]]\nkind = \"bench\"\nargs = [" + args + "]\n" +
           "[[case.step]]\nkind = \"bench\"\nname = \"again\"\nargs = [" + args + "]\n" + checks;
  };
  const std::string args =
      "\"{build}\", \"{out}\", \"" + (dir / "text.txt").string() + "\", \"{env:LF_BENCH_TAG}\"";
  write_text(dir / "b.toml",
             bench_case("counts", "count.sh", args,
                        "[[case.check]]\nmetric = \"bench.words\"\nmin = 5\nmax = 5\n") +
                 bench_case("too_few", "count.sh", args,
                            "[[case.check]]\nmetric = \"again.words\"\nmin = 6\n") +
                 bench_case("placeholder", "count.sh", "\"{bulid}\"") +
                 bench_case("not_executable", "plain.sh", "\"x\""));
  auto run = [&] {
    return test::run_lutforge("regress " + (dir / "b.toml").string() + " -o " +
                              (dir / "run").string() + " --no-progress");
  };
  unsetenv("LF_BENCH_TAG");
  auto r = run();
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  Store store((dir / "run" / "results.db").string(), true);
  CHECK(store.find("counts", "bench")->message ==
        "the environment variable LF_BENCH_TAG is not set (argument '{env:LF_BENCH_TAG}')");
  CHECK(store.find("placeholder", "bench")->message.find("unknown placeholder {bulid}") == 0);
  CHECK(store.find("not_executable", "bench")->message ==
        (dir / "plain.sh").string() + " is not an executable file");

  setenv("LF_BENCH_TAG", "first", 1);
  r = run();
  CHECK(r.exit_code == 1);  // too_few fails its check, the others of its kind pass
  for (const char* c : {"counts", "too_few"})
    for (const char* st : {"bench", "again"}) {
      const auto res = store.find(c, st);
      REQUIRE(res);
      CHECK(res->status == Status::Pass);
      CHECK(res->metrics.at("words") == 5);
      CHECK(res->metrics.at("build_has_lutforge") == 1);
      CHECK(res->metrics.at("tag") == "first");
      CHECK(res->metrics.at("deep.x") == 2);
      // Each step's work files stay apart: its figures and its printed table.
      CHECK(fs::exists(dir / "run" / "cases" / c / st / "figures.json"));
      CHECK(test::read_text(dir / "run" / "cases" / c / (std::string(st) + ".out")) ==
            "| words | 5 |\n");
    }
  CHECK(store.find("counts", "checks")->status == Status::Pass);
  CHECK(store.find("too_few", "checks")->message == "again.words = 5 < min 6");
  // The summary shows a benchmark's checked figures.
  CHECK(test::read_text(dir / "run" / "summary.md").find("| bench | bench | pass | ") !=
        std::string::npos);
  CHECK(test::read_text(dir / "run" / "summary.md").find("| words 5 |") != std::string::npos);

  // Unchanged inputs are reused; a changed variable runs the steps again.
  r = run();
  CHECK(steps_run_reused(r.out).second >= 4);
  setenv("LF_BENCH_TAG", "second", 1);
  r = run();
  CHECK(store.find("counts", "bench")->metrics.at("tag") == "second");
  unsetenv("LF_BENCH_TAG");
}

TEST_CASE("a bundled benchmark through a bench step: lutforge equiv against ABC on 150 LUTs",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_bench_equiv");
  write_text(dir / "b.toml", "[[case]]\nname = \"equiv\"\nscript = \"" +
                                 std::string(LUTFORGE_SOURCE_DIR) +
                                 "/bench/bench_equiv.sh\"\n[[case.step]]\nkind = \"bench\"\n"
                                 "args = [\"{build}\", \"{out}\", \"150\"]\n"
                                 "[[case.check]]\nmetric = \"bench.n150.best_abc_over_lutforge\"\n"
                                 "min = 1\n");
  const auto r = test::run_lutforge("regress " + (dir / "b.toml").string() + " -o " +
                                    (dir / "run").string() + " --no-progress");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  Store store((dir / "run" / "results.db").string(), true);
  const auto res = store.find("equiv", "bench");
  REQUIRE(res);
  CHECK(res->metrics.at("n150.lutforge_answer") == "EQUIVALENT");
  CHECK(res->metrics.at("n150.abc_cec_s").get<double>() > 0);
  CHECK(res->metrics.at("n150.abc_all_timed_out") == false);
}

TEST_CASE("predict steps: the netlist on a dataset split, against models/'s reference",
          "[regress]") {
  const fs::path dir = test::temp_dir("regress_predict");
  // 60 random 4x4 images with labels 0..9, in MNIST's layout.
  std::mt19937_64 rng(5);
  std::vector<uint8_t> pixels(60 * 16), labels(60);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng());
  for (auto& l : labels) l = static_cast<uint8_t>(rng() % 10);
  fs::create_directories(dir / "data");
  write_text(dir / "data" / "t10k-images-idx3-ubyte", test::idx_bytes(8, {60, 4, 4}, pixels));
  write_text(dir / "data" / "t10k-labels-idx1-ubyte", test::idx_bytes(8, {60}, labels));
  write_text(dir / "m.lfm.json",
             models::write_model(test::random_model({12, 10}, 16, 3, 2, 0, 7, 0.0f, 1.0f)));
  write_text(dir / "other.lfm.json",
             models::write_model(test::random_model({12, 10}, 16, 3, 2, 0, 8, 0.0f, 1.0f)));
  REQUIRE(test::run_lutforge("lower " + (dir / "other.lfm.json").string() + " -o " +
                             (dir / "other.json").string())
              .exit_code == 0);
  write_text(dir / "p.toml",
             "[[case]]\nname = \"same\"\nmodel = \"m.lfm.json\"\n"
             "  [[case.step]]\n  kind = \"lower\"\n"
             "  [[case.step]]\n  kind = \"predict\"\n  data = \"data\"\n"
             "  [[case.step]]\n  kind = \"lower\"\n  name = \"piped\"\n  register_every = 1\n"
             "  [[case.step]]\n  kind = \"predict\"\n  name = \"piped_predict\"\n"
             "  data = \"data\"\n  engine = \"systemc\"\n  limit = 40\n"
             "  [[case.step]]\n  kind = \"lower\"\n  name = \"tree\"\n  register_every = 1\n"
             "  argmax_tree = true\n"
             "  [[case.step]]\n  kind = \"predict\"\n  name = \"tree_predict\"\n"
             "  data = \"data\"\n  engine = \"systemc\"\n  limit = 40\n"
             "[[case]]\nname = \"other\"\nmodel = \"m.lfm.json\"\n"
             "  [[case.step]]\n  kind = \"predict\"\n  input = \"other.json\"\n"
             "  data = \"data\"\n");
  const auto r = test::run_lutforge("regress " + (dir / "p.toml").string() + " -o " +
                                    (dir / "run").string() + " --no-progress");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const Store store((dir / "run" / "results.db").string(), true);
  const auto same = store.find("same", "predict");
  REQUIRE(same);
  CHECK(same->status == Status::Pass);
  CHECK(same->metrics.at("samples") == 60);
  CHECK(same->metrics.at("agreement") == 1.0);
  // The accuracy against the labels, counted here from the reference (which equals the netlist).
  const auto ref =
      test::csv_column(dir / "run" / "cases" / "same" / "predict.reference.csv", "prediction");
  size_t right = 0;
  for (size_t i = 0; i < ref.size(); ++i) right += ref[i] == std::to_string(labels[i]);
  CHECK(same->metrics.at("accuracy").get<double>() == Approx(double(right) / 60));
  const auto piped = store.find("same", "piped_predict");
  REQUIRE(piped);
  CHECK(piped->status == Status::Pass);
  CHECK(piped->metrics.at("samples") == 40);
  CHECK(piped->metrics.at("latency.max") == 2);  // a register rank after each of the 2 layers
  const auto tree = store.find("same", "tree_predict");
  REQUIRE(tree);
  CHECK(tree->status == Status::Pass);
  CHECK(tree->metrics.at("agreement") == 1.0);
  CHECK(tree->metrics.at("latency.max") == 2 + 4);  // and one per level of the 10-class tree
  const auto other = store.find("other", "predict");
  REQUIRE(other);
  CHECK(other->status == Status::Fail);
  CHECK(other->metrics.at("agreement").get<double>() < 1.0);
  CHECK(other->message.find("samples unlike models/ (the first: sample ") != std::string::npos);
}

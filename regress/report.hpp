// Reports of a run directory, written from its database: JUnit XML for CI servers, a Markdown
// summary and an HTML page, with the regressions against a baseline run marked.
#pragma once

#include <string>

#include "regress/store.hpp"
#include "regress/suite.hpp"

namespace lutforge::regress {

// The results of the suite's cases (those in the database; cases never run are left out).
std::string junit_xml(const Suite& suite, const Store& store);
// baseline may be null.
std::string markdown_summary(const Suite& suite, const Store& store, const Store* baseline);

// One self-contained HTML page: an index of the cases, a table per case with the metrics that
// differ from the baseline marked (worse in red, better in green), and a chart of each key metric
// across the runs recorded. A small script filters the cases; it needs nothing from the network.
std::string html_report(const Suite& suite, const Store& store, const Store* baseline);

// Writes RUN_DIR/junit.xml, RUN_DIR/summary.md and RUN_DIR/report.html; returns their paths, one
// per line.
std::string write_reports(const Suite& suite, const std::string& run_dir, const Store& store,
                          const Store* baseline);

}  // namespace lutforge::regress

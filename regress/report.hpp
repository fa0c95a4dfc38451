// Reports of a run directory, written from its database: JUnit XML for CI servers and a Markdown
// summary, with the regressions against a baseline run marked.
#pragma once

#include <string>

#include "regress/store.hpp"
#include "regress/suite.hpp"

namespace lutforge::regress {

// The results of the suite's cases (those in the database; cases never run are left out).
std::string junit_xml(const Suite& suite, const Store& store);
// baseline may be null.
std::string markdown_summary(const Suite& suite, const Store& store, const Store* baseline);

// Writes RUN_DIR/junit.xml and RUN_DIR/summary.md; returns their paths, one per line.
std::string write_reports(const Suite& suite, const std::string& run_dir, const Store& store,
                          const Store* baseline);

}  // namespace lutforge::regress

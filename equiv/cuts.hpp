// Cut enumeration: proves two literals of the CNF equal by simulating their logic over every
// value of a small cut, without a SAT call.
#pragma once

#include <cstddef>
#include <vector>

#include "equiv/cnf.hpp"

namespace lutforge {

struct CutParams {
  size_t max_cone_vars = 512;   // variables between the cut and the two literals
  unsigned max_cut_vars = 12;   // variables of the cut: 2^12 assignments at most
  unsigned max_expansions = 8;  // leaves opened while the two tables differ
};

// Proves literals lx and ly equal by enumerating them over a small cut of variables. The cut
// starts at the variables marked in `shared` (those that both designs' encodings use: inputs, the
// constant and merged nodes); while the two tables differ, its newest defined leaf is expanded,
// since leaves that depend on each other can take fewer values than a free cut. False proves
// nothing: a difference over a cut may be one that no input reaches, and SAT decides those.
bool equal_by_cut(const Cnf& cnf, const std::vector<char>& shared, int lx, int ly,
                  const CutParams& p = {});

}  // namespace lutforge

#include "equiv/cuts.hpp"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "netlist/truth_table.hpp"

namespace lutforge {

bool equal_by_cut(const Cnf& cnf, const std::vector<char>& shared, int lx, int ly,
                  const CutParams& p) {
  auto is_leaf = [&](int v) {
    const size_t i = static_cast<size_t>(std::abs(v));
    return i < shared.size() && shared[i];
  };
  std::vector<int> expanded{std::abs(lx), std::abs(ly)};
  for (unsigned round = 0; round <= p.max_expansions; ++round) {
    std::vector<int> leaves, inner, stack{std::abs(lx), std::abs(ly)};
    while (!stack.empty()) {
      const int v = stack.back();
      stack.pop_back();
      if (std::find(inner.begin(), inner.end(), v) != inner.end() ||
          std::find(leaves.begin(), leaves.end(), v) != leaves.end())
        continue;
      const bool open = std::find(expanded.begin(), expanded.end(), v) != expanded.end();
      if (!cnf.defined(v) || (is_leaf(v) && !open)) {
        leaves.push_back(v);
        if (leaves.size() > p.max_cut_vars) return false;
        continue;
      }
      inner.push_back(v);
      if (inner.size() > p.max_cone_vars) return false;
      const Cnf::Def& d = cnf.def(v);
      stack.push_back(std::abs(d.a));
      if (d.b) stack.push_back(std::abs(d.b));
      if (d.c) stack.push_back(std::abs(d.c));
    }
    const size_t k = leaves.size(), words = k <= 6 ? 1 : size_t{1} << (k - 6);
    std::unordered_map<int, std::vector<uint64_t>> val;
    for (size_t j = 0; j < k; ++j) {
      std::vector<uint64_t> t(words);
      if (leaves[j] != cnf.false_lit())
        for (size_t w = 0; w < words; ++w) t[w] = projection_word(static_cast<unsigned>(j), w);
      val.emplace(leaves[j], std::move(t));
    }
    auto lit = [&](int l, size_t w) {
      return l == 0 ? 0 : (l > 0 ? val.at(l)[w] : ~val.at(-l)[w]);
    };
    std::sort(inner.begin(), inner.end());  // variables are numbered after their operands
    for (int v : inner) {
      const Cnf::Def& d = cnf.def(v);
      std::vector<uint64_t> t(words);
      for (size_t w = 0; w < words; ++w)
        t[w] = apply_op<uint64_t>(d.op, lit(d.a, w), lit(d.b, w), lit(d.c, w));
      val.emplace(v, std::move(t));
    }
    const uint64_t valid = used_bits(static_cast<unsigned>(k));
    bool equal = true;
    for (size_t w = 0; w < words && equal; ++w) equal = ((lit(lx, w) ^ lit(ly, w)) & valid) == 0;
    if (equal) return true;
    int newest = 0;
    for (int v : leaves)
      if (cnf.defined(v) && v > newest) newest = v;
    if (!newest) return false;
    expanded.push_back(newest);
  }
  return false;
}

}  // namespace lutforge

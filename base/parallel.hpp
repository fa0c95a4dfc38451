// Splitting a loop over the cores, for the few loops in a one-job process that are worth it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace lutforge {

// The number of threads parallel_ranges uses for n items of at least min_chunk each.
inline size_t parallel_ranges_threads(size_t n, size_t min_chunk) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min(cores, n / std::max<size_t>(1, min_chunk)));
}

// Runs f(first, last, range) over [0, n) split into contiguous ranges, one per thread (see
// parallel_ranges_threads); the calling thread takes range 0. Returns after every range has
// finished. If ranges throw, the exception of the lowest one is rethrown, which is the error a
// sequential run would have reported first.
template <typename F>
void parallel_ranges(size_t n, size_t min_chunk, F&& f) {
  const size_t threads = parallel_ranges_threads(n, min_chunk);
  if (threads == 1) {
    f(size_t{0}, n, size_t{0});
    return;
  }
  std::vector<std::exception_ptr> errors(threads);
  auto run = [&](size_t t) {
    try {
      f(n * t / threads, n * (t + 1) / threads, t);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace lutforge

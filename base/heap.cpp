#include "base/heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace lutforge {

void prepare_heap() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the largest glibc accepts
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  const auto start = reinterpret_cast<uintptr_t>(sbrk(0));
  // Grows the heap by the top pad; the block returns to the free top. The volatile keeps the
  // compiler from removing the pair.
  void* volatile block = malloc(1 << 20);
  free(block);
  const auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t from = (start + kHuge - 1) & ~(kHuge - 1);
  if (end > from) madvise(reinterpret_cast<void*>(from), end - from, MADV_HUGEPAGE);
}

}  // namespace lutforge

// std::vector with storage aligned to a cache line, for the native
// kernels' packed weights and constant tables: their 64-byte vector loads
// then never straddle two lines (glibc's malloc aligns to 16 bytes only,
// and where a table lands decided a few percent of a kernel's time from
// one build to the next).
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace opscope::native {

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlign); }
  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const CacheLineAllocator<U>&) const {
    return false;
  }
};

template <class T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

}  // namespace opscope::native

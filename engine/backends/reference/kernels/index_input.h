// Reading an index tensor (i32 or i64) element by element, shared by the
// GATHER, GATHER_ELEMENTS and GATHER_ND kernels.
#pragma once

#include <cstdint>
#include <cstring>

namespace opscope::reference {

// Element k of an index tensor. memcpy because constant data may sit
// unaligned in the mapped model file.
inline int64_t read_index(const uint8_t* data, bool i64, int64_t k) {
  if (i64) {
    int64_t v;
    std::memcpy(&v, data + k * 8, 8);
    return v;
  }
  int32_t v;
  std::memcpy(&v, data + k * 4, 4);
  return v;
}

}  // namespace opscope::reference

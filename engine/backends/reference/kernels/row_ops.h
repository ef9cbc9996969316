// Row loops over channels, written so that GCC -O2 vectorizes them.
//
// At -O2, GCC's vectorizer uses its "very cheap" cost model: it does not
// vectorize a loop whose trip count is unknown or whose pointers might
// alias. These helpers therefore work in fixed blocks of kRowBlock floats
// through __restrict pointers (the callers never pass overlapping rows),
// with a scalar tail.
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine/backends/reference/kernels/activation.h"

namespace opscope::reference {

inline constexpr int64_t kRowBlock = 8;

// x[i] = bias[i] for i < n, or 0 when there is no bias (nullptr): the
// starting value of an accumulated output row.
inline void row_init_bias(float* x, const float* bias, int64_t n) {
  if (bias != nullptr) {
    std::copy(bias, bias + n, x);
  } else {
    std::fill(x, x + n, 0.0f);
  }
}

// acc[i] += x[i] * w[i] for i < n.
inline void row_multiply_add(float* __restrict acc,
                             const float* __restrict x,
                             const float* __restrict w, int64_t n) {
  int64_t i = 0;
  for (; i + kRowBlock <= n; i += kRowBlock) {
    for (int64_t j = 0; j < kRowBlock; ++j) acc[i + j] += x[i + j] * w[i + j];
  }
  for (; i < n; ++i) acc[i] += x[i] * w[i];
}

// acc[i] += x[i] for i < n.
inline void row_add(float* __restrict acc, const float* __restrict x,
                    int64_t n) {
  int64_t i = 0;
  for (; i + kRowBlock <= n; i += kRowBlock) {
    for (int64_t j = 0; j < kRowBlock; ++j) acc[i + j] += x[i + j];
  }
  for (; i < n; ++i) acc[i] += x[i];
}

// x[i] = clamp(x[i]) for i < n.
inline void row_clamp(float* __restrict x, int64_t n, ActivationRange r) {
  int64_t i = 0;
  for (; i + kRowBlock <= n; i += kRowBlock) {
    for (int64_t j = 0; j < kRowBlock; ++j) {
      x[i + j] = apply_activation(x[i + j], r);
    }
  }
  for (; i < n; ++i) x[i] = apply_activation(x[i], r);
}

}  // namespace opscope::reference

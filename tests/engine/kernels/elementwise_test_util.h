// Helpers of the elementwise kernel tests: seeded random data, a naive
// numpy broadcast in double, and a closeness check.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/tensor.h"
#include "tests/engine/kernel_runner.h"

namespace opscope::testing {

inline std::vector<float> random_floats(int64_t n, float lo, float hi,
                                        uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

// A runtime input, or a constant when it has no elements: KernelRunner
// memcpy's runtime inputs and outputs through std::vector::data(), which is
// null for an empty vector (undefined behaviour that UBSan reports), so
// tests also skip output() for empty outputs.
inline void add_operand(KernelRunner& r, const Shape& shape,
                        const std::vector<float>& values) {
  if (values.empty()) {
    r.add_constant(shape, values);
  } else {
    r.add_input(shape, values);
  }
}

// numpy's broadcast shape, written independently of the kernels' planner.
// Returns false when the shapes are incompatible.
inline bool naive_broadcast_shape(const Shape& a, const Shape& b, Shape* out) {
  const size_t rank = a.size() > b.size() ? a.size() : b.size();
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // i counts from the innermost dim.
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) return false;
    (*out)[rank - 1 - i] = da == 1 ? db : da;
  }
  return true;
}

// The flat index into `in` of the element that output element `flat`
// (of shape `out`) reads under broadcasting.
inline int64_t naive_source_index(const Shape& in, const Shape& out,
                                  int64_t flat) {
  int64_t index = 0, stride = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t d = out.size() - 1 - i;
    const int64_t coord = flat % out[d];
    flat /= out[d];
    if (i < in.size()) {
      const int64_t dim = in[in.size() - 1 - i];
      if (dim != 1) index += coord * stride;
      stride *= dim;
    }
  }
  return index;
}

// |got - want| <= abs_tol + rel_tol * |want|; NaN and inf must match
// exactly. Reports the first few mismatches.
inline void expect_all_close(const std::vector<float>& got,
                             const std::vector<double>& want, double abs_tol,
                             double rel_tol) {
  ASSERT_EQ(got.size(), want.size());
  int failures = 0;
  for (size_t i = 0; i < got.size() && failures < 5; ++i) {
    const double g = got[i], w = want[i];
    bool ok;
    if (std::isnan(w)) {
      ok = std::isnan(g);
    } else if (std::isinf(w)) {
      ok = g == w;
    } else {
      ok = std::isfinite(g) &&
           std::fabs(g - w) <= abs_tol + rel_tol * std::fabs(w);
    }
    if (!ok) {
      ++failures;
      ADD_FAILURE() << "element " << i << ": got " << g << ", want " << w;
    }
  }
}

}  // namespace opscope::testing

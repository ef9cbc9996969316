// Shared pieces of the GEMM-based kernel tests (conv, depthwise, transpose
// conv, fully connected, batch matmul, gemm): seeded data, the fused
// activations in double, and a relative comparison.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/status.h"

namespace opscope::testing {

inline std::vector<float> random_floats(int64_t n, uint32_t seed,
                                        float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

inline double reference_activation(double x, Activation a) {
  switch (a) {
    case Activation::kNone: return x;
    case Activation::kRelu: return std::max(0.0, x);
    case Activation::kReluN1To1: return std::clamp(x, -1.0, 1.0);
    case Activation::kRelu6: return std::clamp(x, 0.0, 6.0);
    case Activation::kTanh: return std::tanh(x);
  }
  return x;
}

inline const Activation kAllActivations[] = {
    Activation::kNone, Activation::kRelu, Activation::kReluN1To1,
    Activation::kRelu6, Activation::kTanh};

// Expects got[i] within rel * max(1, |want[i]|) of want[i].
inline void expect_close(const std::vector<float>& got,
                         const std::vector<double>& want,
                         double rel = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel * std::max(1.0, std::abs(want[i]));
    if (!(std::abs(got[i] - want[i]) <= tol) && reported++ < 5) {
      ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want "
                    << want[i];
    }
  }
}

// The checks every rejects_... test makes: the code, and that the message
// names the node (KernelRunner names it 'test_node').
inline void expect_rejected(const Status& st, ErrorCode code) {
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), code) << st.message();
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos)
      << st.message();
}

}  // namespace opscope::testing

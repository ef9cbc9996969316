// Fused activations as a clamp range, applied after an op's arithmetic.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "engine/attributes.h"

namespace opscope::reference {

// The [min, max] clamp of a fused activation; kTanh has none (see
// needs_tanh) and yields the whole float range.
struct ActivationRange {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
};

inline ActivationRange activation_range(Activation a) {
  switch (a) {
    case Activation::kRelu: return {0.0f, std::numeric_limits<float>::infinity()};
    case Activation::kReluN1To1: return {-1.0f, 1.0f};
    case Activation::kRelu6: return {0.0f, 6.0f};
    case Activation::kNone:
    case Activation::kTanh: break;
  }
  return {};
}

inline float apply_activation(float x, ActivationRange r) {
  return std::min(std::max(x, r.min), r.max);
}

// Applies a fused activation in place over n values.
inline void apply_activation(float* data, int64_t n, Activation a) {
  if (a == Activation::kNone) return;
  if (a == Activation::kTanh) {
    for (int64_t i = 0; i < n; ++i) data[i] = std::tanh(data[i]);
    return;
  }
  const ActivationRange r = activation_range(a);
  for (int64_t i = 0; i < n; ++i) data[i] = apply_activation(data[i], r);
}

}  // namespace opscope::reference

// Seeded uniform test data for the engine tests: the same seed gives the
// same values on every run and machine (std::mt19937 is fully specified).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace opscope::testing {

// n floats uniform in [lo, hi).
inline std::vector<float> random_floats(size_t n, uint32_t seed,
                                        float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// n integers uniform in [lo, hi], stored as T.
template <typename T>
std::vector<T> random_ints(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

}  // namespace opscope::testing

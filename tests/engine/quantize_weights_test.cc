// Weight and bias quantization: a channel whose weights are tiny next to
// its bias must not get a bias at the int32 limits (found on
// hand_landmark_full: weight scales ~1e-9, biases saturated at 2^31 - 1,
// which the runtimes' wrapping acc + bias turned into garbage).
#include "engine/transforms/quantize/quantize_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace opscope {
namespace {

Tensor f32_constant(Shape shape, const std::vector<float>& values) {
  Tensor t;
  t.name = "c";
  t.dtype = DType::kF32;
  t.shape = std::move(shape);
  t.role = TensorRole::kConstant;
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  t.set_owned_data(std::move(bytes));
  return t;
}

TEST(QuantizeWeights, TinyChannelWithLargeBiasKeepsBiasInRange) {
  // Two output channels of a 1x1 conv over 2 inputs (OHWI [2,1,1,2]):
  // channel 0 ordinary, channel 1 with weights ~1e-7.
  const Tensor w = f32_constant({2, 1, 1, 2}, {0.5f, -0.25f, 1e-7f, -2e-7f});
  const Tensor b = f32_constant({2}, {0.1f, 3.0f});
  const float in_scale = 0.02f;

  const Tensor naive = quantize_symmetric_int8(w, 0, "w");
  const Tensor naive_bias = quantize_bias_int32(b, in_scale, naive.quantization.scales, "b");
  // Without the floor, channel 1's bias saturates: the failure this guards.
  EXPECT_EQ(naive_bias.constant_as<int32_t>()[1], INT32_MAX);

  const auto floor = min_weight_scales_for_bias(b, in_scale, /*per_tensor=*/false);
  ASSERT_EQ(floor.size(), 2u);
  const Tensor q = quantize_symmetric_int8(w, 0, "w", floor);
  // Channel 0 keeps max|w| / 127; channel 1 is raised to the floor.
  EXPECT_FLOAT_EQ(q.quantization.scales[0], 0.5f / 127.0f);
  EXPECT_GE(q.quantization.scales[1], floor[1]);
  const Tensor qb = quantize_bias_int32(b, in_scale, q.quantization.scales, "b");
  for (int c = 0; c < 2; ++c) {
    const int32_t v = qb.constant_as<int32_t>()[c];
    EXPECT_LE(std::abs(static_cast<int64_t>(v)), int64_t{1} << 30) << "channel " << c;
    // The bias still represents its float value to within half a step.
    const double step = qb.quantization.scales[c];  // in_scale * w_scale, as stored
    EXPECT_NEAR(v * step, c == 0 ? 0.1 : 3.0, step / 2 + 1e-12) << "channel " << c;
  }
}

TEST(QuantizeWeights, PerTensorFloorIsTheLargest) {
  const Tensor b = f32_constant({3}, {1.0f, -8.0f, 2.0f});
  const auto floor = min_weight_scales_for_bias(b, 0.5f, /*per_tensor=*/true);
  ASSERT_EQ(floor.size(), 1u);
  EXPECT_FLOAT_EQ(floor[0], static_cast<float>(8.0 / (0.5 * (1 << 30))));
}

}  // namespace
}  // namespace opscope

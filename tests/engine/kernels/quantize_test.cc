// half.h conversions (edge cases, all 65536 halves, ties to even),
// DEQUANTIZE from f16 / i8 / u8 (per-tensor and per-channel on axes 0 and
// 3), QUANTIZE rounding and saturation; rejections.
#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/half.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/elementwise_test_util.h"

namespace opscope::reference {
namespace {

using testing::KernelRunner;
using testing::per_tensor;

constexpr float kInf = std::numeric_limits<float>::infinity();

// The value of a half bit pattern from its definition, in double.
double naive_half_value(uint16_t h) {
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0x1f) {
    return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  }
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

bool is_half_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff); }

TEST(Half, edge_cases_to_float) {
  EXPECT_EQ(std::bit_cast<uint32_t>(half_to_float(0x0000)), 0x00000000u);
  EXPECT_EQ(std::bit_cast<uint32_t>(half_to_float(0x8000)), 0x80000000u);
  EXPECT_EQ(half_to_float(0x0001), 0x1p-24f);             // min subnormal
  EXPECT_EQ(half_to_float(0x8001), -0x1p-24f);
  EXPECT_EQ(half_to_float(0x03ff), 1023 * 0x1p-24f);      // max subnormal
  EXPECT_EQ(half_to_float(0x0400), 0x1p-14f);             // min normal
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);             // max
  EXPECT_EQ(half_to_float(0xfbff), -65504.0f);
  EXPECT_EQ(half_to_float(0x7c00), kInf);
  EXPECT_EQ(half_to_float(0xfc00), -kInf);
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
  EXPECT_TRUE(std::isnan(half_to_float(0x7c01)));  // signalling payload
  EXPECT_TRUE(std::signbit(half_to_float(0xfe00)));
}

TEST(Half, edge_cases_from_float) {
  EXPECT_EQ(float_to_half(0.0f), 0x0000);
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(65519.99f), 0x7bff);
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);  // tie rounds to even: inf
  EXPECT_EQ(float_to_half(-65520.0f), 0xfc00);
  EXPECT_EQ(float_to_half(1e10f), 0x7c00);
  EXPECT_EQ(float_to_half(FLT_MAX), 0x7c00);
  EXPECT_EQ(float_to_half(kInf), 0x7c00);
  EXPECT_EQ(float_to_half(-kInf), 0xfc00);
  EXPECT_EQ(float_to_half(0x1p-24f), 0x0001);
  EXPECT_EQ(float_to_half(0x1p-25f), 0x0000);  // tie between 0 and 2^-24
  EXPECT_EQ(float_to_half(-0x1p-25f), 0x8000);
  EXPECT_EQ(float_to_half(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(float_to_half(1.5f * 0x1p-24f), 0x0002);  // tie to even (2)
  EXPECT_EQ(float_to_half(1e-10f), 0x0000);
  EXPECT_EQ(float_to_half(FLT_MIN), 0x0000);
  EXPECT_EQ(float_to_half(FLT_TRUE_MIN), 0x0000);
  EXPECT_TRUE(is_half_nan(float_to_half(std::numeric_limits<float>::quiet_NaN())));
  // A NaN whose payload is only in bits half drops must stay NaN, not inf.
  EXPECT_TRUE(is_half_nan(float_to_half(std::bit_cast<float>(0x7f800001u))));
  EXPECT_EQ(float_to_half(std::bit_cast<float>(0xff800001u)) & 0x8000, 0x8000);
}

TEST(Half, all_65536_values_convert_and_round_trip) {
  for (uint32_t i = 0; i <= 0xffff; ++i) {
    const auto h = static_cast<uint16_t>(i);
    const float f = half_to_float(h);
    const double want = naive_half_value(h);
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << i;
      const uint16_t back = float_to_half(f);
      ASSERT_TRUE(is_half_nan(back)) << std::hex << i;
      ASSERT_EQ(back & 0x8000, h & 0x8000) << std::hex << i;
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), want) << std::hex << i;
    ASSERT_EQ(std::signbit(f), (h & 0x8000) != 0) << std::hex << i;
    ASSERT_EQ(float_to_half(f), h) << std::hex << i;
  }
}

// Every midpoint between neighbouring finite halves (exact in f32) must go
// to the even neighbour, and one f32 ulp to either side to that side.
TEST(Half, rounds_to_nearest_even_between_all_neighbours) {
  for (uint32_t i = 0; i < 0x7bff; ++i) {
    for (uint16_t sign : {uint16_t{0}, uint16_t{0x8000}}) {
      const auto lo = static_cast<uint16_t>(i | sign);
      const auto hi = static_cast<uint16_t>((i + 1) | sign);
      const float mid = static_cast<float>(
          (naive_half_value(lo) + naive_half_value(hi)) / 2);
      const uint16_t even = (i & 1) ? hi : lo;
      ASSERT_EQ(float_to_half(mid), even) << std::hex << i;
      const float away = sign ? -kInf : kInf;
      const float toward = sign ? kInf : -kInf;
      ASSERT_EQ(float_to_half(std::nextafter(mid, away)), hi) << std::hex << i;
      ASSERT_EQ(float_to_half(std::nextafter(mid, toward)), lo)
          << std::hex << i;
    }
  }
}

TEST(Dequantize, f16_to_f32) {
  const std::vector<uint16_t> h = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400,
                                   0x3c00, 0xc000, 0x7bff, 0xfbff, 0x7c00,
                                   0xfc00, 0x7e00};
  KernelRunner r(OpKind::kDequantize);
  r.add_input({3, 4}, h);  // uint16_t data is f16
  r.add_output();
  const Status st = r.prepare(make_dequantize());
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_EQ(r.output_tensor(0).shape, (Shape{3, 4}));
  EXPECT_EQ(r.output_tensor(0).dtype, DType::kF32);
  r.run();
  const std::vector<float> y = r.output<float>(0);
  std::vector<double> want;
  for (uint16_t v : h) want.push_back(naive_half_value(v));
  testing::expect_all_close(y, want, 0, 0);
  EXPECT_TRUE(std::signbit(y[1]));
}

TEST(Dequantize, i8_and_u8_per_tensor_all_values) {
  std::vector<int8_t> i8(256);
  std::vector<uint8_t> u8(256);
  for (int i = 0; i < 256; ++i) {
    i8[i] = static_cast<int8_t>(i - 128);
    u8[i] = static_cast<uint8_t>(i);
  }
  {
    KernelRunner r(OpKind::kDequantize);
    r.add_input({256}, i8, DType::kI8, per_tensor(0.0473f, -3));
    r.add_output();
    ASSERT_TRUE(r.prepare(make_dequantize()).is_ok());
    r.run();
    std::vector<double> want;
    for (int8_t q : i8) want.push_back(double{0.0473f} * (q + 3));
    testing::expect_all_close(r.output<float>(0), want, 0, 1e-7);
  }
  {
    KernelRunner r(OpKind::kDequantize);
    r.add_constant({16, 16}, u8, DType::kU8, per_tensor(0.1f, 128));
    r.add_output();
    ASSERT_TRUE(r.prepare(make_dequantize()).is_ok());
    r.run();
    std::vector<double> want;
    for (uint8_t q : u8) want.push_back(double{0.1f} * (q - 128));
    testing::expect_all_close(r.output<float>(0), want, 0, 1e-7);
  }
}

// Per-channel dequantize of a [2,3,4,5] tensor along `axis`, against a
// naive index computation in double.
void check_per_channel(int axis, bool with_zero_points) {
  SCOPED_TRACE("axis " + std::to_string(axis));
  const Shape shape = {2, 3, 4, 5};
  const int64_t channels = shape[axis];
  Quantization q;
  q.axis = axis;
  for (int64_t c = 0; c < channels; ++c) {
    q.scales.push_back(0.01f * static_cast<float>(c + 1) + 0.003f);
    if (with_zero_points) q.zero_points.push_back(c * 7 - 10);
  }
  const int64_t n = num_elements(shape);
  std::vector<int8_t> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<int8_t>((i * 37) % 256 - 128);

  KernelRunner r(OpKind::kDequantize);
  r.add_constant(shape, x, DType::kI8, q);
  r.add_output();
  const Status st = r.prepare(make_dequantize());
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  r.run();

  int64_t inner = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<double> want(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = (i / inner) % channels;
    const double zp = with_zero_points ? static_cast<double>(q.zero_points[c]) : 0;
    want[i] = static_cast<double>(q.scales[c]) * (x[i] - zp);
  }
  testing::expect_all_close(r.output<float>(0), want, 0, 1e-7);
}

TEST(Dequantize, per_channel_axis_0) { check_per_channel(0, true); }
TEST(Dequantize, per_channel_axis_3) { check_per_channel(3, true); }
TEST(Dequantize, per_channel_axis_1_without_zero_points) {
  check_per_channel(1, false);
}

std::vector<int64_t> run_quantize(const std::vector<float>& x, DType dtype,
                                  const Quantization& q, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(x.size())};
  KernelRunner r(OpKind::kQuantize);
  r.add_input(shape, x);
  r.add_output(dtype, q);
  const Status st = r.prepare(make_quantize());
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  if (!st.is_ok()) return {};
  EXPECT_EQ(r.output_tensor(0).shape, shape);
  EXPECT_EQ(r.output_tensor(0).dtype, dtype);
  r.run();
  std::vector<int64_t> out;
  if (dtype == DType::kI8) {
    for (int8_t v : r.output<int8_t>(0)) out.push_back(v);
  } else {
    for (uint8_t v : r.output<uint8_t>(0)) out.push_back(v);
  }
  return out;
}

TEST(Quantize, rounds_half_away_from_zero) {
  // x / 0.5 lands exactly on .5 for these.
  const std::vector<float> x = {0.25f, -0.25f, 0.75f, -0.75f, 1.25f, -1.25f,
                                0.2f,  -0.2f,  0.0f,  -0.0f};
  EXPECT_EQ(run_quantize(x, DType::kI8, per_tensor(0.5f, 0)),
            (std::vector<int64_t>{1, -1, 2, -2, 3, -3, 0, 0, 0, 0}));
  // The zero point is added after rounding: round(-0.5) + 10 = 9, not 10.
  EXPECT_EQ(run_quantize(x, DType::kU8, per_tensor(0.5f, 10)),
            (std::vector<int64_t>{11, 9, 12, 8, 13, 7, 10, 10, 10, 10}));
}

TEST(Quantize, saturates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {1000, -1000, 63.9f, 64.0f, -64.2f,
                                kInf, -kInf, FLT_MAX, -FLT_MAX, nan};
  // i8, scale 0.5, zp 0: range [-64, 63.5]; NaN goes to the zero point.
  EXPECT_EQ(run_quantize(x, DType::kI8, per_tensor(0.5f, 0)),
            (std::vector<int64_t>{127, -128, 127, 127, -128, 127, -128, 127,
                                  -128, 0}));
  // u8, scale 1, zp 5.
  EXPECT_EQ(run_quantize(x, DType::kU8, per_tensor(1.0f, 5)),
            (std::vector<int64_t>{255, 0, 69, 69, 0, 255, 0, 255, 0, 5}));
}

TEST(Quantize, matches_naive_formula) {
  const auto x = testing::random_floats(4096, -3, 3, 900);
  for (DType dtype : {DType::kI8, DType::kU8}) {
    const Quantization q =
        per_tensor(0.0171f, dtype == DType::kI8 ? -7 : 131);
    const int64_t lo = dtype == DType::kI8 ? -128 : 0;
    const int64_t hi = dtype == DType::kI8 ? 127 : 255;
    std::vector<int64_t> want;
    for (float v : x) {
      // TFLite's definition: the quotient in f32, rounded half away.
      const double r = std::round(static_cast<double>(v / q.scales[0]));
      want.push_back(std::clamp<int64_t>(
          static_cast<int64_t>(r) + q.zero_points[0], lo, hi));
    }
    EXPECT_EQ(run_quantize(x, dtype, q), want);
  }
}

TEST(Quantize, per_channel_last_axis) {
  Quantization q;
  q.axis = 1;
  q.scales = {0.5f, 0.25f};
  q.zero_points = {0, 3};
  // Columns: channel 0 then 1.
  EXPECT_EQ(run_quantize({1.0f, 1.0f, -0.25f, -0.125f}, DType::kI8, q, {2, 2}),
            (std::vector<int64_t>{2, 7, -1, 2}));
}

TEST(Quantize, dequantize_round_trip) {
  std::vector<int8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<int8_t>(i - 128);
  const Quantization q = per_tensor(0.0625f, 12);
  KernelRunner d(OpKind::kDequantize);
  d.add_input({256}, all, DType::kI8, q);
  d.add_output();
  ASSERT_TRUE(d.prepare(make_dequantize()).is_ok());
  d.run();
  const std::vector<int64_t> back =
      run_quantize(d.output<float>(0), DType::kI8, q);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(back[i], all[i]);
}

void expect_error(KernelRunner& r, std::unique_ptr<Kernel> kernel,
                  ErrorCode code) {
  const Status st = r.prepare(std::move(kernel));
  EXPECT_EQ(st.code(), code) << st.to_string();
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos)
      << st.message();
}

TEST(Dequantize, rejects_wrong_dtype) {
  KernelRunner r(OpKind::kDequantize);
  r.add_input({2}, std::vector<int32_t>{1, 2});
  r.add_output();
  expect_error(r, make_dequantize(), ErrorCode::kTypeMismatch);
}

TEST(Dequantize, rejects_i8_without_quantization) {
  KernelRunner r(OpKind::kDequantize);
  r.add_input({2}, std::vector<int8_t>{1, 2});
  r.add_output();
  expect_error(r, make_dequantize(), ErrorCode::kTypeMismatch);
}

TEST(Dequantize, rejects_per_channel_scale_count_mismatch) {
  Quantization q;
  q.axis = 0;
  q.scales = {0.1f, 0.2f, 0.3f};
  q.zero_points = {0, 0, 0};
  KernelRunner r(OpKind::kDequantize);
  r.add_input({2, 3}, std::vector<int8_t>(6), DType::kI8, q);
  r.add_output();
  expect_error(r, make_dequantize(), ErrorCode::kTypeMismatch);
}

TEST(Dequantize, rejects_zero_point_out_of_range) {
  KernelRunner r(OpKind::kDequantize);
  r.add_input({2}, std::vector<uint8_t>{1, 2}, DType::kU8,
              per_tensor(0.1f, -1));
  r.add_output();
  expect_error(r, make_dequantize(), ErrorCode::kTypeMismatch);
}

TEST(Quantize, rejects_wrong_input_dtype) {
  KernelRunner r(OpKind::kQuantize);
  r.add_input({2}, std::vector<int8_t>{1, 2}, DType::kI8, per_tensor(1, 0));
  r.add_output(DType::kI8, per_tensor(1, 0));
  expect_error(r, make_quantize(), ErrorCode::kTypeMismatch);
}

TEST(Quantize, rejects_float_output) {
  KernelRunner r(OpKind::kQuantize);
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_output(DType::kF32);
  expect_error(r, make_quantize(), ErrorCode::kTypeMismatch);
}

TEST(Quantize, rejects_zero_scale) {
  KernelRunner r(OpKind::kQuantize);
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_output(DType::kU8, per_tensor(0.0f, 0));
  expect_error(r, make_quantize(), ErrorCode::kTypeMismatch);
}

}  // namespace
}  // namespace opscope::reference

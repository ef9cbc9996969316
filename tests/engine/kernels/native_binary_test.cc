// The native int8 ADD and MUL are bit-exact with the reference kernels on
// every ISA this CPU runs: same shapes, scalars on either side, a row
// repeated on either side (the SE blocks' [1,H,W,C] x [1,1,1,C]), general
// broadcasts, lengths around the vector width, zero points at the ends of
// the range, output multipliers above 1 (left shifts) and fused clamps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/backends/native/kernels/mul_linear_i8.h"
#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/native_env.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "tests/engine/kernels/native_test_util.h"
#include "tests/engine/test_random.h"

namespace opscope::testing {
namespace {

struct Quant {
  float sa, sb, sy;
  int za, zb, zy;
};

void run_op(OpKind op, KernelFactory reference, const NativeFactory& native_factory,
            const std::vector<Quant>& quants,
            Requantization requantization = Requantization::kFixedPoint) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{1, 8, 8, 16}, {1, 8, 8, 16}},
      {{1, 5, 7, 3}, {1, 5, 7, 3}},
      {{1, 4, 4, 33}, {1, 1, 1, 33}},
      {{1, 1, 1, 17}, {1, 3, 5, 17}},
      {{1, 16, 16, 96}, {1, 1, 1, 96}},
      {{1}, {2, 3, 17}},
      {{2, 3, 19}, {1}},
      {{1, 4, 1, 8}, {1, 1, 5, 1}},
      {{2, 1, 3}, {1, 4, 1}},
      {{1, 65}, {1, 65}},
      {{1, 1}, {1, 1}},
      {{3, 1, 129}, {1, 2, 129}},
      // A repeated row (the SE blocks' channel vectors) of 16, 48, 64 and
      // over 64 elements, on either side.
      {{1, 6, 6, 16}, {1, 1, 1, 16}},
      {{1, 5, 3, 48}, {1, 1, 1, 48}},
      {{1, 1, 1, 64}, {1, 3, 3, 64}},
      {{1, 1, 1, 130}, {1, 2, 3, 130}},
      // Rows enough for MUL's linear forms (mul_linear_i8.h: 2048 or more).
      {{1, 64, 64, 16}, {1, 1, 1, 16}},
      {{1, 1, 1, 24}, {1, 48, 48, 24}},
  };
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                             Activation::kReluN1To1};
  uint32_t seed = 21;
  int compared = 0, i = 0;
  for (const Quant& q : quants) {
    for (const auto& shape_pair : shapes) {
      // Named copies: clang 14 cannot capture structured bindings.
      const Shape& sa = shape_pair.first;
      const Shape& sb = shape_pair.second;
      const auto a = random_ints<int8_t>(static_cast<size_t>(num_elements(sa)), seed++, -128, 127);
      const auto b = random_ints<int8_t>(static_cast<size_t>(num_elements(sb)), seed++, -128, 127);
      const Activation act = acts[i++ % 4];
      const RunnerSetup setup = [&](KernelRunner& r) {
        r.set_requantization(requantization);
        r.add_input(sa, a, DType::kI8, q8(q.sa, q.za));
        r.add_input(sb, b, DType::kI8, q8(q.sb, q.zb));
        r.add_output(DType::kI8, q8(q.sy, q.zy));
      };
      compared += expect_native_matches_reference(
          op, ActivationAttrs{act}, setup, reference, native_factory,
          std::string(to_string(op)) + " " + shape_to_string(sa) + " " + shape_to_string(sb) +
              " scales " + std::to_string(q.sa) + "," + std::to_string(q.sb) + "," +
              std::to_string(q.sy) + " zp " + std::to_string(q.za) + "," + std::to_string(q.zb) +
              "," + std::to_string(q.zy));
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(NativeBinaryI8, AddBitExactWithReference) {
  run_op(OpKind::kAdd, reference::int8::make_add_i8, native::make_native_add_i8,
         {{0.05f, 0.03f, 0.06f, 3, -7, 1},
          {0.02f, 0.02f, 0.04f, -128, 127, 0},
          {0.1f, 0.001f, 0.05f, 127, -128, -128},
          {0.001f, 0.3f, 0.2f, 0, 0, 127},
          {0.05f, 0.05f, 1e-7f, 1, 2, 3},      // output multiplier > 1: left shift
          {0.5f, 0.25f, 0.001f, -3, 4, -5}});  // saturates
}

TEST(NativeBinaryI8, MulBitExactWithReference) {
  run_op(OpKind::kMul, reference::int8::make_mul_i8, native::make_native_mul_i8,
         {{0.05f, 0.03f, 0.06f, 3, -7, 1},
          {0.02f, 0.02f, 0.0004f, -128, 127, 0},
          {0.1f, 1.0f / 256, 0.05f, 127, -128, -128},
          {1.0f, 1.0f, 0.01f, 0, 0, 0},         // multiplier 100: left shift
          {0.001f, 0.001f, 100.0f, 5, 6, 7}});  // tiny multiplier
}

// MUL's linear forms (mul_linear_i8.h) on squeeze-and-excitation scales:
// a sigmoid's output (scale 1/256, zero point -128) times activations. The
// plan is accepted for most such rows, and wherever it is, the forms give
// the exact kernel's bytes for every value of every channel; a plan that
// would differ anywhere is refused.
#if defined(__x86_64__)
TEST(NativeBinaryI8, MulLinearFormsAreExactWhereAccepted) {
  if (native::detect_isa() != native::Isa::kAvx512Vnni) {
    GTEST_SKIP() << "the linear forms run on AVX-512 only";
  }
  const std::vector<int8_t> every = [] {
    std::vector<int8_t> v(256);
    for (int i = 0; i < 256; ++i) v[static_cast<size_t>(i)] = static_cast<int8_t>(i);
    return v;
  }();
  int accepted = 0, tried = 0, se_accepted = 0, se_tried = 0;
  uint32_t seed = 5;
  // The first two are typical squeeze-and-excitation scales (the forms are
  // expected to hold); the third has a scale ratio of exactly 0.625 / 128
  // up to float rounding, so products land a few 2^-31 from rounding ties,
  // closer than the forms resolve (refused, or exact where accepted); the
  // last two have large multipliers.
  for (const Quant& q : {Quant{0.0235f, 1.0f / 256, 0.0187f, -128, -128, -128},
                         Quant{0.031f, 1.0f / 256, 0.027f, 5, -128, -3},
                         Quant{0.05f, 1.0f / 256, 0.04f, 3, -128, -2},
                         Quant{0.1f, 0.03f, 0.002f, 10, 7, 0},
                         Quant{1.0f, 1.0f, 0.01f, 0, 0, 0}}) {
    for (int trial = 0; trial < 8; ++trial) {
      native::ukernels::BinaryParams p;
      p.mul = true;
      p.a_zp = q.za;
      p.b_zp = q.zb;
      p.y_zp = q.zy;
      const auto m = reference::int8::quantize_multiplier(static_cast<double>(q.sa) * q.sb / q.sy);
      p.y_mult = m.multiplier;
      p.y_left = std::max(m.shift, 0);
      p.y_right = std::max(-m.shift, 0);
      const int64_t inner = 16 + 8 * (trial % 3);
      const auto rep = random_ints<int8_t>(static_cast<size_t>(inner), seed++, -128, 127);
      native::MulLinearPlan plan;
      const bool se = q.sy == 0.0187f || q.sy == 0.027f;
      ++tried;
      se_tried += se;
      if (!native::mul_linear_plan(p, native::ukernels::binary_i8_row_avx512,
                                   native::ukernels::mul_linear_rows_avx512, rep.data(), false, inner,
                                   &plan)) {
        continue;
      }
      ++accepted;
      se_accepted += se;
      // Every value against the exact row, channel by channel.
      std::vector<int8_t> x(static_cast<size_t>(256 * inner)), formed(x.size());
      for (int i = 0; i < 256; ++i) {
        for (int64_t c = 0; c < inner; ++c) x[static_cast<size_t>(i * inner + c)] = every[i];
      }
      native::ukernels::mul_linear_rows_avx512(native::rows_of(plan, p, p.a_zp), x.data(), formed.data(),
                                       inner, 256);
      for (int64_t c = 0; c < inner; ++c) {
        int8_t exact[256];
        native::ukernels::binary_i8_row_avx512(p, every.data(), 1, rep.data() + c, 0, exact, 256);
        for (int i = 0; i < 256; ++i) {
          ASSERT_EQ(formed[static_cast<size_t>(i * inner + c)], exact[i])
              << "channel " << c << " value " << i - 256 * (i > 127);
        }
      }
    }
  }
  // The squeeze-and-excitation rows take the fast path.
  EXPECT_EQ(se_accepted, se_tried);
  std::printf("accepted %d of %d, squeeze-and-excitation %d of %d\n", accepted, tried,
              se_accepted, se_tried);
}
#endif  // __x86_64__

// ONNX Runtime's float forms (a node made by QDQ fusion), on int8 and on
// uint8-offset values.
TEST(NativeBinaryI8, FloatRequantizationBitExactWithReference) {
  const std::vector<Quant> quants = {{0.05f, 0.03f, 0.06f, 3, -7, 1},
                                     {0.02f, 0.02f, 0.04f, -128, 127, 0},
                                     {0.1f, 0.001f, 0.05f, 127, -128, -128},
                                     {0.5f, 0.25f, 0.001f, -3, 4, -5}};
  for (Requantization rq : {Requantization::kFloat, Requantization::kFloatUint8}) {
    run_op(OpKind::kAdd, reference::int8::make_add_i8, native::make_native_add_i8, quants, rq);
    run_op(OpKind::kMul, reference::int8::make_mul_i8, native::make_native_mul_i8, quants, rq);
  }
}

}  // namespace
}  // namespace opscope::testing

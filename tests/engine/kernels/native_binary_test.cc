// The native int8 ADD and MUL are bit-exact with the reference kernels on
// every ISA this CPU runs: same shapes, scalars on either side, a row
// repeated on either side (the SE blocks' [1,H,W,C] x [1,1,1,C]), general
// broadcasts, lengths around the vector width, zero points at the ends of
// the range, output multipliers above 1 (left shifts) and fused clamps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/backends/native/kernels/native_kernels.h"
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

// The native int8 RESIZE_BILINEAR is bit-exact with the reference kernel on
// every ISA this CPU runs: up, down and odd ratios, 1-pixel edges, every
// align_corners / half_pixel_centers combination, channel counts around the
// vector widths, values at the ends of the int8 range; tables whose weights
// share power-of-two factors take the int16 path on AVX-512.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "tests/engine/kernels/native_test_util.h"
#include "tests/engine/test_random.h"

namespace opscope::testing {
namespace {

struct ResizeCase {
  int64_t n, h, w, c, out_h, out_w;
};

int run_case(const ResizeCase& rc, bool align, bool half, int lo, int hi, uint32_t seed) {
  ResizeAttrs attrs;
  attrs.align_corners = align;
  attrs.half_pixel_centers = half;
  const Shape in{rc.n, rc.h, rc.w, rc.c};
  const auto values = random_ints<int8_t>(static_cast<size_t>(num_elements(in)), seed, lo, hi);
  const Quantization q = q8(0.05f, 3);
  const RunnerSetup setup = [&](KernelRunner& r) {
    r.add_input(in, values, DType::kI8, q);
    r.add_constant(Shape{2}, std::vector<int32_t>{static_cast<int32_t>(rc.out_h),
                                                  static_cast<int32_t>(rc.out_w)});
    r.add_output(DType::kI8, q);
  };
  const std::string label = shape_to_string(in) + "->" + std::to_string(rc.out_h) + "x" +
                            std::to_string(rc.out_w) + " align=" + std::to_string(align) +
                            " half=" + std::to_string(half);
  return expect_native_matches_reference(OpKind::kResizeBilinear, attrs, setup,
                                         reference::int8::make_resize_bilinear_i8,
                                         native::make_native_resize_bilinear_i8, label);
}

TEST(NativeResizeBilinearI8, BitExactWithReference) {
  const ResizeCase cases[] = {
      {1, 64, 64, 16, 128, 128}, {1, 16, 16, 128, 32, 32}, {1, 6, 6, 96, 12, 12},
      {1, 5, 7, 3, 13, 4},       {2, 9, 4, 17, 3, 11},     {1, 1, 1, 33, 5, 6},
      {1, 4, 4, 8, 1, 1},        {1, 3, 5, 1, 7, 9},       {1, 7, 3, 64, 7, 3},
      {1, 2, 2, 24, 9, 9},       {1, 10, 12, 5, 4, 5},
      // The int16 path (power-of-two weights): channels not a multiple of
      // 16 (masked steps), and an odd number of 16-channel steps per row.
      {1, 32, 32, 24, 64, 64},   {1, 4, 4, 16, 8, 1},      {1, 4, 4, 48, 8, 3},
  };
  int compared = 0;
  uint32_t seed = 1;
  for (const ResizeCase& rc : cases) {
    for (int mode = 0; mode < 3; ++mode) {
      const bool align = mode == 1, half = mode == 2;
      compared += run_case(rc, align, half, -128, 127, seed++);
      // The ends of the range: everything at -128 or 127 in part.
      compared += run_case(rc, align, half, 120, 127, seed++);
      compared += run_case(rc, align, half, -128, -120, seed++);
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(NativeResizeBilinearI8, DeclinesFloat) {
  Graph g;
  Node node;
  node.op = OpKind::kResizeBilinear;
  Tensor t;
  t.dtype = DType::kF32;
  t.shape = {1, 2, 2, 1};
  g.tensors = {t, t, t};
  node.inputs = {0, 1};
  node.outputs = {2};
  std::string why;
  EXPECT_FALSE(native::native_supports_resize_bilinear(g, node, &why));
  EXPECT_NE(why.find("dtype"), std::string::npos) << why;
}

}  // namespace
}  // namespace opscope::testing

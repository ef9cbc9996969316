// int8 AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESIZE_BILINEAR, CONCATENATION
// (requantizing), and the dtype-generic PAD and RESHAPE on int8, against
// double-precision loops of TFLite's int8 spec: within 1 LSB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/backends/reference/kernel_registry.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/int8_reference.h"

namespace opscope::testing {
namespace {

namespace k8 = reference::int8;

struct PoolCase {
  int64_t h, w, c;
  int filter, stride;
  Padding padding;
  Activation act;
};

TEST(Int8Pool, AverageAndMaxMatchDoubleReference) {
  const PoolCase cases[] = {{9, 8, 5, 3, 2, Padding::kSame, Activation::kNone},
                            {8, 8, 16, 2, 2, Padding::kValid, Activation::kRelu},
                            {16, 16, 96, 16, 16, Padding::kValid, Activation::kNone},
                            {7, 5, 3, 3, 1, Padding::kSame, Activation::kRelu6}};
  const float scale = 0.05f;
  const int32_t zp = -7;
  for (const PoolCase& c : cases) {
    for (OpKind op : {OpKind::kAveragePool2D, OpKind::kMaxPool2D}) {
      Pool2DAttrs a;
      a.padding = c.padding;
      a.filter_h = a.filter_w = c.filter;
      a.stride_h = a.stride_w = c.stride;
      a.activation = c.act;
      const auto x = random_ints<int8_t>(c.h * c.w * c.c, 41, -128, 127);
      KernelRunner r(op, a);
      r.add_input(Shape{1, c.h, c.w, c.c}, x, DType::kI8, per_tensor(scale, zp));
      r.add_output(DType::kI8, per_tensor(scale, zp));
      const Status st = r.prepare(op == OpKind::kMaxPool2D ? k8::make_max_pool2d_i8()
                                                           : k8::make_average_pool2d_i8());
      ASSERT_TRUE(st.is_ok()) << st.to_string();
      r.run();
      int64_t oh, ow, ph, pw;
      ref_window(c.padding, c.h, c.filter, c.stride, 1, &oh, &ph);
      ref_window(c.padding, c.w, c.filter, c.stride, 1, &ow, &pw);
      int lo, hi;
      quantized_activation(c.act, scale, zp, &lo, &hi);
      std::vector<int> want;
      for (int64_t oy = 0; oy < oh; ++oy) {
        for (int64_t ox = 0; ox < ow; ++ox) {
          for (int64_t ch = 0; ch < c.c; ++ch) {
            double sum = 0, mx = -1e9;
            int n = 0;
            for (int64_t iy = oy * c.stride - ph; iy < oy * c.stride - ph + c.filter; ++iy) {
              for (int64_t ix = ox * c.stride - pw; ix < ox * c.stride - pw + c.filter; ++ix) {
                if (iy < 0 || ix < 0 || iy >= c.h || ix >= c.w) continue;
                const double real = scale * (x[(iy * c.w + ix) * c.c + ch] - zp);
                sum += real;
                mx = std::max(mx, real);
                ++n;
              }
            }
            want.push_back(quantize_int8(op == OpKind::kMaxPool2D ? mx : sum / n, scale, zp, lo, hi));
          }
        }
      }
      EXPECT_EQ(shape_to_string(r.output_tensor(0).shape),
                shape_to_string(Shape{1, oh, ow, c.c}));
      EXPECT_TRUE(within_lsb(r.output<int8_t>(0), want, op == OpKind::kMaxPool2D ? 0 : 1))
          << to_string(op) << " " << c.h << "x" << c.w << "x" << c.c;
    }
  }
}

TEST(Int8Pool, RejectsRequantizingOutput) {
  Pool2DAttrs a;
  a.filter_h = a.filter_w = 2;
  a.stride_h = a.stride_w = 2;
  KernelRunner r(OpKind::kAveragePool2D, a);
  r.add_input(Shape{1, 4, 4, 1}, std::vector<int8_t>(16), DType::kI8, per_tensor(0.1f, 0));
  r.add_output(DType::kI8, per_tensor(0.2f, 0));
  const Status st = r.prepare(k8::make_average_pool2d_i8());
  EXPECT_EQ(st.code(), ErrorCode::kTypeMismatch) << st.to_string();
  EXPECT_NE(st.message().find("must equal the input's"), std::string::npos) << st.message();
}

TEST(Int8Mean, MatchesDoubleReferenceOverAnyAxes) {
  struct Case {
    Shape shape;
    std::vector<int32_t> axes;
    bool keep;
  };
  // hand_landmark's global average (1x7x7x1152 over H, W), a last-axis mean
  // and two non-adjacent axes.
  const Case cases[] = {{{1, 7, 7, 1152}, {1, 2}, true},
                        {{2, 5, 6}, {-1}, false},
                        {{3, 4, 5, 2}, {0, 2}, false}};
  const float si = 0.04f, so = 0.02f;
  const int32_t zi = 9, zo = -11;
  for (const Case& c : cases) {
    const auto x = random_ints<int8_t>(num_elements(c.shape), 5, -128, 127);
    KernelRunner r(OpKind::kMean, ReduceAttrs{c.keep});
    r.add_input(c.shape, x, DType::kI8, per_tensor(si, zi));
    r.add_constant(Shape{static_cast<int64_t>(c.axes.size())}, c.axes);
    r.add_output(DType::kI8, per_tensor(so, zo));
    const Status st = r.prepare(k8::make_mean_i8());
    ASSERT_TRUE(st.is_ok()) << st.to_string();
    r.run();
    // Reference: sum the reals into the output cell each input maps to.
    const int rank = static_cast<int>(c.shape.size());
    std::vector<bool> red(rank, false);
    for (int32_t a : c.axes) red[a < 0 ? a + rank : a] = true;
    Shape kept;
    int64_t count = 1;
    for (int d = 0; d < rank; ++d) {
      if (red[d]) count *= c.shape[d];
      else kept.push_back(c.shape[d]);
    }
    std::vector<double> sums(num_elements(kept), 0.0);
    for (int64_t i = 0; i < num_elements(c.shape); ++i) {
      int64_t rem = i, out = 0, stride = 1;
      std::vector<int64_t> coord(rank);
      for (int d = rank - 1; d >= 0; --d) {
        coord[d] = rem % c.shape[d];
        rem /= c.shape[d];
      }
      for (int d = rank - 1; d >= 0; --d) {
        if (red[d]) continue;
        out += coord[d] * stride;
        stride *= c.shape[d];
      }
      sums[out] += si * (x[i] - zi);
    }
    std::vector<int> want;
    for (double s : sums) want.push_back(quantize_int8(s / count, so, zo));
    EXPECT_TRUE(within_lsb(r.output<int8_t>(0), want, 1)) << shape_to_string(c.shape);
    EXPECT_GE(exact_fraction(r.output<int8_t>(0), want), 0.95);
  }
}

// Selfie segmentation's decoder upsamples 2x with half-pixel centers: the
// integer kernel's 1/1024-pixel coordinates are exact there, so it matches
// a float bilinear reference within 1 LSB.
TEST(Int8ResizeBilinear, MatchesDoubleReferenceOnExactScales) {
  for (bool half_pixel : {true, false}) {
    for (int64_t factor : {2, 4}) {
      const int64_t h = 8, w = 6, c = 5;
      const auto x = random_ints<int8_t>(h * w * c, 9, -128, 127);
      ResizeAttrs a;
      a.half_pixel_centers = half_pixel;
      KernelRunner r(OpKind::kResizeBilinear, a);
      r.add_input(Shape{1, h, w, c}, x, DType::kI8, per_tensor(0.1f, 3));
      r.add_constant(Shape{2}, std::vector<int32_t>{int32_t(h * factor), int32_t(w * factor)});
      r.add_output(DType::kI8, per_tensor(0.1f, 3));
      const Status st = r.prepare(k8::make_resize_bilinear_i8());
      ASSERT_TRUE(st.is_ok()) << st.to_string();
      r.run();
      auto src = [&](int64_t o) {
        const double s = 1.0 / factor;
        return half_pixel ? (o + 0.5) * s - 0.5 : o * s;
      };
      std::vector<int> want;
      for (int64_t oy = 0; oy < h * factor; ++oy) {
        const double sy = src(oy);
        const int64_t y0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(sy)));
        const int64_t y1 = std::min<int64_t>(static_cast<int64_t>(std::ceil(sy)), h - 1);
        const double fy = sy - y0;
        for (int64_t ox = 0; ox < w * factor; ++ox) {
          const double sx = src(ox);
          const int64_t x0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(sx)));
          const int64_t x1 = std::min<int64_t>(static_cast<int64_t>(std::ceil(sx)), w - 1);
          const double fx = sx - x0;
          for (int64_t ch = 0; ch < c; ++ch) {
            auto v = [&](int64_t yy, int64_t xx) { return static_cast<double>(x[(yy * w + xx) * c + ch]); };
            const double val = v(y0, x0) * (1 - fy) * (1 - fx) + v(y1, x0) * fy * (1 - fx) +
                               v(y0, x1) * (1 - fy) * fx + v(y1, x1) * fy * fx;
            want.push_back(static_cast<int>(std::round(val)));
          }
        }
      }
      EXPECT_TRUE(within_lsb(r.output<int8_t>(0), want, 1))
          << "half_pixel " << half_pixel << " factor " << factor;
    }
  }
}

TEST(Int8Concatenation, CopiesOrRequantizesEachInput) {
  const auto a = random_ints<int8_t>(2 * 3 * 4, 1, -128, 127);
  const auto b = random_ints<int8_t>(2 * 3 * 2, 2, -128, 127);
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{-1, Activation::kNone});
  r.add_input(Shape{2, 3, 4}, a, DType::kI8, per_tensor(0.1f, 5));   // same as output
  r.add_input(Shape{2, 3, 2}, b, DType::kI8, per_tensor(0.37f, -20));  // requantized
  r.add_output(DType::kI8, per_tensor(0.1f, 5));
  const Status st = r.prepare(k8::make_concatenation_i8());
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  r.run();
  EXPECT_EQ(shape_to_string(r.output_tensor(0).shape), "2x3x6");
  std::vector<int> want;
  for (int64_t row = 0; row < 6; ++row) {
    for (int j = 0; j < 4; ++j) want.push_back(a[row * 4 + j]);
    for (int j = 0; j < 2; ++j) want.push_back(quantize_int8(0.37 * (b[row * 2 + j] + 20), 0.1f, 5));
  }
  const std::vector<int8_t> got = r.output<int8_t>(0);
  EXPECT_TRUE(within_lsb(got, want, 1));
  for (int64_t row = 0; row < 6; ++row) {
    for (int j = 0; j < 4; ++j) EXPECT_EQ(got[row * 6 + j], a[row * 4 + j]);  // bit-exact copy
  }
}

// The kernel table: int8 nodes find the int8 kernels; PAD and RESHAPE use
// the dtype-generic kernels, PAD filling with the zero point.
TEST(Int8Registry, FindsInt8KernelsAndGenericPad) {
  KernelRunner r(OpKind::kPad);
  r.add_input(Shape{1, 2, 2, 1}, std::vector<int8_t>{1, 2, 3, 4}, DType::kI8,
              per_tensor(0.1f, -7));
  r.add_constant(Shape{4, 2}, std::vector<int32_t>{0, 0, 1, 0, 0, 1, 0, 0});
  r.add_output(DType::kI8, per_tensor(0.1f, -7));
  std::string why;
  const KernelFactory pad = reference::find_kernel(r.graph(), r.graph().nodes[0], &why);
  ASSERT_NE(pad, nullptr) << why;
  ASSERT_TRUE(r.prepare(pad()).is_ok());
  r.run();
  EXPECT_EQ(r.output<int8_t>(0), (std::vector<int8_t>{-7, -7, -7, 1, 2, -7, 3, 4, -7}));

  KernelRunner conv(OpKind::kConv2D, Conv2DAttrs{});
  conv.add_input(Shape{1, 1, 1, 1}, std::vector<int8_t>{1}, DType::kI8, per_tensor(1.0f, 0));
  EXPECT_EQ(reference::find_kernel(conv.graph(), conv.graph().nodes[0], nullptr),
            &k8::make_conv2d_i8);
}

}  // namespace
}  // namespace opscope::testing

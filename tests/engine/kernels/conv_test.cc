// CONV_2D f32 against a naive NHWC/OHWI convolution in double.
#include <gtest/gtest.h>

#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/linear_test_util.h"

namespace opscope::reference {
namespace {

using testing::add_bias_or_absent;
using testing::add_input_or_constant;
using testing::conv_out_dim;
using testing::expect_kernel_output;
using testing::expect_rejected;
using testing::KernelRunner;
using testing::prepare_on_zeros;
using testing::random_floats;
using testing::reference_activation;

struct ConvCase : testing::ConvCaseSetters<ConvCase> {
  int64_t n = 1, h = 5, w = 5, c = 3;  // input
  int64_t o = 4, kh = 3, kw = 3;       // filter
  Conv2DAttrs attrs;
  bool bias = true;
  bool constant_filter = true;

  ConvCase& filter(int64_t o_, int64_t kh_, int64_t kw_) {
    o = o_, kh = kh_, kw = kw_;
    return *this;
  }
};

void check(const ConvCase& t) {
  SCOPED_TRACE(::testing::Message()
               << "in " << t.n << "x" << t.h << "x" << t.w << "x" << t.c
               << " filter " << t.o << "x" << t.kh << "x" << t.kw
               << " stride " << t.attrs.stride_h << " dilation "
               << t.attrs.dilation_h << " padding "
               << static_cast<int>(t.attrs.padding) << " act "
               << static_cast<int>(t.attrs.activation));
  const auto in = random_floats(t.n * t.h * t.w * t.c, 11);
  const auto filter = random_floats(t.o * t.kh * t.kw * t.c, 12);
  const auto bias = random_floats(t.o, 13);
  const Conv2DAttrs& a = t.attrs;
  int64_t oh, ow, pt, pl;
  conv_out_dim(a.padding, t.h, t.kh, a.stride_h, a.dilation_h,
               a.explicit_pads.top, a.explicit_pads.bottom, &oh, &pt);
  conv_out_dim(a.padding, t.w, t.kw, a.stride_w, a.dilation_w,
               a.explicit_pads.left, a.explicit_pads.right, &ow, &pl);

  std::vector<double> want;
  for (int64_t b = 0; b < t.n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t o = 0; o < t.o; ++o) {
          double acc = t.bias ? bias[o] : 0.0;
          for (int64_t ky = 0; ky < t.kh; ++ky)
            for (int64_t kx = 0; kx < t.kw; ++kx) {
              const int64_t iy = y * a.stride_h - pt + ky * a.dilation_h;
              const int64_t ix = x * a.stride_w - pl + kx * a.dilation_w;
              if (iy < 0 || iy >= t.h || ix < 0 || ix >= t.w) continue;
              for (int64_t c = 0; c < t.c; ++c) {
                acc += static_cast<double>(
                           in[((b * t.h + iy) * t.w + ix) * t.c + c]) *
                       filter[((o * t.kh + ky) * t.kw + kx) * t.c + c];
              }
            }
          want.push_back(reference_activation(acc, a.activation));
        }

  KernelRunner r(OpKind::kConv2D, t.attrs);
  r.add_input({t.n, t.h, t.w, t.c}, in);
  add_input_or_constant(r, {t.o, t.kh, t.kw, t.c}, filter, t.constant_filter);
  add_bias_or_absent(r, bias, t.bias);
  r.add_output();
  expect_kernel_output(r, make_conv2d_f32(), {t.n, oh, ow, t.o}, want);
}

TEST(Conv2D, valid_3x3) { check(ConvCase{}); }

TEST(Conv2D, same_odd_and_even_sizes) {
  for (int64_t size : {5, 6, 7, 8}) {
    for (int stride : {1, 2}) {
      check(ConvCase{}.input(1, size, size + 1, 3).stride(stride).padding(
          Padding::kSame));
      check(ConvCase{}.input(1, size, size + 1, 3).stride(stride).padding(
          Padding::kValid));
    }
  }
}

TEST(Conv2D, even_filter_same) {
  check(ConvCase{}.input(1, 7, 6, 5).filter(3, 2, 4).padding(Padding::kSame));
  check(ConvCase{}.input(1, 7, 6, 5).filter(3, 2, 4).stride(2).padding(
      Padding::kSame));
}

TEST(Conv2D, stride_2) { check(ConvCase{}.input(2, 9, 8, 5).stride(2)); }

TEST(Conv2D, dilation_2) {
  check(ConvCase{}.input(1, 9, 10, 3).dilation(2));
  check(ConvCase{}.input(1, 9, 10, 3).dilation(2).padding(Padding::kSame));
}

TEST(Conv2D, explicit_pads) {
  ConvCase t = ConvCase{}.input(1, 6, 7, 3).padding(Padding::kExplicit);
  t.attrs.explicit_pads = {1, 2, 0, 3};  // top, left, bottom, right
  check(t);
  t.attrs.stride_h = 2;
  check(t);
}

TEST(Conv2D, one_by_one_filter_is_direct) {
  check(ConvCase{}.input(2, 7, 5, 17).filter(9, 1, 1));
  check(ConvCase{}.input(1, 4, 4, 8).filter(16, 1, 1).padding(Padding::kSame));
}

TEST(Conv2D, one_by_one_filter_strided) {
  check(ConvCase{}.input(1, 7, 5, 17).filter(9, 1, 1).stride(2));
}

TEST(Conv2D, one_by_one_filter_padded) {
  // Explicit pads make a 1x1 conv need im2col (zero border pixels).
  ConvCase t = ConvCase{}.input(1, 4, 5, 3).filter(6, 1, 1).padding(
      Padding::kExplicit);
  t.attrs.explicit_pads = {1, 0, 2, 1};
  check(t);
}

TEST(Conv2D, one_by_one_image) {
  check(ConvCase{}.input(1, 1, 1, 3).filter(5, 1, 1));
  check(ConvCase{}.input(2, 1, 1, 5).filter(4, 3, 3).padding(Padding::kSame));
}

TEST(Conv2D, channel_counts_not_multiple_of_8) {
  for (int64_t c : {3, 5, 17}) {
    for (int64_t o : {1, 3, 5, 17}) {
      check(ConvCase{}.input(1, 6, 5, c).filter(o, 3, 3).padding(
          Padding::kSame));
    }
  }
}

TEST(Conv2D, every_activation) {
  for (Activation act : testing::kAllActivations) {
    ConvCase t = ConvCase{}.input(1, 6, 6, 5).filter(7, 3, 3);
    t.attrs.activation = act;
    check(t);
    t.filter(7, 1, 1);  // the direct path clamps too
    check(t);
  }
}

TEST(Conv2D, absent_bias) {
  ConvCase t = ConvCase{}.input(2, 5, 6, 3);
  t.bias = false;
  check(t);
  t.filter(4, 1, 1);
  check(t);
}

TEST(Conv2D, runtime_filter) {
  ConvCase t = ConvCase{}.input(1, 6, 6, 5).stride(2).padding(Padding::kSame);
  t.constant_filter = false;
  check(t);
  t.filter(4, 1, 1).stride(1);
  check(t);
}

TEST(Conv2D, large_image_uses_several_chunks) {
  // 40 x 40 output pixels with K = 27: several im2col chunks.
  check(ConvCase{}.input(1, 40, 40, 3).filter(16, 3, 3).padding(
      Padding::kSame));
  // K = 3 * 3 * 64 = 576 > one GEMM K block; two images.
  check(ConvCase{}.input(2, 9, 9, 64).filter(10, 3, 3).padding(
      Padding::kSame));
}

// ---- rejects ----

Status prepare_conv(Shape in, Shape filter, DType dtype = DType::kF32,
                    Conv2DAttrs attrs = {}) {
  return prepare_on_zeros(OpKind::kConv2D, attrs, make_conv2d_f32(), in, filter,
                          dtype);
}

TEST(Conv2D, rejects_channel_mismatch) {
  const Status st = prepare_conv({1, 5, 5, 3}, {4, 3, 3, 5});
  expect_rejected(st, ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("1x5x5x3"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("4x3x3x5"), std::string::npos) << st.message();
}

TEST(Conv2D, rejects_wrong_dtype) {
  expect_rejected(prepare_conv({1, 5, 5, 3}, {4, 3, 3, 3}, DType::kI32),
                  ErrorCode::kTypeMismatch);
}

TEST(Conv2D, rejects_wrong_rank) {
  expect_rejected(prepare_conv({5, 5, 3}, {4, 3, 3, 3}),
                  ErrorCode::kShapeMismatch);
  expect_rejected(prepare_conv({1, 5, 5, 3}, {4, 9, 3}),
                  ErrorCode::kShapeMismatch);
}

TEST(Conv2D, rejects_zero_stride) {
  Conv2DAttrs attrs;
  attrs.stride_w = 0;
  expect_rejected(prepare_conv({1, 5, 5, 3}, {4, 3, 3, 3}, DType::kF32, attrs),
                  ErrorCode::kInvalidArgument);
}

TEST(Conv2D, rejects_zero_dilation) {
  Conv2DAttrs attrs;
  attrs.dilation_h = 0;
  expect_rejected(prepare_conv({1, 5, 5, 3}, {4, 3, 3, 3}, DType::kF32, attrs),
                  ErrorCode::kInvalidArgument);
}

TEST(Conv2D, rejects_filter_larger_than_valid_input) {
  expect_rejected(prepare_conv({1, 2, 5, 3}, {4, 3, 3, 3}),
                  ErrorCode::kShapeMismatch);
}

TEST(Conv2D, rejects_bias_of_wrong_size) {
  KernelRunner r(OpKind::kConv2D, Conv2DAttrs{});
  r.add_input({1, 5, 5, 3}, std::vector<float>(75));
  r.add_constant({4, 3, 3, 3}, std::vector<float>(108));
  r.add_constant({3}, std::vector<float>(3));
  r.add_output();
  expect_rejected(r.prepare(make_conv2d_f32()), ErrorCode::kShapeMismatch);
}

TEST(Conv2D, rejects_missing_filter) {
  KernelRunner r(OpKind::kConv2D, Conv2DAttrs{});
  r.add_input({1, 5, 5, 3}, std::vector<float>(75));
  r.add_output();
  expect_rejected(r.prepare(make_conv2d_f32()), ErrorCode::kInvalidGraph);
}

}  // namespace
}  // namespace opscope::reference

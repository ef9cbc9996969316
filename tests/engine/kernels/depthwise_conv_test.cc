// DEPTHWISE_CONV_2D f32 against a naive loop in double.
#include <gtest/gtest.h>

#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/linear_test_util.h"

namespace opscope::reference {
namespace {

using testing::add_bias_or_absent;
using testing::conv_out_dim;
using testing::expect_kernel_output;
using testing::expect_rejected;
using testing::KernelRunner;
using testing::prepare_on_zeros;
using testing::random_floats;
using testing::reference_activation;

struct DwCase : testing::ConvCaseSetters<DwCase> {
  int64_t n = 1, h = 6, w = 5, c = 3;
  int64_t kh = 3, kw = 3, m = 1;  // m: depth multiplier
  DepthwiseConv2DAttrs attrs;
  bool bias = true;

  DwCase& filter(int64_t kh_, int64_t kw_, int64_t m_ = 1) {
    kh = kh_, kw = kw_, m = m_;
    attrs.depth_multiplier = static_cast<int>(m_);
    return *this;
  }
  DwCase& activation(Activation a) {
    attrs.activation = a;
    return *this;
  }
};

void check(const DwCase& t) {
  SCOPED_TRACE(::testing::Message()
               << "in " << t.n << "x" << t.h << "x" << t.w << "x" << t.c
               << " filter " << t.kh << "x" << t.kw << " m " << t.m
               << " stride " << t.attrs.stride_h << " dilation "
               << t.attrs.dilation_h << " padding "
               << static_cast<int>(t.attrs.padding) << " act "
               << static_cast<int>(t.attrs.activation));
  const int64_t oc = t.c * t.m;
  const auto in = random_floats(t.n * t.h * t.w * t.c, 21);
  const auto filter = random_floats(t.kh * t.kw * oc, 22);
  const auto bias = random_floats(oc, 23);
  const DepthwiseConv2DAttrs& a = t.attrs;
  int64_t oh, ow, pt, pl;
  conv_out_dim(a.padding, t.h, t.kh, a.stride_h, a.dilation_h,
               a.explicit_pads.top, a.explicit_pads.bottom, &oh, &pt);
  conv_out_dim(a.padding, t.w, t.kw, a.stride_w, a.dilation_w,
               a.explicit_pads.left, a.explicit_pads.right, &ow, &pl);

  std::vector<double> want;
  for (int64_t b = 0; b < t.n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t c = 0; c < t.c; ++c)
          for (int64_t j = 0; j < t.m; ++j) {
            const int64_t o = c * t.m + j;
            double acc = t.bias ? bias[o] : 0.0;
            for (int64_t ky = 0; ky < t.kh; ++ky)
              for (int64_t kx = 0; kx < t.kw; ++kx) {
                const int64_t iy = y * a.stride_h - pt + ky * a.dilation_h;
                const int64_t ix = x * a.stride_w - pl + kx * a.dilation_w;
                if (iy < 0 || iy >= t.h || ix < 0 || ix >= t.w) continue;
                acc += static_cast<double>(
                           in[((b * t.h + iy) * t.w + ix) * t.c + c]) *
                       filter[(ky * t.kw + kx) * oc + o];
              }
            want.push_back(reference_activation(acc, a.activation));
          }

  KernelRunner r(OpKind::kDepthwiseConv2D, t.attrs);
  r.add_input({t.n, t.h, t.w, t.c}, in);
  r.add_constant({1, t.kh, t.kw, oc}, filter);
  add_bias_or_absent(r, bias, t.bias);
  r.add_output();
  expect_kernel_output(r, make_depthwise_conv2d_f32(), {t.n, oh, ow, oc}, want);
}

TEST(DepthwiseConv2D, valid_3x3) { check(DwCase{}); }

TEST(DepthwiseConv2D, same_and_valid_odd_and_even_sizes) {
  for (int64_t size : {4, 5, 7, 8}) {
    for (int stride : {1, 2}) {
      for (Padding p : {Padding::kSame, Padding::kValid}) {
        check(DwCase{}.input(1, size, size + 1, 5).stride(stride).padding(p));
      }
    }
  }
}

TEST(DepthwiseConv2D, dilation_2) {
  check(DwCase{}.input(1, 9, 8, 3).dilation(2));
  check(DwCase{}.input(1, 9, 8, 17).dilation(2).padding(Padding::kSame));
}

TEST(DepthwiseConv2D, depth_multiplier_2) {
  check(DwCase{}.input(1, 6, 6, 3).filter(3, 3, 2));
  check(DwCase{}.input(2, 7, 6, 5).filter(3, 3, 2).stride(2).padding(
      Padding::kSame));
}

TEST(DepthwiseConv2D, multiplier_from_shapes_when_attribute_is_stale) {
  DwCase t = DwCase{}.input(1, 5, 5, 3).filter(3, 3, 3);
  t.attrs.depth_multiplier = 1;
  check(t);
}

TEST(DepthwiseConv2D, channels_not_multiple_of_8) {
  for (int64_t c : {1, 3, 5, 17}) check(DwCase{}.input(1, 5, 6, c));
}

TEST(DepthwiseConv2D, one_by_one) {
  check(DwCase{}.input(1, 1, 1, 5).filter(1, 1));
  check(DwCase{}.input(1, 1, 1, 5).filter(3, 3).padding(Padding::kSame));
  check(DwCase{}.input(1, 4, 5, 17).filter(1, 1, 2).stride(2));
}

TEST(DepthwiseConv2D, explicit_pads) {
  DwCase t = DwCase{}.input(1, 6, 5, 5).padding(Padding::kExplicit);
  t.attrs.explicit_pads = {2, 0, 1, 1};
  check(t);
}

TEST(DepthwiseConv2D, every_activation) {
  for (Activation act : testing::kAllActivations) {
    check(DwCase{}.input(1, 6, 6, 9).activation(act).padding(Padding::kSame));
    check(DwCase{}.input(1, 6, 6, 4).filter(3, 3, 2).activation(act));
  }
}

TEST(DepthwiseConv2D, absent_bias) {
  DwCase t = DwCase{}.input(2, 5, 5, 6);
  t.bias = false;
  check(t);
}

// ---- rejects ----

Status prepare_dw(Shape in, Shape filter, DType dtype = DType::kF32,
                  DepthwiseConv2DAttrs attrs = {}) {
  return prepare_on_zeros(OpKind::kDepthwiseConv2D, attrs,
                          make_depthwise_conv2d_f32(), in, filter, dtype);
}

TEST(DepthwiseConv2D, rejects_channel_mismatch) {
  const Status st = prepare_dw({1, 5, 5, 3}, {1, 3, 3, 4});
  expect_rejected(st, ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("1x3x3x4"), std::string::npos) << st.message();
}

TEST(DepthwiseConv2D, rejects_filter_not_1hwc) {
  expect_rejected(prepare_dw({1, 5, 5, 3}, {3, 3, 3, 3}),
                  ErrorCode::kShapeMismatch);
}

TEST(DepthwiseConv2D, rejects_wrong_dtype) {
  expect_rejected(prepare_dw({1, 5, 5, 3}, {1, 3, 3, 3}, DType::kI32),
                  ErrorCode::kTypeMismatch);
}

TEST(DepthwiseConv2D, rejects_wrong_rank) {
  expect_rejected(prepare_dw({5, 5, 3}, {1, 3, 3, 3}),
                  ErrorCode::kShapeMismatch);
}

TEST(DepthwiseConv2D, rejects_zero_stride) {
  DepthwiseConv2DAttrs attrs;
  attrs.stride_h = 0;
  expect_rejected(prepare_dw({1, 5, 5, 3}, {1, 3, 3, 3}, DType::kF32, attrs),
                  ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace opscope::reference

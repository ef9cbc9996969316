// TRANSPOSE_CONV f32 against a naive scatter in double: the reference
// kernel on every case, and the native kernel (non-overlapping windows,
// kernel = stride, constant filter) on every ISA this CPU runs wherever a
// case has that form.
#include <gtest/gtest.h>

#include <vector>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/linear_test_util.h"
#include "tests/engine/kernels/native_test_util.h"

namespace opscope::reference {
namespace {

using testing::add_bias_or_absent;
using testing::add_input_or_constant;
using testing::expect_kernel_output;
using testing::expect_rejected;
using testing::KernelRunner;
using testing::prepare_on_zeros;
using testing::random_floats;
using testing::reference_activation;

struct TcCase : testing::ConvCaseSetters<TcCase> {
  int64_t n = 1, h = 4, w = 5, c = 3;  // input
  int64_t o = 4, kh = 3, kw = 3;       // filter [O, KH, KW, I]
  TransposeConvAttrs attrs;
  bool bias = true;
  bool constant_filter = true;

  TcCase& filter(int64_t o_, int64_t kh_, int64_t kw_) {
    o = o_, kh = kh_, kw = kw_;
    return *this;
  }
};

// Output size and leading pad of one dimension per TFLite's rules.
void out_dim(const TcCase& t, int64_t given, int64_t in, int64_t k,
             int stride, int pad_lo, int pad_hi, int64_t* out, int64_t* pad) {
  switch (t.attrs.padding) {
    case Padding::kSame:
      *out = given > 0 ? given : in * stride;
      *pad = std::max<int64_t>(0, (in - 1) * stride + k - *out) / 2;
      break;
    case Padding::kValid:
      *out = given > 0 ? given : (in - 1) * stride + k;
      *pad = 0;
      break;
    case Padding::kExplicit:
      *out = given > 0 ? given : (in - 1) * stride + k - pad_lo - pad_hi;
      *pad = pad_lo;
      break;
  }
}

// Returns how many native runs the case made.
int check(const TcCase& t) {
  SCOPED_TRACE(::testing::Message()
               << "in " << t.n << "x" << t.h << "x" << t.w << "x" << t.c
               << " filter " << t.o << "x" << t.kh << "x" << t.kw
               << " stride " << t.attrs.stride_h << " padding "
               << static_cast<int>(t.attrs.padding) << " act "
               << static_cast<int>(t.attrs.activation));
  const auto in = random_floats(t.n * t.h * t.w * t.c, 31);
  const auto filter = random_floats(t.o * t.kh * t.kw * t.c, 32);
  const auto bias = random_floats(t.o, 33);
  const TransposeConvAttrs& a = t.attrs;
  const bool given = !a.output_shape.empty();
  int64_t oh, ow, pt, pl;
  out_dim(t, given ? a.output_shape[1] : 0, t.h, t.kh, a.stride_h,
          a.explicit_pads.top, a.explicit_pads.bottom, &oh, &pt);
  out_dim(t, given ? a.output_shape[2] : 0, t.w, t.kw, a.stride_w,
          a.explicit_pads.left, a.explicit_pads.right, &ow, &pl);

  std::vector<double> acc(t.n * oh * ow * t.o, 0.0);
  for (int64_t b = 0; b < t.n; ++b)
    for (int64_t y = 0; y < t.h; ++y)
      for (int64_t x = 0; x < t.w; ++x)
        for (int64_t ky = 0; ky < t.kh; ++ky)
          for (int64_t kx = 0; kx < t.kw; ++kx) {
            const int64_t oy = y * a.stride_h + ky - pt;
            const int64_t ox = x * a.stride_w + kx - pl;
            if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
            for (int64_t o = 0; o < t.o; ++o)
              for (int64_t c = 0; c < t.c; ++c) {
                acc[((b * oh + oy) * ow + ox) * t.o + o] +=
                    static_cast<double>(
                        in[((b * t.h + y) * t.w + x) * t.c + c]) *
                    filter[((o * t.kh + ky) * t.kw + kx) * t.c + c];
              }
          }
  for (size_t i = 0; i < acc.size(); ++i) {
    acc[i] = reference_activation(acc[i] + (t.bias ? bias[i % t.o] : 0.0),
                                  a.activation);
  }

  const auto run = [&](std::unique_ptr<Kernel> kernel) {
    KernelRunner r(OpKind::kTransposeConv, t.attrs);
    r.add_input({t.n, t.h, t.w, t.c}, in);
    add_input_or_constant(r, {t.o, t.kh, t.kw, t.c}, filter, t.constant_filter);
    add_bias_or_absent(r, bias, t.bias);
    r.add_output();
    expect_kernel_output(r, std::move(kernel), {t.n, oh, ow, t.o}, acc);
  };
  run(make_transpose_conv_f32());
  int native_runs = 0;
  if (t.kh == a.stride_h && t.kw == a.stride_w && t.constant_filter) {
    for (native::Isa isa : testing::native_isas()) {
      ++native_runs;
      SCOPED_TRACE(std::string("native isa=") + std::string(native::to_string(isa)));
      native::NativeEnv env;
      env.isa = isa;
      run(native::make_native_transpose_conv_f32(env));
    }
  }
  return native_runs;
}

TEST(TransposeConv, same_stride_2) {
  check(TcCase{}.stride(2).padding(Padding::kSame));
  check(TcCase{}.filter(4, 4, 4).stride(2).padding(Padding::kSame));
}

TEST(TransposeConv, valid_stride_2) {
  check(TcCase{}.stride(2).padding(Padding::kValid));
  check(TcCase{}.filter(5, 2, 2).stride(2).padding(Padding::kValid));
}

TEST(TransposeConv, stride_1) {
  check(TcCase{}.padding(Padding::kSame));
  check(TcCase{}.padding(Padding::kValid));
}

TEST(TransposeConv, odd_and_even_sizes) {
  for (int64_t size : {3, 4}) {
    for (int64_t k : {2, 3}) {
      for (Padding p : {Padding::kSame, Padding::kValid}) {
        check(TcCase{}.input(1, size, size + 1, 5).filter(3, k, k).stride(2)
                  .padding(p));
      }
    }
  }
}

TEST(TransposeConv, given_output_shape) {
  // 4x5 input, stride 2, 3x3 filter: SAME gives 8x10; the model may state
  // 7x9 instead (TFLite keeps what the model says).
  TcCase t = TcCase{}.stride(2).padding(Padding::kSame);
  t.attrs.output_shape = {1, 7, 9, 4};
  check(t);
  t.attrs.output_shape = {1, 8, 10, 4};
  check(t);
  t.padding(Padding::kValid);
  t.attrs.output_shape = {1, 9, 11, 4};
  check(t);
}

TEST(TransposeConv, explicit_pads) {
  TcCase t = TcCase{}.filter(3, 4, 4).stride(2).padding(Padding::kExplicit);
  t.attrs.explicit_pads = {1, 1, 1, 1};
  check(t);
}

TEST(TransposeConv, one_by_one) {
  check(TcCase{}.input(1, 1, 1, 3).filter(5, 3, 3).stride(2).padding(
      Padding::kSame));
  check(TcCase{}.input(2, 3, 3, 17).filter(5, 1, 1).padding(Padding::kValid));
}

TEST(TransposeConv, channels_not_multiple_of_8) {
  for (int64_t c : {3, 5, 17}) {
    check(TcCase{}.input(1, 3, 4, c).filter(c, 3, 3).stride(2).padding(
        Padding::kSame));
  }
}

TEST(TransposeConv, every_activation) {
  for (Activation act : testing::kAllActivations) {
    TcCase t = TcCase{}.stride(2).padding(Padding::kSame);
    t.attrs.activation = act;
    check(t);
  }
}

TEST(TransposeConv, absent_bias_and_batch_2) {
  TcCase t = TcCase{}.input(2, 3, 4, 5).stride(2).padding(Padding::kSame);
  t.bias = false;
  check(t);
}

TEST(TransposeConv, runtime_filter) {
  TcCase t = TcCase{}.input(1, 3, 4, 5).stride(2).padding(Padding::kSame);
  t.constant_filter = false;
  check(t);
}

TEST(TransposeConv, large_input_uses_several_chunks) {
  check(TcCase{}.input(1, 40, 40, 8).filter(4, 3, 3).stride(2).padding(
      Padding::kSame));
}

// Non-overlapping windows (kernel = stride): the native kernel's cases.
// Channel counts around its 8- and 16-wide steps, 1 to 5 output channels
// (its groups of 4 rows), unequal kernels, pads that crop and an output
// shape wider than the input reaches (those pixels keep the bias).
TEST(TransposeConv, kernel_equals_stride) {
  int native_runs = 0;
  for (int64_t c : {1, 7, 8, 16, 17, 33}) {
    for (int64_t o : {1, 2, 5}) {
      native_runs += check(TcCase{}.input(1, 5, 6, c).filter(o, 2, 2).stride(2).padding(Padding::kSame));
    }
  }
  TcCase t = TcCase{}.input(2, 3, 4, 16).filter(3, 3, 3).stride(3).padding(Padding::kValid);
  native_runs += check(t);
  t.bias = false;
  native_runs += check(t);
  t = TcCase{}.input(1, 4, 3, 9).filter(2, 2, 3).padding(Padding::kValid);
  t.attrs.stride_h = 2;
  t.attrs.stride_w = 3;
  native_runs += check(t);
  t = TcCase{}.input(1, 4, 4, 16).filter(1, 2, 2).stride(2).padding(Padding::kExplicit);
  t.attrs.explicit_pads = {1, 1, 1, 1};
  native_runs += check(t);
  t = TcCase{}.input(1, 4, 5, 16).filter(1, 2, 2).stride(2).padding(Padding::kSame);
  t.attrs.output_shape = {1, 9, 12, 1};
  native_runs += check(t);
  for (Activation act : testing::kAllActivations) {
    t = TcCase{}.input(1, 3, 4, 16).filter(2, 2, 2).stride(2).padding(Padding::kSame);
    t.attrs.activation = act;
    native_runs += check(t);
  }
  EXPECT_GE(native_runs, 27 * static_cast<int>(testing::native_isas().size()));
}

TEST(TransposeConv, native_declines_overlapping_windows) {
  testing::KernelRunner r(OpKind::kTransposeConv, TcCase{}.stride(2).attrs);
  r.add_input({1, 4, 5, 3}, std::vector<float>(60));
  r.add_constant({4, 3, 3, 3}, std::vector<float>(108));
  r.add_output();
  std::string why;
  EXPECT_FALSE(native::native_supports_transpose_conv_f32(r.graph(), r.graph().nodes[0], &why));
  EXPECT_NE(why.find("windows overlap (kernel 3x3, stride 2x2)"), std::string::npos) << why;
}

// ---- rejects ----

Status prepare_tc(Shape in, Shape filter, DType dtype = DType::kF32,
                  TransposeConvAttrs attrs = {}) {
  return prepare_on_zeros(OpKind::kTransposeConv, attrs,
                          make_transpose_conv_f32(), in, filter, dtype);
}

TEST(TransposeConv, rejects_channel_mismatch) {
  const Status st = prepare_tc({1, 4, 4, 3}, {2, 3, 3, 5});
  expect_rejected(st, ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("1x4x4x3"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("2x3x3x5"), std::string::npos) << st.message();
}

TEST(TransposeConv, rejects_wrong_dtype) {
  expect_rejected(prepare_tc({1, 4, 4, 3}, {2, 3, 3, 3}, DType::kI32),
                  ErrorCode::kTypeMismatch);
}

TEST(TransposeConv, rejects_wrong_rank) {
  expect_rejected(prepare_tc({4, 4, 3}, {2, 3, 3, 3}),
                  ErrorCode::kShapeMismatch);
}

TEST(TransposeConv, rejects_output_shape_with_wrong_channels) {
  TransposeConvAttrs attrs;
  attrs.output_shape = {1, 6, 6, 3};
  expect_rejected(prepare_tc({1, 4, 4, 3}, {2, 3, 3, 3}, DType::kF32, attrs),
                  ErrorCode::kShapeMismatch);
}

TEST(TransposeConv, rejects_zero_stride) {
  TransposeConvAttrs attrs;
  attrs.stride_w = 0;
  expect_rejected(prepare_tc({1, 4, 4, 3}, {2, 3, 3, 3}, DType::kF32, attrs),
                  ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace opscope::reference

// The native int8 DEPTHWISE_CONV_2D is bit-exact with the reference kernel
// on every ISA this CPU runs: 3x3 and 5x5 windows, strides 1 and 2,
// dilation 2, SAME and VALID padding, channel counts around the vector
// widths, per-tensor and per-channel weights, fused activations, zero
// points at the ends of the range, multipliers above 1 (left shifts) and
// tiny ones, biases near the int32 limits (the wrapping sum) and outputs
// that saturate.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "tests/engine/kernels/native_test_util.h"
#include "tests/engine/test_random.h"

namespace opscope::testing {
namespace {

struct DwCase {
  int64_t h, w, c;
  int k, stride, dilation;
  Padding padding;
  bool per_channel;
  Activation act;
  int in_zp, out_zp;
  float in_scale, out_scale;
  int bias_kind;  // 0 none, 1 small, 2 near the int32 limits
};

// The requantization every case runs with (the tests below set it).
Requantization g_requantization = Requantization::kFixedPoint;

int run_case(const DwCase& dc, uint32_t seed) {
  DepthwiseConv2DAttrs attrs;
  attrs.padding = dc.padding;
  attrs.stride_h = attrs.stride_w = dc.stride;
  attrs.dilation_h = attrs.dilation_w = dc.dilation;
  attrs.activation = dc.act;
  const Shape in{1, dc.h, dc.w, dc.c};
  const Shape fshape{1, dc.k, dc.k, dc.c};
  const auto x = random_ints<int8_t>(static_cast<size_t>(num_elements(in)), seed, -128, 127);
  const auto f =
      random_ints<int8_t>(static_cast<size_t>(num_elements(fshape)), seed + 1, -127, 127);
  std::vector<int32_t> bias;
  if (dc.bias_kind == 1) {
    bias = random_ints<int32_t>(static_cast<size_t>(dc.c), seed + 2, -5000, 5000);
  } else if (dc.bias_kind == 2) {
    bias = random_ints<int32_t>(static_cast<size_t>(dc.c), seed + 2, -2000, 2000);
    for (size_t i = 0; i < bias.size(); ++i) {
      bias[i] = i % 2 == 0 ? (INT32_MAX - 2000) - bias[i] : (INT32_MIN + 2000) + bias[i];
    }
  }
  Quantization fq;
  if (dc.per_channel) {
    const auto s = random_floats(static_cast<size_t>(dc.c), seed + 3, 0.001f, 0.05f);
    fq.scales = s;
    fq.zero_points.assign(s.size(), 0);
    fq.axis = 3;
  } else {
    fq = q8(0.02f, 0);
  }
  const RunnerSetup setup = [&](KernelRunner& r) {
    r.set_requantization(g_requantization);
    r.add_input(in, x, DType::kI8, q8(dc.in_scale, dc.in_zp));
    r.add_constant(fshape, f, DType::kI8, fq);
    if (dc.bias_kind == 0) {
      r.add_absent_input();
    } else {
      r.add_constant(Shape{dc.c}, bias, DType::kI32);
    }
    r.add_output(DType::kI8, q8(dc.out_scale, dc.out_zp));
  };
  const std::string label =
      shape_to_string(in) + " k=" + std::to_string(dc.k) + " s=" + std::to_string(dc.stride) +
      " d=" + std::to_string(dc.dilation) + (dc.padding == Padding::kSame ? " SAME" : " VALID") +
      " pc=" + std::to_string(dc.per_channel) + " zp=" + std::to_string(dc.in_zp) + "/" +
      std::to_string(dc.out_zp) + " out_scale=" + std::to_string(dc.out_scale) +
      " bias=" + std::to_string(dc.bias_kind) + " act=" + std::to_string(static_cast<int>(dc.act));
  return expect_native_matches_reference(OpKind::kDepthwiseConv2D, attrs, setup,
                                         reference::int8::make_depthwise_conv2d_i8,
                                         native::make_native_depthwise_conv2d_i8, label);
}

void bit_exact_with_reference();

TEST(NativeDepthwiseConv2DI8, BitExactWithReference) { bit_exact_with_reference(); }

// ONNX Runtime's float requantization (a node made by QDQ fusion).
TEST(NativeDepthwiseConv2DI8, FloatRequantizationBitExactWithReference) {
  g_requantization = Requantization::kFloat;
  bit_exact_with_reference();
  g_requantization = Requantization::kFixedPoint;
}

void bit_exact_with_reference() {
  struct Window {
    int k, stride, dilation;
    Padding padding;
  };
  const Window windows[] = {{3, 1, 1, Padding::kSame},  {3, 2, 1, Padding::kSame},
                            {3, 1, 1, Padding::kValid}, {3, 2, 1, Padding::kValid},
                            {5, 1, 1, Padding::kSame},  {5, 2, 1, Padding::kSame},
                            {3, 1, 2, Padding::kSame}};
  const int64_t channels[] = {1, 3, 8, 16, 17, 33, 64};
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                             Activation::kReluN1To1};
  struct Quant {
    int in_zp, out_zp;
    float in_scale, out_scale;
  };
  // Plain; zero points at the ends; an output scale so small that the
  // multiplier exceeds 1 (left shift) and most outputs saturate; one so large
  // that the multiplier underflows to 0.
  const Quant quants[] = {{3, -5, 0.05f, 0.02f},
                          {-128, 127, 0.05f, 0.1f},
                          {127, -128, 0.05f, 0.1f},
                          {0, 0, 0.5f, 0.0001f},
                          {-7, 9, 0.05f, 1e9f}};
  uint32_t seed = 100;
  int compared = 0, i = 0;
  for (const Window& win : windows) {
    for (int64_t c : channels) {
      const Quant& qu = quants[i % 5];
      DwCase dc{7 + i % 3,    9 - i % 4,  c,           win.k,    win.stride, win.dilation,
                win.padding,  i % 2 == 0, acts[i % 4], qu.in_zp, qu.out_zp,  qu.in_scale,
                qu.out_scale, i % 3};
      compared += run_case(dc, seed);
      seed += 7;
      ++i;
    }
  }
  // Every quantization and bias on a model-like shape.
  for (int q = 0; q < 5; ++q) {
    for (int b = 0; b < 3; ++b) {
      const Quant& qu = quants[q];
      DwCase dc{12,
                12,
                48,
                3,
                1,
                1,
                Padding::kSame,
                true,
                Activation::kRelu6,
                qu.in_zp,
                qu.out_zp,
                qu.in_scale,
                qu.out_scale,
                b};
      compared += run_case(dc, seed);
      seed += 7;
      dc.k = 5;
      dc.stride = 2;
      dc.c = 40;
      dc.act = Activation::kNone;
      compared += run_case(dc, seed);
      seed += 7;
    }
  }
  // A 1x1 window (one tap, paired with nothing) and a 9x9 one (more taps
  // than the interior path's offset table: every pixel takes the border
  // path).
  for (int k : {1, 9}) {
    for (int64_t c : {int64_t{5}, int64_t{17}, int64_t{40}}) {
      DwCase dc{11, 10, c,     k,     1, 1, Padding::kSame, true, Activation::kNone,
                -9, 4,  0.05f, 0.02f, 1};
      compared += run_case(dc, seed++);
    }
  }
  // Inputs smaller than the window; a 1x1 image.
  for (int64_t hw : {1, 2, 4}) {
    DwCase dc{hw, hw, 17, 5, 1, 1, Padding::kSame, true, Activation::kNone, 4, -3, 0.05f, 0.02f, 1};
    compared += run_case(dc, seed++);
  }
  EXPECT_GT(compared, 0);
}

// Images wide enough for the AVX-512 vpdpbusd path's unmasked chunks: with
// stride 1 a chunk spans pixels and its channels start at a phase (16 and
// 32 channels: one phase; 24, 48, 72, 144: several; 1000: too many, so 64
// channels of one pixel per chunk), stride 2 (one or two loads per pixel of
// a chunk from 64 channels up), row ends that are not
// whole chunks, SAME and VALID borders, dilation, and every quantization.
void bit_exact_on_wide_images();

TEST(NativeDepthwiseConv2DI8, BitExactOnWideImages) { bit_exact_on_wide_images(); }

// The same with ONNX Runtime's float requantization (every AVX-512 path).
TEST(NativeDepthwiseConv2DI8, FloatRequantizationBitExactOnWideImages) {
  g_requantization = Requantization::kFloat;
  bit_exact_on_wide_images();
  g_requantization = Requantization::kFixedPoint;
}

void bit_exact_on_wide_images() {
  struct Quant {
    int in_zp, out_zp;
    float in_scale, out_scale;
  };
  const Quant quants[] = {{3, -5, 0.05f, 0.02f},
                          {-128, 127, 0.05f, 0.1f},
                          {127, -128, 0.05f, 0.1f},
                          {0, 0, 0.5f, 0.0001f},
                          {-7, 9, 0.05f, 1e9f}};
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                             Activation::kReluN1To1};
  struct Shape3 {
    int64_t h, w, c;
  };
  const Shape3 shapes[] = {{9, 37, 16}, {8, 21, 32}, {7, 19, 24}, {6, 11, 48},
                           {5, 9, 144}, {5, 13, 64}, {6, 13, 72}, {4, 6, 1000}, {6, 70, 1}};
  struct Window {
    int k, stride, dilation;
    Padding padding;
  };
  const Window windows[] = {{3, 1, 1, Padding::kSame}, {3, 2, 1, Padding::kSame},
                            {5, 1, 1, Padding::kValid}, {3, 1, 2, Padding::kSame},
                            {5, 2, 1, Padding::kSame}};
  uint32_t seed = 900;
  int compared = 0, i = 0;
  for (const Shape3& sh : shapes) {
    for (const Window& win : windows) {
      const Quant& qu = quants[i % 5];
      DwCase dc{sh.h,     sh.w,      sh.c,         win.k,        win.stride,
                win.dilation, win.padding, i % 2 == 0, acts[i % 4], qu.in_zp,
                qu.out_zp, qu.in_scale, qu.out_scale, i % 3};
      compared += run_case(dc, seed);
      seed += 7;
      ++i;
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(NativeDepthwiseConv2DI8, DeclinesDepthMultiplier) {
  Graph g;
  Tensor in;
  in.dtype = DType::kI8;
  in.shape = {1, 4, 4, 2};
  in.quantization = q8(0.1f, 0);
  Tensor f = in;
  f.shape = {1, 3, 3, 4};
  f.role = TensorRole::kConstant;
  Tensor out = in;
  out.shape = {1, 4, 4, 4};
  g.tensors = {in, f, out};
  Node node;
  node.op = OpKind::kDepthwiseConv2D;
  node.attrs = DepthwiseConv2DAttrs{};
  node.inputs = {0, 1};
  node.outputs = {2};
  std::string why;
  EXPECT_FALSE(native::native_supports_depthwise_conv2d(g, node, &why));
  EXPECT_NE(why.find("depth multiplier"), std::string::npos) << why;
}

}  // namespace
}  // namespace opscope::testing

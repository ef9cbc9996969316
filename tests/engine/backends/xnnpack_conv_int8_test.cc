// XNNPACK backend: int8 CONV_2D and DEPTHWISE_CONV_2D (qs8 and per-channel
// qc8). int8 has no reference kernel yet, so the XNNPACK op runs directly
// and is compared with a double-precision TFLite-semantics reference in this
// file, within 1 LSB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tests/engine/backends/xnn_conv_cases.h"
#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

struct Q8Case {
  bool depthwise = false;
  bool per_channel = false;
  int64_t batch = 1, h = 10, w = 9, c = 8;
  int64_t out_c = 12;  // regular conv
  int multiplier = 1;  // depthwise
  int k = 3, stride = 1, dilation = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool bias = true;
  int32_t in_zp = -3, out_zp = 5;
  float in_scale = 0.05f, out_scale = 0.08f;
};

std::string case_name(const Q8Case& p) {
  std::string s = p.depthwise ? "dw" : "conv";
  s += p.per_channel ? "_qc8" : "_qs8";
  return s + window_name(p);
}
void PrintTo(const Q8Case& p, std::ostream* os) { *os << case_name(p); }

// One spatial dim of a forward window op (TFLite SAME/VALID).
struct Dim {
  int64_t out, pad;
};
Dim window(Padding padding, int64_t in, int k, int stride, int dilation) {
  const int64_t eff = static_cast<int64_t>(k - 1) * dilation + 1;
  if (padding == Padding::kValid) return {(in - eff) / stride + 1, 0};
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + eff - in);
  return {out, total / 2};
}

struct Q8Data {
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;
  std::vector<float> filter_scales;
  Shape output_shape;
  std::vector<int8_t> expected;
};

// TFLite int8 semantics in double: acc = bias + sum (x - in_zp) * w; y =
// out_zp + round(acc * in_scale * w_scale / out_scale), clamped.
Q8Data make_q8_data(const Q8Case& p, uint32_t seed) {
  Q8Data d;
  const int64_t oc = p.depthwise ? p.c * p.multiplier : p.out_c;
  const int64_t in_gc = p.depthwise ? 1 : p.c;
  d.input = random_ints<int8_t>(p.batch * p.h * p.w * p.c, seed, -128, 127);
  d.filter = random_ints<int8_t>(oc * p.k * p.k * in_gc, seed + 1, -127, 127);
  d.bias = random_ints<int32_t>(oc, seed + 2, -2000, 2000);
  if (!p.bias) d.bias.assign(oc, 0);
  d.filter_scales.assign(p.per_channel ? oc : 1, 0.004f);
  if (p.per_channel) {
    for (int64_t o = 0; o < oc; ++o) d.filter_scales[o] = 0.001f + 0.0007f * (o % 9);
  }
  const Dim dh = window(p.padding, p.h, p.k, p.stride, p.dilation);
  const Dim dw = window(p.padding, p.w, p.k, p.stride, p.dilation);
  d.output_shape = {p.batch, dh.out, dw.out, oc};
  int lo, hi;
  quantized_activation(p.activation, p.out_scale, p.out_zp, &lo, &hi);
  d.expected.resize(num_elements(d.output_shape));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t oy = 0; oy < dh.out; ++oy) {
      for (int64_t ox = 0; ox < dw.out; ++ox) {
        for (int64_t o = 0; o < oc; ++o) {
          int64_t acc = d.bias[o];
          for (int ky = 0; ky < p.k; ++ky) {
            const int64_t iy = oy * p.stride - dh.pad + ky * p.dilation;
            if (iy < 0 || iy >= p.h) continue;
            for (int kx = 0; kx < p.k; ++kx) {
              const int64_t ix = ox * p.stride - dw.pad + kx * p.dilation;
              if (ix < 0 || ix >= p.w) continue;
              const int8_t* px = &d.input[((n * p.h + iy) * p.w + ix) * p.c];
              if (p.depthwise) {
                const int64_t ic = o / p.multiplier;
                const int8_t w = d.filter[(ky * p.k + kx) * oc + o];
                acc += (int64_t{px[ic]} - p.in_zp) * w;
              } else {
                for (int64_t ic = 0; ic < p.c; ++ic) {
                  const int8_t w = d.filter[((o * p.k + ky) * p.k + kx) * p.c + ic];
                  acc += (int64_t{px[ic]} - p.in_zp) * w;
                }
              }
            }
          }
          const double m = double{p.in_scale} * d.filter_scales[p.per_channel ? o : 0] /
                           p.out_scale;
          d.expected[((n * dh.out + oy) * dw.out + ox) * oc + o] =
              requantize(static_cast<double>(acc), m, p.out_zp, lo, hi);
        }
      }
    }
  }
  return d;
}

OneNodeGraph make_conv_q8(const Q8Case& p, const Q8Data& d) {
  const int64_t oc = p.depthwise ? p.c * p.multiplier : p.out_c;
  OneNodeGraph m = conv_node(p);
  m.add_input<int8_t>({p.batch, p.h, p.w, p.c}, d.input, per_tensor(p.in_scale, p.in_zp));
  const Shape filter = p.depthwise ? Shape{1, p.k, p.k, oc} : Shape{oc, p.k, p.k, p.c};
  Quantization fq = p.per_channel ? per_channel(d.filter_scales, p.depthwise ? 3 : 0)
                                  : per_tensor(d.filter_scales[0], 0);
  m.add_constant<int8_t>(filter, d.filter, fq);
  if (p.bias) {
    Quantization bq;
    for (float s : d.filter_scales) bq.scales.push_back(p.in_scale * s);
    bq.zero_points.assign(bq.scales.size(), 0);
    bq.axis = p.per_channel ? 0 : -1;
    m.add_constant<int32_t>({oc}, d.bias, bq);
  }
  m.add_output(DType::kI8, per_tensor(p.out_scale, p.out_zp), d.output_shape);
  return m;
}

class XnnConvQ8Test : public ::testing::TestWithParam<Q8Case> {};

TEST_P(XnnConvQ8Test, MatchesTfliteSemanticsWithin1Lsb) {
  const Q8Case& p = GetParam();
  const Q8Data d = make_q8_data(p, 7);
  OneNodeGraph m = make_conv_q8(p, d);
  std::vector<uint8_t> out;
  const Status st = m.run_xnn_op(&out);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  const std::vector<int8_t> got = values_of<int8_t>(out);
  EXPECT_TRUE(within_lsb(got, d.expected));
  // Rounding differences are rare: nearly all values match exactly.
  size_t exact = 0;
  for (size_t i = 0; i < got.size(); ++i) exact += got[i] == d.expected[i];
  EXPECT_GE(exact * 100, got.size() * 95) << exact << " of " << got.size() << " exact";
}

std::vector<Q8Case> conv_q8_cases() {
  std::vector<Q8Case> cases;
  struct Window {
    int k, stride, dilation;
    Padding padding;
  };
  const Window windows[] = {{3, 1, 1, Padding::kSame}, {3, 2, 1, Padding::kSame},
                            {3, 2, 1, Padding::kValid}, {1, 1, 1, Padding::kValid},
                            {5, 1, 1, Padding::kSame},  {3, 1, 2, Padding::kSame},
                            {7, 1, 1, Padding::kSame}};
  int i = 0;
  for (bool depthwise : {false, true}) {
    for (bool per_channel : {false, true}) {
      for (const Window& win : windows) {
        for (int mult : depthwise ? std::vector<int>{1, 2} : std::vector<int>{1}) {
          Q8Case p;
          p.depthwise = depthwise;
          p.per_channel = per_channel;
          p.multiplier = mult;
          p.k = win.k;
          p.stride = win.stride;
          p.dilation = win.dilation;
          p.padding = win.padding;
          p.c = (i % 3 == 0) ? 3 : (i % 3 == 1 ? 17 : 32);
          p.activation = kClampActivations[i % 4];
          p.bias = i % 5 != 4;
          cases.push_back(p);
          ++i;
        }
      }
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, XnnConvQ8Test, ::testing::ValuesIn(conv_q8_cases()),
                         [](const ::testing::TestParamInfo<Q8Case>& info) {
                           return case_name(info.param);
                         });

TEST(XnnConvQ8, TwoThreadsMatch) {
  for (bool per_channel : {false, true}) {
    Q8Case p;
    p.per_channel = per_channel;
    p.h = p.w = 20;
    p.c = 32;
    p.out_c = 40;
    const Q8Data d = make_q8_data(p, 11);
    OneNodeGraph m = make_conv_q8(p, d);
    std::vector<uint8_t> out;
    const Status st = m.run_xnn_op(&out, /*threads=*/2);
    ASSERT_TRUE(st.is_ok()) << st.to_string();
    EXPECT_TRUE(within_lsb(values_of<int8_t>(out), d.expected));
  }
}

TEST(XnnConvQ8, SupportsReportsWhatXnnpackCannotTake) {
  auto reason = [](Q8Case p, auto&& edit) {
    const Q8Data d = make_q8_data(p, 3);
    OneNodeGraph m = make_conv_q8(p, d);
    edit(m);
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    return why;
  };
  Q8Case p;
  // Fused TANH.
  {
    Q8Case t = p;
    t.activation = Activation::kTanh;
    EXPECT_NE(reason(t, [](OneNodeGraph&) {}).find("TANH"), std::string::npos);
  }
  // Asymmetric weights.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[1]].quantization.zero_points = {3};
            }).find("zero point"),
            std::string::npos);
  // Per-channel along the wrong axis (the input-channel axis of OHWI).
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              Tensor& f = m.graph().tensors[m.node().inputs[1]];
              f.quantization = per_channel(std::vector<float>(f.shape[3], 0.01f), 3);
            }).find("per channel"),
            std::string::npos);
  // A non-constant filter.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[1]].role = TensorRole::kInput;
            }).find("not a constant"),
            std::string::npos);
  // Requantization scale out of XNNPACK's range.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().outputs[0]].quantization = per_tensor(1e-9f, 0);
            }).find("requantization"),
            std::string::npos);
  // RELU6 with a scale so coarse that only one value is left.
  {
    Q8Case t = p;
    t.activation = Activation::kRelu6;
    t.out_scale = 100.0f;
    t.out_zp = 0;
    EXPECT_NE(reason(t, [](OneNodeGraph&) {}).find("single"), std::string::npos);
  }
  // f32 bias on an int8 conv; i8 output required.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[2]].dtype = DType::kF32;
            }).find("bias"),
            std::string::npos);
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().outputs[0]].dtype = DType::kF32;
            }).find("output"),
            std::string::npos);
  // Per-channel input activations.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[0]].quantization =
                  per_channel(std::vector<float>(8, 0.1f), 3);
            }).find("per tensor"),
            std::string::npos);
}

}  // namespace
}  // namespace opscope::testing

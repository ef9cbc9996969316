// Naive double-precision references of the int8 conv-like ops, written from
// TFLite's documented int8 spec (real = scale * (q - zero_point); per-channel
// symmetric weights; int32 bias with scale s_in * s_w), and the seeded cases
// that both the int8 kernel tests and the XNNPACK conformance test run:
//
//   y = clamp(zp_out + round_half_away(acc * s_in * s_w[c] / s_out)), with
//   acc = bias[c] + sum (x - zp_in) * w   (exact, in int64).
#pragma once

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/tensor.h"
#include "tests/engine/backends/xnn_compare_util.h"
#include "tests/engine/test_random.h"
#include "tests/engine/test_tensors.h"

namespace opscope::testing {

enum class ConvOp { kConv, kDepthwise, kFullyConnected };

struct Int8ConvCase {
  ConvOp op = ConvOp::kConv;
  bool per_channel = false;
  int64_t batch = 1, h = 10, w = 9, c = 8;
  int64_t out_c = 12;  // conv and FC (FC: output features, input features c)
  int multiplier = 1;  // depthwise
  int k = 3, stride = 1, dilation = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool bias = true;
  float in_scale = 0.05f, out_scale = 0.08f;
  int32_t in_zp = -3, out_zp = 5;
  uint32_t seed = 1;
};

inline std::string int8_case_name(const Int8ConvCase& p) {
  std::string s = p.op == ConvOp::kConv ? "conv" : (p.op == ConvOp::kDepthwise ? "dw" : "fc");
  s += p.per_channel ? "_pc" : "_pt";
  s += "_" + std::to_string(p.batch) + "x" + std::to_string(p.h) + "x" + std::to_string(p.w) +
       "x" + std::to_string(p.c);
  if (p.op == ConvOp::kFullyConnected) return s + "_o" + std::to_string(p.out_c);
  s += "_k" + std::to_string(p.k) + "s" + std::to_string(p.stride) + "d" +
       std::to_string(p.dilation) + (p.padding == Padding::kSame ? "same" : "valid");
  if (p.op == ConvOp::kConv) s += "_o" + std::to_string(p.out_c);
  if (p.op == ConvOp::kDepthwise) s += "_m" + std::to_string(p.multiplier);
  s += "_a" + std::to_string(static_cast<int>(p.activation));
  return s + (p.bias ? "" : "_nobias");
}

// gtest prints a parameter with this (found by ADL).
inline void PrintTo(const Int8ConvCase& p, std::ostream* os) { *os << int8_case_name(p); }

struct Int8ConvData {
  Shape input_shape, filter_shape, output_shape;
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;  // empty when the case has none
  std::vector<float> filter_scales;  // one, or one per output channel
  Quantization input_q, filter_q, bias_q, output_q;
  std::vector<int> expected;
};

inline int64_t int8_case_out_channels(const Int8ConvCase& p) {
  return p.op == ConvOp::kDepthwise ? p.c * p.multiplier : p.out_c;
}

// Output size and leading pad of one window dim (TFLite SAME/VALID).
inline void ref_window(Padding padding, int64_t in, int k, int stride, int dilation,
                       int64_t* out, int64_t* pad) {
  const int64_t eff = static_cast<int64_t>(k - 1) * dilation + 1;
  if (padding == Padding::kValid) {
    *out = (in - eff) / stride + 1;
    *pad = 0;
    return;
  }
  *out = (in + stride - 1) / stride;
  *pad = std::max<int64_t>(0, (*out - 1) * stride + eff - in) / 2;
}

inline Int8ConvData make_int8_conv_data(const Int8ConvCase& p) {
  Int8ConvData d;
  const int64_t oc = int8_case_out_channels(p);
  const bool fc = p.op == ConvOp::kFullyConnected;
  const int64_t k_elems = fc ? p.c : (p.op == ConvOp::kDepthwise ? 1 : p.c) * p.k * p.k;
  d.input_shape = fc ? Shape{p.batch, p.c} : Shape{p.batch, p.h, p.w, p.c};
  d.filter_shape = fc ? Shape{oc, p.c}
                      : (p.op == ConvOp::kDepthwise ? Shape{1, p.k, p.k, oc}
                                                    : Shape{oc, p.k, p.k, p.c});
  d.input = random_ints<int8_t>(num_elements(d.input_shape), p.seed, -128, 127);
  d.filter = random_ints<int8_t>(oc * k_elems, p.seed + 1, -127, 127);
  d.filter_scales.assign(p.per_channel ? oc : 1, 0.004f);
  if (p.per_channel) {
    for (int64_t o = 0; o < oc; ++o) d.filter_scales[o] = 0.0011f + 0.0007f * (o % 9);
  }
  if (p.bias) d.bias = random_ints<int32_t>(oc, p.seed + 2, -3000, 3000);
  d.input_q = per_tensor(p.in_scale, p.in_zp);
  d.output_q = per_tensor(p.out_scale, p.out_zp);
  d.filter_q = p.per_channel ? per_channel(d.filter_scales, p.op == ConvOp::kDepthwise ? 3 : 0)
                             : per_tensor(d.filter_scales[0], 0);
  for (float s : d.filter_scales) d.bias_q.scales.push_back(p.in_scale * s);
  d.bias_q.zero_points.assign(d.bias_q.scales.size(), 0);
  d.bias_q.axis = p.per_channel ? 0 : -1;

  int lo, hi;
  quantized_activation(p.activation, p.out_scale, p.out_zp, &lo, &hi);
  auto finish = [&](int64_t acc, int64_t o) {
    if (p.bias) acc += d.bias[o];
    const double m = static_cast<double>(p.in_scale) *
                     d.filter_scales[p.per_channel ? o : 0] / p.out_scale;
    return static_cast<int>(requantize(static_cast<double>(acc), m, p.out_zp, lo, hi));
  };
  if (fc) {
    d.output_shape = {p.batch, oc};
    for (int64_t b = 0; b < p.batch; ++b) {
      for (int64_t o = 0; o < oc; ++o) {
        int64_t acc = 0;
        for (int64_t i = 0; i < p.c; ++i) {
          acc += (int64_t{d.input[b * p.c + i]} - p.in_zp) * d.filter[o * p.c + i];
        }
        d.expected.push_back(finish(acc, o));
      }
    }
    return d;
  }
  int64_t oh, ow, pad_h, pad_w;
  ref_window(p.padding, p.h, p.k, p.stride, p.dilation, &oh, &pad_h);
  ref_window(p.padding, p.w, p.k, p.stride, p.dilation, &ow, &pad_w);
  d.output_shape = {p.batch, oh, ow, oc};
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        for (int64_t o = 0; o < oc; ++o) {
          int64_t acc = 0;
          for (int ky = 0; ky < p.k; ++ky) {
            const int64_t iy = oy * p.stride - pad_h + ky * p.dilation;
            if (iy < 0 || iy >= p.h) continue;
            for (int kx = 0; kx < p.k; ++kx) {
              const int64_t ix = ox * p.stride - pad_w + kx * p.dilation;
              if (ix < 0 || ix >= p.w) continue;
              const int8_t* px = &d.input[((n * p.h + iy) * p.w + ix) * p.c];
              if (p.op == ConvOp::kDepthwise) {
                acc += (int64_t{px[o / p.multiplier]} - p.in_zp) *
                       d.filter[(ky * p.k + kx) * oc + o];
              } else {
                for (int64_t ic = 0; ic < p.c; ++ic) {
                  acc += (int64_t{px[ic]} - p.in_zp) *
                         d.filter[((o * p.k + ky) * p.k + kx) * p.c + ic];
                }
              }
            }
          }
          d.expected.push_back(finish(acc, o));
        }
      }
    }
  }
  return d;
}

// The node's attributes for a case.
inline Attributes int8_case_attrs(const Int8ConvCase& p) {
  if (p.op == ConvOp::kFullyConnected) {
    FullyConnectedAttrs a;
    a.activation = p.activation;
    return a;
  }
  if (p.op == ConvOp::kDepthwise) {
    DepthwiseConv2DAttrs a;
    a.padding = p.padding;
    a.stride_h = a.stride_w = p.stride;
    a.dilation_h = a.dilation_w = p.dilation;
    a.depth_multiplier = p.multiplier;
    a.activation = p.activation;
    return a;
  }
  Conv2DAttrs a;
  a.padding = p.padding;
  a.stride_h = a.stride_w = p.stride;
  a.dilation_h = a.dilation_w = p.dilation;
  a.activation = p.activation;
  return a;
}

inline OpKind int8_case_op(const Int8ConvCase& p) {
  return p.op == ConvOp::kConv ? OpKind::kConv2D
                               : (p.op == ConvOp::kDepthwise ? OpKind::kDepthwiseConv2D
                                                             : OpKind::kFullyConnected);
}

// The share of `got` equal to `want` (1.0 when both are empty).
template <typename T>
double exact_fraction(const std::vector<int8_t>& got, const std::vector<T>& want) {
  if (got.empty()) return 1.0;
  size_t same = 0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    same += static_cast<int>(got[i]) == static_cast<int>(want[i]);
  }
  return static_cast<double>(same) / static_cast<double>(got.size());
}

}  // namespace opscope::testing

// DEPTHWISE_CONV_2D, int8, depth multiplier 1, bit-exact with the reference
// kernel (reference/kernels/int8/depthwise_conv_int8.cc with its
// ChannelOutput stage): acc[c] = sum over the window's taps inside the input
// of (x - input_zp) * w[c], then y = clamp(output_zp +
// MultiplyByQuantizedMultiplier(acc + bias, M[c])), the int32 sum wrapping.
//
// prepare() widens the weights to int32 ([tap][channels padded to 16]) and
// splits the multipliers into mantissa, left and right shift per channel.
// For output pixels whose whole window lies inside the input (nearly all),
// the zero point's share is a per-channel constant, folded into the bias:
// acc + bias = sum x * w + (bias - input_zp * sum w), all modulo 2^32, so
// the SIMD paths multiply raw input bytes. Border pixels subtract the zero
// point per tap, as the reference does. The NEON path (aarch64,
// Isa::kNeonDot) treats every pixel as a border pixel, on int16 weights.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/native/aligned_vector.h"
#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/kernels/native_support.h"
#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::native {
namespace {

namespace ri8 = reference::int8;

// The first and one past the last output index whose window (k taps,
// `dilation` apart, from o * stride - pad) lies inside [0, in).
void inner_range(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dilation, int64_t pad,
                 int64_t* begin, int64_t* end) {
  const int64_t b = (pad + stride - 1) / stride;
  const int64_t last = in - 1 - (k - 1) * dilation + pad;  // o * stride <= last
  const int64_t e = last < 0 ? 0 : last / stride + 1;
  *begin = std::min(b, out);
  *end = std::max(*begin, std::min(e, out));
}

class DepthwiseConv2DI8 final : public Kernel {
 public:
  explicit DepthwiseConv2DI8(const NativeEnv& env) : isa_(env.isa) {}

  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g, shapes::depthwise_conv2d_geometry(ctx));
    const auto& attrs = ctx.node().attr<DepthwiseConv2DAttrs>();
    // The reference's ChannelOutput::prepare, check for check.
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::QParams qin, ri8::int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::QParams qout, ri8::int8_output_params(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<float> scales,
                             ri8::int8_weight_scales(ctx, 1, 3, g.out_c));
    OPSCOPE_RETURN_IF_ERROR(ri8::expect_int32_bias(ctx, 2, g.out_c, qin.scale, scales));
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::Int8Range range,
                             ri8::int8_activation_range(ctx, attrs.activation, qout));
    if (g.out_c != g.in_c) {
      return ctx.error(ErrorCode::kUnsupportedOp,
                       "the native int8 DEPTHWISE_CONV_2D takes depth multiplier 1 only, has " +
                           std::to_string(g.in_c > 0 ? g.out_c / g.in_c : 0));
    }
    multipliers_ = ri8::conv_multipliers(qin.scale, scales, qout.scale);
    // ONNX Runtime's float requantization (graph.h; the reference's
    // ChannelOutput): the float scale per channel, in ORT's order.
    float_mode_ = is_float_requantization(ctx.node().requantization);
    float_scales_.clear();
    if (float_mode_) {
      for (const float w : scales) float_scales_.push_back((qin.scale * w) / qout.scale);
    }

    DepthwiseGeometry& p = geo_;
    batch_ = g.batch;
    p.in_h = g.in_h;
    p.in_w = g.in_w;
    p.channels = g.in_c;
    p.out_h = g.out_h;
    p.out_w = g.out_w;
    p.k_h = g.k_h;
    p.k_w = g.k_w;
    p.stride_h = g.stride_h;
    p.stride_w = g.stride_w;
    p.dilation_h = g.dilation_h;
    p.dilation_w = g.dilation_w;
    p.pad_top = g.pad_top;
    p.pad_left = g.pad_left;
    inner_range(p.in_h, p.out_h, p.k_h, p.stride_h, p.dilation_h, p.pad_top, &p.oy_begin,
                &p.oy_end);
    inner_range(p.in_w, p.out_w, p.k_w, p.stride_w, p.dilation_w, p.pad_left, &p.ox_begin,
                &p.ox_end);
    p.input_zp = qin.zero_point;
    p.output_zp = qout.zero_point;
    p.act_min = range.min;
    p.act_max = range.max;

    const int64_t c = g.in_c, cp = (c + 15) / 16 * 16, taps = g.k_h * g.k_w;
    const int8_t* w = ctx.input(1).constant_as<int8_t>();
    weights_.assign(static_cast<size_t>(taps * cp), 0);
    for (int64_t t = 0; t < taps; ++t) {
      for (int64_t ch = 0; ch < c; ++ch) weights_[t * cp + ch] = w[t * c + ch];
    }
    bias_.assign(static_cast<size_t>(cp), 0);
    if (ctx.has_input(2) && c > 0) {
      std::memcpy(bias_.data(), ctx.input(2).data, static_cast<size_t>(c) * sizeof(int32_t));
    }
    bias_inner_.assign(static_cast<size_t>(cp), 0);
    mult_.assign(static_cast<size_t>(cp), 0);
    left_.assign(static_cast<size_t>(cp), 0);
    right_.assign(static_cast<size_t>(cp), 0);
    for (int64_t ch = 0; ch < c; ++ch) {
      uint32_t wsum = 0;
      for (int64_t t = 0; t < taps; ++t) wsum += static_cast<uint32_t>(weights_[t * cp + ch]);
      bias_inner_[ch] = static_cast<int32_t>(static_cast<uint32_t>(bias_[ch]) -
                                             static_cast<uint32_t>(p.input_zp) * wsum);
      mult_[ch] = multipliers_[ch].multiplier;
      left_[ch] = std::max(multipliers_[ch].shift, 0);
      right_[ch] = std::max(-multipliers_[ch].shift, 0);
    }
    p.any_left_shift = false;
    for (int64_t ch = 0; ch < c; ++ch) p.any_left_shift |= left_[ch] > 0;
#if defined(__aarch64__)
    // The NEON path's int16 weights (ukernels::depthwise_i8_neon).
    weights16_.assign(weights_.begin(), weights_.end());
#endif
    pack_pairs(c, taps, cp);
    // vpdpbusd on chunks of 64 output bytes that span pixels (no idle lanes
    // for any channel count, four taps per instruction), except 3x3 windows
    // on channel counts the 32-channel vpdpwssd blocks fill, where that path
    // is as fast or faster (96x96x32: 110 vs 113 us), and strides above 1
    // with fewer than 64 channels (a chunk would take over 2 loads per tap;
    // 128x128x16 stride 2: 50 vs 29 us).
    p.quad = false;
    if (isa_ == Isa::kAvx512Vnni && taps <= 64 && (p.stride_w == 1 || c >= 64) &&
        !(taps == 9 && c % 32 == 0)) {
      pack_quads(c, taps, cp);
    }
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    ctx.set_scratch_bytes(static_cast<size_t>(c) * sizeof(int32_t));
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* input = ctx.data<const int8_t>(input_id_);
    int8_t* output = ctx.data<int8_t>(output_id_);
    const DepthwiseGeometry& g = geo_;
    const int64_t in_image = g.in_h * g.in_w * g.channels;
    const int64_t out_image = g.out_h * g.out_w * g.channels;
#if defined(__x86_64__)
    if (isa_ != Isa::kPortable && isa_ != Isa::kNeonDot) {
      ukernels::DepthwiseParams p = g;
      p.weights = weights_.data();
      p.bias = bias_.data();
      p.bias_inner = bias_inner_.data();
      p.multiplier = mult_.data();
      p.left_shift = left_.data();
      p.right_shift = right_.data();
      p.pair_weights = pair_weights_.data();
      p.bias_p = bias_p_.data();
      p.bias_inner_p = bias_inner_p_.data();
      p.multiplier_p = mult_p_.data();
      p.left_shift_p = left_p_.data();
      p.right_shift_p = right_p_.data();
      p.quad_weights = quad_w_.data();
      p.quad_consts = quad_k_.data();
      // ONNX Runtime's float stage (float_mode_): the scales in the pair
      // layout, and in the quad constants' multiplier place (pack_quads).
      if (float_mode_) p.float_scale_p = float_scale_p_.data();
      for (int64_t n = 0; n < batch_; ++n) {
        if (isa_ == Isa::kAvx512Vnni) {
          ukernels::depthwise_i8_avx512(p, input + n * in_image, output + n * out_image);
        } else {
          ukernels::depthwise_i8_avx2(p, input + n * in_image, output + n * out_image);
        }
      }
      return;
    }
#endif
#if defined(__aarch64__)
    if (isa_ == Isa::kNeonDot && !float_mode_) {
      ukernels::DepthwiseParams p = g;
      p.weights16 = weights16_.data();
      p.bias = bias_.data();
      p.multiplier = mult_.data();
      p.left_shift = left_.data();
      p.right_shift = right_.data();
      for (int64_t n = 0; n < batch_; ++n) {
        ukernels::depthwise_i8_neon(p, input + n * in_image, output + n * out_image);
      }
      return;
    }
#endif
    auto* acc = static_cast<int32_t*>(ctx.scratch);
    for (int64_t n = 0; n < batch_; ++n) {
      run_portable(input + n * in_image, output + n * out_image, acc);
    }
  }

 private:
  using DepthwiseGeometry = ukernels::DepthwiseParams;

  // The AVX-512 layout (ukernels::DepthwiseParams::pair_weights).
  void pack_pairs(int64_t c, int64_t taps, int64_t cp) {
    // Up to 16 channels: one block holds two pixels (pixel_pairs).
    geo_.pixel_pairs = c <= 16;
    const int64_t blocks = (c + 31) / 32, pairs = (taps + 1) / 2;
    pair_weights_.assign(static_cast<size_t>(pairs * blocks * 64), 0);
    const size_t n = static_cast<size_t>(blocks * 32);
    for (auto* v : {&bias_p_, &bias_inner_p_, &mult_p_, &left_p_, &right_p_}) v->assign(n, 0);
    float_scale_p_.assign(float_mode_ ? n : 0, 0.0f);
    for (int64_t b = 0; b < blocks; ++b) {
      for (int64_t half = 0; half < 2; ++half) {  // unpacklo, unpackhi
        for (int64_t j = 0; j < 16; ++j) {
          const int64_t v = b * 32 + 8 * (j / 4) + 4 * half + j % 4;
          const int64_t ch = geo_.pixel_pairs ? v % 16 : v;
          if (ch >= c) continue;
          const size_t lane = static_cast<size_t>(b * 32 + half * 16 + j);
          bias_p_[lane] = bias_[ch];
          bias_inner_p_[lane] = bias_inner_[ch];
          mult_p_[lane] = mult_[ch];
          left_p_[lane] = left_[ch];
          right_p_[lane] = right_[ch];
          if (float_mode_) float_scale_p_[lane] = float_scales_[ch];
          for (int64_t pr = 0; pr < pairs; ++pr) {
            for (int64_t s = 0; s < 2; ++s) {
              const int64_t t = 2 * pr + s;
              if (t >= taps) continue;
              pair_weights_[static_cast<size_t>((pr * blocks + b) * 64 + half * 32 + 8 * (j / 4) +
                                                2 * (j % 4) + s)] =
                  static_cast<int16_t>(weights_[t * cp + ch]);
            }
          }
        }
      }
    }
  }

  // The vpdpbusd layout (ukernels::DepthwiseParams::quad). A chunk is any
  // 64 bytes of an output row, so the phases are the multiples of
  // gcd(channels, 64) below channels (one for 8 or 16 channels); if that
  // table would pass 256 KiB, a chunk is 64 channels of one pixel.
  void pack_quads(int64_t c, int64_t taps, int64_t cp) {
    DepthwiseGeometry& p = geo_;
    const int64_t groups = (taps + 3) / 4;
    int64_t g = 64;
    while (c % g != 0) g /= 2;
    const int64_t flat_phases = c / g;
    p.quad = true;
    p.quad_flat = flat_phases * (groups + ukernels::kQuadConsts) * 256 <= (256 << 10);
    p.quad_step = p.quad_flat ? g : 64;
    p.quad_groups = groups;
    p.quad_short = !float_mode_;
    for (int64_t ch = 0; ch < c; ++ch) {
      p.quad_short = p.quad_short && fits_short_form(mult_[ch], left_[ch], right_[ch]);
    }
    p.quad_relu = p.quad_short && p.act_min >= p.output_zp;
    const int64_t phases = p.quad_flat ? flat_phases : (c + 63) / 64;
    quad_w_.assign(static_cast<size_t>(phases * groups * 256), 0);
    quad_k_.assign(static_cast<size_t>(phases * ukernels::kQuadConsts * 64), 0);
    for (int64_t ph = 0; ph < phases; ++ph) {
      const int64_t s = ph * p.quad_step;
      int8_t* w = quad_w_.data() + ph * groups * 256;
      int32_t* k = quad_k_.data() + ph * ukernels::kQuadConsts * 64;
      for (int64_t r = 0; r < 4; ++r) {
        for (int64_t lane = 0; lane < 16; ++lane) {
          const int64_t i = 16 * (lane / 4) + 4 * r + lane % 4;  // chunk byte
          const int64_t ch = p.quad_flat ? (s + i) % c : s + i;
          if (ch >= c) continue;
          const int64_t at = 16 * r + lane;
          uint32_t wsum = 0;
          for (int64_t t = 0; t < taps; ++t) {
            const int8_t v = static_cast<int8_t>(weights_[t * cp + ch]);
            w[(t / 4) * 256 + 4 * at + t % 4] = v;
            wsum += static_cast<uint32_t>(static_cast<int32_t>(v));
          }
          k[at] = static_cast<int32_t>(static_cast<uint32_t>(bias_[ch]) -
                                       static_cast<uint32_t>(p.input_zp + 128) * wsum);
          if (float_mode_) {
            // The float stage reads its scale here (depthwise_conv2d_i8_avx512.cc).
            std::memcpy(&k[64 + at], &float_scales_[ch], sizeof(float));
          } else {
            k[64 + at] = mult_[ch];
          }
          if (p.quad_short) {
            // Vector r's 64-bit lanes: its even int32 lanes, then its odd ones.
            const ShortTerms t = short_terms(right_[ch], p.output_zp);
            const int64_t at64 = 16 * r + (lane % 2) * 8 + lane / 2;
            std::memcpy(k + 128 + 2 * at64, &t.add, sizeof(int64_t));
            std::memcpy(k + 256 + 2 * at64, &t.neg, sizeof(int64_t));
            std::memcpy(k + 384 + 2 * at64, &t.shift, sizeof(int64_t));
            continue;
          }
          k[128 + at] = left_[ch];
          k[192 + at] = right_[ch];
          // As make_stage: vpsllvd gives 0 for shifts of 32 or more.
          const uint32_t rmask =
              right_[ch] >= 32 ? ~uint32_t{0} : (uint32_t{1} << right_[ch]) - 1;
          k[256 + at] = static_cast<int32_t>(rmask);
          k[320 + at] = static_cast<int32_t>(rmask >> 1);
        }
      }
    }
  }

  // The reference's loop and output stage.
  void run_portable(const int8_t* image, int8_t* output, int32_t* acc) const {
    const DepthwiseGeometry& g = geo_;
    const int64_t c_count = g.channels, cp = (c_count + 15) / 16 * 16;
    for (int64_t oy = 0; oy < g.out_h; ++oy) {
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        std::memset(acc, 0, static_cast<size_t>(c_count) * sizeof(int32_t));
        for (int64_t ky = 0; ky < g.k_h; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int64_t kx = 0; kx < g.k_w; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const int8_t* x = image + (iy * g.in_w + ix) * c_count;
            const int32_t* w = weights_.data() + (ky * g.k_w + kx) * cp;
            for (int64_t c = 0; c < c_count; ++c) acc[c] += (x[c] - g.input_zp) * w[c];
          }
        }
        int8_t* y = output + (oy * g.out_w + ox) * c_count;
        for (int64_t c = 0; c < c_count; ++c) {
          const auto sum =
              static_cast<int32_t>(static_cast<uint32_t>(acc[c]) + static_cast<uint32_t>(bias_[c]));
          if (float_mode_) {
            y[c] = static_cast<int8_t>(ri8::requantize_float(sum, float_scales_[c], g.output_zp,
                                                             g.act_min, g.act_max));
            continue;
          }
          const int32_t v =
              ri8::multiply_by_quantized_multiplier(sum, multipliers_[c]) + g.output_zp;
          y[c] = static_cast<int8_t>(std::min(std::max(v, g.act_min), g.act_max));
        }
      }
    }
  }

  Isa isa_;
  int input_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0;
  DepthwiseGeometry geo_;
  std::vector<ri8::QuantizedMultiplier> multipliers_;
  bool float_mode_ = false;
  std::vector<float> float_scales_;  // float_mode_ only
  AlignedVector<float> float_scale_p_;  // float_mode_ only: pack_pairs' lane order
  AlignedVector<int32_t> weights_, bias_, bias_inner_, mult_, left_, right_;
  AlignedVector<int16_t> pair_weights_;
  std::vector<int16_t> weights16_;  // aarch64 only: weights_ as int16 (the NEON path)
  AlignedVector<int8_t> quad_w_;
  AlignedVector<int32_t> quad_k_;
  AlignedVector<int32_t> bias_p_, bias_inner_p_, mult_p_, left_p_, right_p_;
};

}  // namespace

bool native_supports_depthwise_conv2d(const Graph& graph, const Node& node, std::string* why_not) {
  if (node.op != OpKind::kDepthwiseConv2D) return decline(why_not, "not DEPTHWISE_CONV_2D");
  if (node.inputs.size() < 2 || node.inputs.size() > 3 || node.outputs.size() != 1) {
    return decline(why_not, "DEPTHWISE_CONV_2D needs (input, filter, bias?) and one output");
  }
  if (!is_int8_per_tensor(graph, node.inputs[0], "input", why_not)) return false;
  if (!is_int8_per_tensor(graph, node.outputs[0], "output", why_not)) return false;
  const int fid = node.inputs[1];
  if (fid < 0 || !graph.tensors[fid].is_constant() || graph.tensors[fid].dtype != DType::kI8) {
    return decline(why_not, "filter is not a constant i8 tensor");
  }
  const Tensor& in = graph.tensors[node.inputs[0]];
  const Tensor& f = graph.tensors[fid];
  if (in.shape.size() != 4 || f.shape.size() != 4) {
    return decline(why_not, "input and filter must be rank 4");
  }
  if (f.shape[3] != in.shape[3]) {
    return decline(why_not, "depth multiplier is not 1 (filter has " + std::to_string(f.shape[3]) +
                                " channels, input " + std::to_string(in.shape[3]) + ")");
  }
  if (node.inputs.size() == 3 && node.inputs[2] >= 0) {
    const Tensor& b = graph.tensors[node.inputs[2]];
    if (!b.is_constant() || b.dtype != DType::kI32) {
      return decline(why_not, "bias is not a constant i32 tensor");
    }
  }
  return true;
}

std::unique_ptr<Kernel> make_native_depthwise_conv2d_i8(const NativeEnv& env) {
  return std::make_unique<DepthwiseConv2DI8>(env);
}

}  // namespace opscope::native

// ADD, SUB and MUL on int8 with numpy broadcasting and a fused clamp
// activation, with TFLite's integer semantics (all three operands quantized
// per tensor, each with its own scale and zero point):
//
//   ADD/SUB: both inputs are brought to a common scale 2 * max(s_a, s_b)
//            with 20 bits of headroom: a' = M_a((a - zp_a) << 20), b' the
//            same, then y = zp_y + M_y(a' +/- b'), with M_a = s_a / (2 max),
//            M_b = s_b / (2 max), M_y = 2 max / (2^20 s_y).
//   MUL:     y = zp_y + M((a - zp_a) * (b - zp_b)), M = s_a s_b / s_y.
//
// Each M is a fixed-point multiplier (fixed_point.h); y is clamped to the
// activation's quantized range.
//
// With a float requantization (an op made by QDQ fusion, graph.h) they are
// ONNX Runtime's kernels instead, on the values ORT holds (u = q + o, o =
// 128 for kFloatUint8, else 0; every zero point likewise), in float:
//   ADD (MLAS QLinearAdd, its AVX2/FMA form): R_a = s_a / s_y, R_b = s_b /
//            s_y, F = zp_y - fma(R_a, zp_a, R_b * zp_b), y = rint(fma(u_a,
//            R_a, fma(u_b, R_b, F)));
//   MUL (MLAS QLinearMul): R = (s_a * s_b) / s_y, y = rint(float((a - zp_a)
//            * (b - zp_b)) * R + zp_y);
//   SUB (ORT runs it as DQ -> Sub -> Q): y = rint((s_a (a - zp_a) - s_b (b -
//            zp_b)) / s_y) + zp_y;
// rint rounds half to even; y saturates to ORT's type and goes back by -o.
// This file is compiled with -ffp-contract=off: no multiply-add may fuse
// where ORT rounds twice.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "engine/backends/reference/kernels/broadcast.h"
#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/int8/binary_terms.h"
#include "engine/backends/reference/kernels/int8/broadcast_int8.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference::int8 {
namespace {

// What run() needs per element, fixed in prepare: the terms
// (binary_terms.h), the zero points and the activation's range.
struct BinaryParams : BinaryTerms {
  int32_t a_zp = 0, b_zp = 0, y_zp = 0;
  Int8Range range;
};

// ORT's float value v rounded half to even, saturated to ORT's type (the
// int8 range shifted by o), back to int8 and clamped to the activation.
inline int8_t finish_float(float v, const BinaryParams& p) {
  const float lo = static_cast<float>(-128 + p.offset), hi = static_cast<float>(127 + p.offset);
  v = std::min(std::max(v, lo), hi);
  const int32_t q = static_cast<int32_t>(std::nearbyint(v)) - p.offset;
  return static_cast<int8_t>(std::min(std::max(q, p.range.min), p.range.max));
}

inline int8_t finish(int32_t raw, const BinaryParams& p) {
  const int32_t v = multiply_by_quantized_multiplier(raw, p.y_mult) + p.y_zp;
  return static_cast<int8_t>(std::min(std::max(v, p.range.min), p.range.max));
}

template <BinaryKind kKind>
struct Op {
  BinaryParams p;
  int8_t operator()(int8_t a, int8_t b) const {
    if (p.float_mode) {
      if constexpr (kKind == BinaryKind::kAdd) {
        const float ua = static_cast<float>(int32_t{a} + p.offset);
        const float ub = static_cast<float>(int32_t{b} + p.offset);
        return finish_float(std::fma(ua, p.ra, std::fma(ub, p.rb, p.fixed)), p);
      } else if constexpr (kKind == BinaryKind::kMul) {
        const float prod = static_cast<float>((int32_t{a} - p.a_zp) * (int32_t{b} - p.b_zp));
        const float scaled = prod * p.ra;
        return finish_float(scaled + p.fixed, p);
      } else {
        const float da = p.sa * static_cast<float>(int32_t{a} - p.a_zp);
        const float db = p.sb * static_cast<float>(int32_t{b} - p.b_zp);
        const float y = std::nearbyint((da - db) / p.sy);
        return finish_float(y + static_cast<float>(p.y_zp + p.offset), p);
      }
    }
    if constexpr (kKind == BinaryKind::kMul) {
      return finish((int32_t{a} - p.a_zp) * (int32_t{b} - p.b_zp), p);
    } else {
      const int32_t sa = multiply_by_quantized_multiplier(
          (int32_t{a} - p.a_zp) * (1 << kAddLeftShift), p.a_mult);
      const int32_t sb = multiply_by_quantized_multiplier(
          (int32_t{b} - p.b_zp) * (1 << kAddLeftShift), p.b_mult);
      return finish(kKind == BinaryKind::kAdd ? sa + sb : sa - sb, p);
    }
  }
};

template <BinaryKind kKind>
class BinaryI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qa, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qb, int8_input_params(ctx, 1));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qy, int8_output_params(ctx));
    ActivationAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    BinaryParams& p = op_.p;
    static_cast<BinaryTerms&>(p) = binary_terms(kKind, qa, qb, qy, ctx.node().requantization);
    OPSCOPE_ASSIGN_OR_RETURN(p.range, int8_activation_range(ctx, attrs.activation, qy));
    p.a_zp = qa.zero_point;
    p.b_zp = qb.zero_point;
    p.y_zp = qy.zero_point;
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::binary_broadcast(ctx));
    a_id_ = ctx.input_id(0);
    b_id_ = ctx.input_id(1);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    broadcast_apply_i8(plan_, ctx.data<const int8_t>(a_id_), ctx.data<const int8_t>(b_id_),
                       ctx.data<int8_t>(y_id_), op_);
  }

 private:
  Op<kKind> op_;
  BroadcastPlan plan_;
  int a_id_ = -1, b_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_add_i8() { return std::make_unique<BinaryI8<BinaryKind::kAdd>>(); }
std::unique_ptr<Kernel> make_sub_i8() { return std::make_unique<BinaryI8<BinaryKind::kSub>>(); }
std::unique_ptr<Kernel> make_mul_i8() { return std::make_unique<BinaryI8<BinaryKind::kMul>>(); }

}  // namespace opscope::reference::int8

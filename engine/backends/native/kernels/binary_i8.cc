// ADD and MUL, int8, bit-exact with the reference kernels
// (reference/kernels/int8/binary_int8.cc): the same multipliers, computed at
// prepare by the same code; run() walks the broadcast plan in contiguous
// rows, each handed to a row microkernel (native_ukernels.h, BinaryParams).
// The portable row is the reference's per-element arithmetic.
#include <algorithm>
#include <cmath>
#include <array>
#include <memory>
#include <string>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/kernels/native_support.h"
#include "engine/backends/native/kernels/mul_linear_i8.h"
#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"
#include "engine/backends/reference/kernels/int8/binary_terms.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/broadcast.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::native {
namespace {

namespace ri8 = reference::int8;
using shapes::BroadcastKind;
using shapes::BroadcastPlan;
using ukernels::BinaryParams;

using reference::int8::kAddLeftShift;

using RowFn = void (*)(const BinaryParams&, const int8_t*, int64_t, const int8_t*, int64_t, int8_t*,
                       int64_t);

ri8::QuantizedMultiplier qm(int32_t mult, int32_t left, int32_t right) {
  ri8::QuantizedMultiplier m;
  m.multiplier = mult;
  m.shift = left > 0 ? left : -right;
  return m;
}

void row_portable(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
                  int64_t b_step, int8_t* out, int64_t n) {
  if (p.float_mode) {
    // The reference's float form (binary_int8.cc), step for step (this file
    // is compiled with -ffp-contract=off).
    const float lo = static_cast<float>(-128 + p.offset);
    const float hi = static_cast<float>(127 + p.offset);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t va = a[i * a_step], vb = b[i * b_step];
      float v;
      if (p.mul) {
        const float scaled = static_cast<float>((va - p.a_zp) * (vb - p.b_zp)) * p.ra;
        v = scaled + p.fixed;
      } else {
        v = std::fma(static_cast<float>(va + p.offset), p.ra,
                     std::fma(static_cast<float>(vb + p.offset), p.rb, p.fixed));
      }
      v = std::min(std::max(v, lo), hi);
      const int32_t q = static_cast<int32_t>(std::nearbyint(v)) - p.offset;
      out[i] = static_cast<int8_t>(std::min(std::max(q, p.act_min), p.act_max));
    }
    return;
  }
  const ri8::QuantizedMultiplier my = qm(p.y_mult, p.y_left, p.y_right);
  const ri8::QuantizedMultiplier ma = qm(p.a_mult, 0, p.a_right);
  const ri8::QuantizedMultiplier mb = qm(p.b_mult, 0, p.b_right);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t da = int32_t{a[i * a_step]} - p.a_zp;
    const int32_t db = int32_t{b[i * b_step]} - p.b_zp;
    int32_t raw;
    if (p.mul) {
      raw = da * db;
    } else {
      raw = ri8::multiply_by_quantized_multiplier(da * (1 << kAddLeftShift), ma) +
            ri8::multiply_by_quantized_multiplier(db * (1 << kAddLeftShift), mb);
    }
    const int32_t v = ri8::multiply_by_quantized_multiplier(raw, my) + p.y_zp;
    out[i] = static_cast<int8_t>(std::min(std::max(v, p.act_min), p.act_max));
  }
}

// BinaryParams::mul_short. Right shifts: qgemm.h's form, whose offsets fit
// int64 up to kQGemmShortMaxShift. A left shift l (<= 15: no saturation of
// p 2^l) leaves one rounding, floor((p m 2^l + 2^30) / 2^31) = floor((p m +
// 2^(30 - l)) / 2^(31 - l)), with no correction for p m < 0.
void mul_short_terms(BinaryParams& p) {
  if (p.y_mult < 0) return;
  if (p.y_left > 0) {
    if (p.y_left > 15) return;
    const int s = 31 - p.y_left;
    p.short_add = (int64_t{1} << (s - 1)) + static_cast<int64_t>(p.y_zp) * (int64_t{1} << s);
    p.short_neg = 0;
    p.short_shift = s;
  } else {
    if (!fits_short_form(p.y_mult, 0, p.y_right)) return;
    const ShortTerms t = short_terms(p.y_right, p.y_zp);
    p.short_add = t.add;
    p.short_neg = t.neg;
    p.short_shift = static_cast<int32_t>(t.shift);
  }
  p.mul_short = true;
}

using RowsFn = void (*)(const BinaryParams&, const int8_t*, int64_t, const int8_t*, int64_t,
                        int8_t*, int64_t, int64_t);

// The reference's walk of the plan (broadcast_int8.h), a row at a time; a
// repeated row goes to `rows` in one call where there is one.
void walk(const BroadcastPlan& plan, const BinaryParams& p, RowFn row, RowsFn repeat,
          const int8_t* a, const int8_t* b, int8_t* out) {
  if (repeat != nullptr && plan.kind == BroadcastKind::kRepeatA) {
    repeat(p, a, 0, b, plan.inner, out, plan.inner, plan.outer);
    return;
  }
  if (repeat != nullptr && plan.kind == BroadcastKind::kRepeatB) {
    repeat(p, a, plan.inner, b, 0, out, plan.inner, plan.outer);
    return;
  }
  switch (plan.kind) {
    case BroadcastKind::kFlat:
      row(p, a, 1, b, 1, out, plan.size);
      return;
    case BroadcastKind::kScalarA:
      row(p, a, 0, b, 1, out, plan.size);
      return;
    case BroadcastKind::kScalarB:
      row(p, a, 1, b, 0, out, plan.size);
      return;
    case BroadcastKind::kRepeatA:
      for (int64_t o = 0; o < plan.outer; ++o) {
        const int64_t base = o * plan.inner;
        row(p, a, 1, b + base, 1, out + base, plan.inner);
      }
      return;
    case BroadcastKind::kRepeatB:
      for (int64_t o = 0; o < plan.outer; ++o) {
        const int64_t base = o * plan.inner;
        row(p, a + base, 1, b, 1, out + base, plan.inner);
      }
      return;
    case BroadcastKind::kGeneral:
      break;
  }
  const int last = plan.rank - 1;
  const int64_t n = plan.dims[last];
  const int64_t rows = plan.size / n;
  const int64_t sa = plan.a_strides[last], sb = plan.b_strides[last];
  std::array<int64_t, shapes::kMaxBroadcastRank> index{};
  int64_t ia = 0, ib = 0;
  for (int64_t r = 0; r < rows; ++r) {
    row(p, a + ia, sa, b + ib, sb, out + r * n, n);
    for (int d = last - 1; d >= 0; --d) {
      ia += plan.a_strides[d];
      ib += plan.b_strides[d];
      if (++index[d] < plan.dims[d]) break;
      ia -= plan.a_strides[d] * plan.dims[d];
      ib -= plan.b_strides[d] * plan.dims[d];
      index[d] = 0;
    }
  }
}

template <bool kMul>
class BinaryI8 final : public Kernel {
 public:
  explicit BinaryI8(const NativeEnv& env) : isa_(env.isa) {}

  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::QParams qa, ri8::int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::QParams qb, ri8::int8_input_params(ctx, 1));
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::QParams qy, ri8::int8_output_params(ctx));
    ActivationAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(reference::attrs_or_default(ctx, &attrs));
    OPSCOPE_ASSIGN_OR_RETURN(const ri8::Int8Range range,
                             ri8::int8_activation_range(ctx, attrs.activation, qy));
    BinaryParams& p = params_;
    p.mul = kMul;
    p.act_min = range.min;
    p.act_max = range.max;
    p.a_zp = qa.zero_point;
    p.b_zp = qb.zero_point;
    p.y_zp = qy.zero_point;
    // The reference's own terms (binary_terms.h): the same multipliers and
    // floats by construction.
    const ri8::BinaryTerms t =
        ri8::binary_terms(kMul ? ri8::BinaryKind::kMul : ri8::BinaryKind::kAdd, qa, qb, qy,
                          ctx.node().requantization);
    if constexpr (!kMul) {
      // scale / (2 max) <= 1/2: never a left shift.
      p.a_mult = t.a_mult.multiplier;
      p.a_right = -std::min(t.a_mult.shift, 0);
      p.b_mult = t.b_mult.multiplier;
      p.b_right = -std::min(t.b_mult.shift, 0);
    }
    p.y_mult = t.y_mult.multiplier;
    p.y_left = std::max(t.y_mult.shift, 0);
    p.y_right = std::max(-t.y_mult.shift, 0);
    p.float_mode = t.float_mode;
    if (kMul && !p.float_mode) mul_short_terms(p);
    p.offset = t.offset;
    p.ra = t.ra;
    p.rb = t.rb;
    p.fixed = t.fixed;
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::binary_broadcast(ctx));
    if (plan_.kind == BroadcastKind::kGeneral) {
      const int last = plan_.rank - 1;
      if (plan_.a_strides[last] > 1 || plan_.b_strides[last] > 1) general_strides_ = true;
    }
    // A row repeated over many rows (squeeze-and-excitation scales): tried
    // through linear forms (mul_linear_i8.h) where their check, 256 values
    // per channel, costs at most an eighth of the op.
    linear_rows_ = kMul && !p.float_mode && isa_ == Isa::kAvx512Vnni && !general_strides_ &&
                   (plan_.kind == BroadcastKind::kRepeatA ||
                    plan_.kind == BroadcastKind::kRepeatB) &&
                   plan_.inner <= kMulLinearMaxInner && plan_.outer >= 2048;
    a_id_ = ctx.input_id(0);
    b_id_ = ctx.input_id(1);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    RowFn row = row_portable;
    RowsFn rows = nullptr;
#if defined(__x86_64__)
    if (params_.float_mode) {
      // ONNX Runtime's float form: AVX-512 rows, else the AVX2 row.
      if (!general_strides_ && isa_ == Isa::kAvx512Vnni) {
        row = ukernels::binary_i8_row_avx512;
        rows = ukernels::binary_i8_rows_avx512;
      } else if (!general_strides_ && (isa_ == Isa::kAvx2 || isa_ == Isa::kAvxVnni)) {
        row = ukernels::binary_i8_row_avx2;
      }
    } else if (!general_strides_ && isa_ == Isa::kAvx512Vnni) {
      row = ukernels::binary_i8_row_avx512;
      rows = ukernels::binary_i8_rows_avx512;
    } else if (!general_strides_ && (isa_ == Isa::kAvx2 || isa_ == Isa::kAvxVnni)) {
      row = ukernels::binary_i8_row_avx2;
    }
#endif
#if defined(__x86_64__)
    if (linear_rows_ && run_linear_rows(ctx, row)) return;
#endif
    walk(plan_, params_, row, rows, ctx.data<const int8_t>(a_id_), ctx.data<const int8_t>(b_id_),
         ctx.data<int8_t>(y_id_));
  }

 private:
#if defined(__x86_64__)
  // The linear forms' rows, or false where their check failed (the exact
  // kernels then run).
  bool run_linear_rows(const RunContext& ctx, RowFn exact) const {
    const bool rep_is_a = plan_.kind == BroadcastKind::kRepeatA;
    const int8_t* a = ctx.data<const int8_t>(a_id_);
    const int8_t* b = ctx.data<const int8_t>(b_id_);
    MulLinearPlan lin;
    if (!mul_linear_plan(params_, exact, ukernels::mul_linear_rows_avx512, rep_is_a ? a : b,
                         rep_is_a, plan_.inner, &lin)) {
      return false;
    }
    ukernels::mul_linear_rows_avx512(rows_of(lin, params_, rep_is_a ? params_.b_zp : params_.a_zp),
                                     rep_is_a ? b : a, ctx.data<int8_t>(y_id_), plan_.inner,
                                     plan_.outer);
    return true;
  }
#endif

  Isa isa_;
  BinaryParams params_;
  BroadcastPlan plan_;
  bool general_strides_ = false;  // an innermost stride other than 0 or 1
  bool linear_rows_ = false;      // MUL by a repeated row: try mul_linear_i8.h
  int a_id_ = -1, b_id_ = -1, y_id_ = -1;
};

bool supports_binary(const Graph& graph, const Node& node, OpKind op, const char* name,
                     std::string* why_not) {
  if (node.op != op) return decline(why_not, std::string("not ") + name);
  if (node.inputs.size() != 2 || node.outputs.size() != 1) {
    return decline(why_not, std::string(name) + " needs two inputs and one output");
  }
  return is_int8_per_tensor(graph, node.inputs[0], "input 0", why_not) &&
         is_int8_per_tensor(graph, node.inputs[1], "input 1", why_not) &&
         is_int8_per_tensor(graph, node.outputs[0], "output", why_not);
}

}  // namespace

bool native_supports_add(const Graph& graph, const Node& node, std::string* why_not) {
  return supports_binary(graph, node, OpKind::kAdd, "ADD", why_not);
}

bool native_supports_mul(const Graph& graph, const Node& node, std::string* why_not) {
  return supports_binary(graph, node, OpKind::kMul, "MUL", why_not);
}

std::unique_ptr<Kernel> make_native_add_i8(const NativeEnv& env) {
  return std::make_unique<BinaryI8<false>>(env);
}

std::unique_ptr<Kernel> make_native_mul_i8(const NativeEnv& env) {
  return std::make_unique<BinaryI8<true>>(env);
}

}  // namespace opscope::native

// LSTM, GRU and RNN (op_kind.h) in f32, ONNX's equations, one batch entry
// and one time step at a time with plain dot products: the reference the
// faster backends are checked against. Weights are read where they are
// (constant or not); state and gate buffers are sized at prepare.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

float apply_gate(const GateFunction& f, float x) {
  switch (f.kind) {
    case GateActivation::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case GateActivation::kTanh: return std::tanh(x);
    case GateActivation::kRelu: return x > 0.0f ? x : 0.0f;
    case GateActivation::kHardSigmoid: return std::clamp(f.alpha * x + f.beta, 0.0f, 1.0f);
    case GateActivation::kLeakyRelu: return x >= 0.0f ? x : f.alpha * x;
    case GateActivation::kThresholdedRelu: return x > f.alpha ? x : 0.0f;
    case GateActivation::kScaledTanh: return f.alpha * std::tanh(f.beta * x);
    case GateActivation::kAffine: return f.alpha * x + f.beta;
    case GateActivation::kElu: return x >= 0.0f ? x : f.alpha * (std::exp(x) - 1.0f);
    case GateActivation::kSoftsign: return x / (1.0f + std::fabs(x));
    case GateActivation::kSoftplus: return std::log1p(std::exp(x));
  }
  return x;
}

float dot(const float* a, const float* b, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

class RecurrentKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(g_, shapes::recurrent_geometry(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(attrs_, shapes::node_attrs<RecurrentAttrs>(ctx));
    op_ = ctx.node().op;
    for (int i = 0; i < 8; ++i) in_[i] = i < ctx.num_inputs() ? ctx.input_id(i) : -1;
    for (int k = 0; k < 3; ++k) out_[k] = k < ctx.num_outputs() ? ctx.output_id(k) : -1;
    const size_t state = static_cast<size_t>(g_.batch * g_.hidden);
    h_.assign(state, 0.0f);
    h_next_.assign(state, 0.0f);
    c_.assign(state, 0.0f);
    gates_.assign(static_cast<size_t>(g_.gates * g_.hidden), 0.0f);
    reset_h_.assign(static_cast<size_t>(g_.hidden), 0.0f);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    float* y = out_[0] >= 0 ? ctx.data<float>(out_[0]) : nullptr;
    if (y != nullptr) {
      std::memset(y, 0, static_cast<size_t>(g_.seq * g_.dirs * g_.batch * g_.hidden) * 4);
    }
    for (int64_t d = 0; d < g_.dirs; ++d) run_direction(ctx, d, y);
  }

 private:
  const float* input(const RunContext& ctx, int i) const {
    return in_[i] >= 0 ? ctx.data<const float>(in_[i]) : nullptr;
  }
  // Offsets into X / Y / the state outputs, in either layout.
  int64_t x_at(int64_t t, int64_t b) const {
    return (attrs_.batch_first ? b * g_.seq + t : t * g_.batch + b) * g_.input;
  }
  int64_t y_at(int64_t t, int64_t d, int64_t b) const {
    return (attrs_.batch_first ? (b * g_.seq + t) * g_.dirs + d : (t * g_.dirs + d) * g_.batch + b) *
           g_.hidden;
  }
  int64_t state_at(int64_t d, int64_t b) const {
    return (attrs_.batch_first ? b * g_.dirs + d : d * g_.batch + b) * g_.hidden;
  }
  float clipped(float v) const {
    return attrs_.clip > 0.0f ? std::clamp(v, -attrs_.clip, attrs_.clip) : v;
  }

  void run_direction(const RunContext& ctx, int64_t d, float* y) {
    const int64_t H = g_.hidden, I = g_.input, GH = g_.gates * H;
    const bool reverse = attrs_.direction == RecurrentAttrs::Direction::kReverse || d == 1;
    const float* x = input(ctx, 0);
    const float* w = input(ctx, 1) + d * GH * I;
    const float* r = input(ctx, 2) + d * GH * H;
    const float* wb = in_[3] >= 0 ? input(ctx, 3) + d * 2 * GH : nullptr;
    const int32_t* lens = in_[4] >= 0 ? ctx.data<const int32_t>(in_[4]) : nullptr;
    const float* h0 = input(ctx, 5);
    const float* c0 = op_ == OpKind::kLstm ? input(ctx, 6) : nullptr;
    const float* p = op_ == OpKind::kLstm && in_[7] >= 0 ? input(ctx, 7) + d * 3 * H : nullptr;
    const size_t fns = attrs_.activations.size() / static_cast<size_t>(g_.dirs);
    const GateFunction* fn = attrs_.activations.data() + d * static_cast<int64_t>(fns);

    for (int64_t b = 0; b < g_.batch; ++b) {
      float* h = h_.data() + b * H;
      float* c = c_.data() + b * H;
      for (int64_t j = 0; j < H; ++j) {
        h[j] = h0 ? h0[state_at(d, b) + j] : 0.0f;
        c[j] = c0 ? c0[state_at(d, b) + j] : 0.0f;
      }
      const int64_t len = lens ? std::clamp<int64_t>(lens[b], 0, g_.seq) : g_.seq;
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = reverse ? len - 1 - s : s;
        step(x + x_at(t, b), w, r, wb, p, fn, h, c);
        if (y != nullptr) std::memcpy(y + y_at(t, d, b), h, static_cast<size_t>(H) * 4);
      }
      if (out_[1] >= 0) {
        std::memcpy(ctx.data<float>(out_[1]) + state_at(d, b), h, static_cast<size_t>(H) * 4);
      }
      if (out_[2] >= 0) {
        std::memcpy(ctx.data<float>(out_[2]) + state_at(d, b), c, static_cast<size_t>(H) * 4);
      }
    }
  }

  // One time step of one batch entry: h (and c) updated in place.
  void step(const float* xt, const float* w, const float* r, const float* wb, const float* p,
            const GateFunction* fn, float* h, float* c) {
    const int64_t H = g_.hidden, I = g_.input, GH = g_.gates * H;
    float* gates = gates_.data();
    // x W^T + biases for every gate row; h R^T too except GRU's h gate
    // (its recurrent term depends on the reset gate).
    for (int64_t k = 0; k < GH; ++k) {
      float v = dot(xt, w + k * I, I);
      if (wb != nullptr) v += wb[k];
      const bool gru_h_row = op_ == OpKind::kGru && k >= 2 * H;
      if (!gru_h_row) {
        v += dot(h, r + k * H, H);
        if (wb != nullptr) v += wb[GH + k];
      }
      gates[k] = v;
    }
    float* next = h_next_.data();
    if (op_ == OpKind::kRnn) {
      for (int64_t j = 0; j < H; ++j) next[j] = apply_gate(fn[0], clipped(gates[j]));
    } else if (op_ == OpKind::kLstm) {
      // Rows: i, o, f, c; peepholes P: i, o, f. Coupled gates (input_forget)
      // take i = 1 - f; cell_clip bounds the new cell state (TFLite).
      for (int64_t j = 0; j < H; ++j) {
        const float gf =
            apply_gate(fn[0], clipped(gates[2 * H + j] + (p ? p[2 * H + j] * c[j] : 0.0f)));
        const float gi = attrs_.input_forget
                             ? 1.0f - gf
                             : apply_gate(fn[0], clipped(gates[j] + (p ? p[j] * c[j] : 0.0f)));
        const float gc = apply_gate(fn[1], clipped(gates[3 * H + j]));
        c[j] = gf * c[j] + gi * gc;
        if (attrs_.cell_clip > 0.0f) c[j] = std::clamp(c[j], -attrs_.cell_clip, attrs_.cell_clip);
        const float go = apply_gate(fn[0], clipped(gates[H + j] + (p ? p[H + j] * c[j] : 0.0f)));
        next[j] = go * apply_gate(fn[2], c[j]);
      }
    } else {
      // GRU rows: z, r, h.
      const float* rh_weights = r + 2 * H * H;
      const float* rb = wb != nullptr ? wb + GH : nullptr;
      float* z = gates;
      float* reset = gates + H;
      for (int64_t j = 0; j < H; ++j) {
        z[j] = apply_gate(fn[0], clipped(z[j]));
        reset[j] = apply_gate(fn[0], clipped(reset[j]));
        reset_h_[static_cast<size_t>(j)] = reset[j] * h[j];
      }
      for (int64_t j = 0; j < H; ++j) {
        const float rbh = rb != nullptr ? rb[2 * H + j] : 0.0f;
        const float recurrent = attrs_.linear_before_reset
                                    ? reset[j] * (dot(h, rh_weights + j * H, H) + rbh)
                                    : dot(reset_h_.data(), rh_weights + j * H, H) + rbh;
        const float hh = apply_gate(fn[1], clipped(gates[2 * H + j] + recurrent));
        next[j] = (1.0f - z[j]) * hh + z[j] * h[j];
      }
    }
    std::memcpy(h, next, static_cast<size_t>(H) * 4);
  }

  shapes::RecurrentGeometry g_;
  RecurrentAttrs attrs_;
  OpKind op_ = OpKind::kLstm;
  int in_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  int out_[3] = {-1, -1, -1};
  // Per batch entry's state (h_, c_: [batch, H]); one step's gate rows and
  // the next h; GRU's r * h.
  std::vector<float> h_, h_next_, c_, gates_, reset_h_;
};

}  // namespace

std::unique_ptr<Kernel> make_recurrent_f32() { return std::make_unique<RecurrentKernel>(); }

}  // namespace opscope::reference

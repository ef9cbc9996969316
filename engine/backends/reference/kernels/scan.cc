// SCAN (op_kind.h): the body is a Session of its own (body_session.h). Each
// run copies the states and, from each scan input, the slice at this
// run's position along its scan axis into the body; takes the body's states
// as the next run's; and writes each scan output's slice at its position.
// A slice of a tensor along axis a is `outer` blocks of `inner` bytes, the
// blocks `length` blocks apart: one strided copy either way.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/body_session.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/control_flow.h"
#include "engine/graph.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

// Where one position's slice lies in a tensor scanned along an axis.
struct Strided {
  int id = -1;
  size_t outer = 1, inner = 0;  // inner in bytes
  bool reverse = false;
};

Strided strided(const Tensor& t, int id, int axis, bool reverse) {
  Strided s;
  s.id = id;
  s.reverse = reverse;
  s.inner = dtype_size(t.dtype);
  for (int d = 0; d < static_cast<int>(t.shape.size()); ++d) {
    if (d < axis) s.outer *= static_cast<size_t>(t.shape[static_cast<size_t>(d)]);
    if (d > axis) s.inner *= static_cast<size_t>(t.shape[static_cast<size_t>(d)]);
  }
  return s;
}

class ScanKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::scan_outputs(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const ScanAttrs attrs, shapes::node_attrs<ScanAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(body_, make_body_session(ctx, attrs.body, "body"));
    offset_ = body_offset(ctx.graph(), ctx.node_index(), 0);
    const int n = attrs.num_states;
    for (int s = 0; s < n; ++s) {
      states_.push_back({ctx.input_id(s), ctx.output_id(s), std::vector<uint8_t>(ctx.input(s).bytes())});
    }
    const int m = static_cast<int>(attrs.input_axes.size());
    for (int c = n + m; c < ctx.num_inputs(); ++c) {
      captured_.push_back({ctx.input_id(c), c, ctx.input(c).bytes()});
    }
    for (int j = 0; j < m; ++j) {
      const int axis = attrs.input_axes[static_cast<size_t>(j)];
      length_ = ctx.input(n + j).shape[static_cast<size_t>(axis)];
      inputs_.push_back(strided(ctx.input(n + j), ctx.input_id(n + j), axis,
                                attrs.input_reverse[static_cast<size_t>(j)]));
    }
    for (int o = 0; n + o < ctx.num_outputs(); ++o) {
      if (ctx.output_id(n + o) < 0) {
        outputs_.push_back({});
        continue;
      }
      outputs_.push_back(strided(ctx.output(n + o), ctx.output_id(n + o),
                                 attrs.output_axes[static_cast<size_t>(o)],
                                 attrs.output_reverse[static_cast<size_t>(o)]));
    }
    name_ = describe_node(ctx.graph(), ctx.node_index());
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    Session& body = *body_;
    const int n = static_cast<int>(states_.size());
    for (State& s : states_) {
      if (!s.value.empty()) std::memcpy(s.value.data(), ctx.data<const void>(s.in), s.value.size());
    }
    for (const Captured& c : captured_) {
      copy_into_input(body, c.body_input, ctx.data<const void>(c.id), c.bytes);
    }
    OffsetProfiler forward(ctx.profiler, offset_);
    body.set_profiler(ctx.profiler != nullptr ? &forward : nullptr);
    Status st;
    BodyRunBudget budget;
    for (int64_t t = 0; t < length_ && st.is_ok(); ++t) {
      if (!budget.take()) {
        st = body_budget_spent();
        break;
      }
      for (int s = 0; s < n; ++s) {
        copy_into_input(body, s, states_[static_cast<size_t>(s)].value.data(),
                        states_[static_cast<size_t>(s)].value.size());
      }
      for (size_t j = 0; j < inputs_.size(); ++j) {
        const Strided& in = inputs_[j];
        auto* to = static_cast<uint8_t*>(body.input_data(n + static_cast<int>(j)));
        if (to == nullptr) continue;  // a slice no body node reads
        const auto* from = ctx.data<const uint8_t>(in.id);
        const size_t pos = static_cast<size_t>(in.reverse ? length_ - 1 - t : t);
        for (size_t o = 0; o < in.outer; ++o) {
          std::memcpy(to + o * in.inner, from + (o * static_cast<size_t>(length_) + pos) * in.inner,
                      in.inner);
        }
      }
      st = body.invoke();
      if (!st.is_ok()) break;
      for (int s = 0; s < n; ++s) {
        State& state = states_[static_cast<size_t>(s)];
        if (!state.value.empty()) std::memcpy(state.value.data(), body.output_data(s), state.value.size());
      }
      for (size_t k = 0; k < outputs_.size(); ++k) {
        const Strided& out = outputs_[k];
        if (out.id < 0) continue;
        const auto* from = static_cast<const uint8_t*>(body.output_data(n + static_cast<int>(k)));
        auto* to = ctx.data<uint8_t>(out.id);
        const size_t pos = static_cast<size_t>(out.reverse ? length_ - 1 - t : t);
        for (size_t o = 0; o < out.outer; ++o) {
          std::memcpy(to + (o * static_cast<size_t>(length_) + pos) * out.inner, from + o * out.inner,
                      out.inner);
        }
      }
    }
    body.set_profiler(nullptr);
    for (const State& s : states_) {
      if (s.out < 0 || s.value.empty()) continue;
      if (st.is_ok()) {
        std::memcpy(ctx.data<void>(s.out), s.value.data(), s.value.size());
      } else {
        std::memset(ctx.data<void>(s.out), 0, s.value.size());
      }
    }
    if (!st.is_ok()) {
      for (const Strided& out : outputs_) {
        if (out.id >= 0) std::memset(ctx.data<void>(out.id), 0, out.outer * out.inner * static_cast<size_t>(length_));
      }
      ctx.fail(Status(st.code(), name_ + ": " + st.message()));
    }
  }

 private:
  struct State {
    int in, out;
    std::vector<uint8_t> value;  // the current value
  };
  std::unique_ptr<Session> body_;
  int offset_ = 0;
  int64_t length_ = 0;
  struct Captured {
    int id, body_input;
    size_t bytes;
  };
  std::vector<State> states_;
  std::vector<Captured> captured_;
  std::vector<Strided> inputs_, outputs_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> make_scan() { return std::make_unique<ScanKernel>(); }

}  // namespace opscope::reference

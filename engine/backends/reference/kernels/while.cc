// WHILE (op_kind.h): cond and body are Sessions of their own (body_session.h).
// The loop variables live in buffers of the kernel, allocated at prepare:
// each round copies them into cond, stops when its output is false, else
// copies them into body, runs it and takes its outputs as the next values.
// Both graphs' ops report one event per run through OffsetProfilers
// (control_flow.h).
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

class WhileKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::while_outputs(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const WhileAttrs attrs, shapes::node_attrs<WhileAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(cond_, make_body_session(ctx, attrs.cond, "cond"));
    OPSCOPE_ASSIGN_OR_RETURN(body_, make_body_session(ctx, attrs.body, "body"));
    cond_offset_ = body_offset(ctx.graph(), ctx.node_index(), 0);
    body_offset_ = body_offset(ctx.graph(), ctx.node_index(), 1);
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      vars_.push_back({ctx.input_id(i), ctx.output_id(i),
                       std::vector<uint8_t>(ctx.input(i).bytes())});
    }
    name_ = describe_node(ctx.graph(), ctx.node_index());
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    for (Var& v : vars_) {
      if (!v.value.empty()) std::memcpy(v.value.data(), ctx.data<const void>(v.in), v.value.size());
    }
    OffsetProfiler cond_events(ctx.profiler, cond_offset_), body_events(ctx.profiler, body_offset_);
    cond_->set_profiler(ctx.profiler != nullptr ? &cond_events : nullptr);
    body_->set_profiler(ctx.profiler != nullptr ? &body_events : nullptr);
    Status st = loop();
    cond_->set_profiler(nullptr);
    body_->set_profiler(nullptr);
    for (Var& v : vars_) {
      if (v.out < 0 || v.value.empty()) continue;
      if (st.is_ok()) {
        std::memcpy(ctx.data<void>(v.out), v.value.data(), v.value.size());
      } else {
        std::memset(ctx.data<void>(v.out), 0, v.value.size());
      }
    }
    if (!st.is_ok()) ctx.fail(Status(st.code(), name_ + ": " + st.message()));
  }

 private:
  struct Var {
    int in, out;
    std::vector<uint8_t> value;  // the current value
  };

  Status loop() {
    BodyRunBudget budget;
    for (;;) {
      for (size_t i = 0; i < vars_.size(); ++i) {
        copy_into_input(*cond_, static_cast<int>(i), vars_[i].value.data(), vars_[i].value.size());
      }
      OPSCOPE_RETURN_IF_ERROR(cond_->invoke());
      if (*static_cast<const uint8_t*>(cond_->output_data(0)) == 0) return Status::ok();
      if (!budget.take()) return body_budget_spent();
      for (size_t i = 0; i < vars_.size(); ++i) {
        copy_into_input(*body_, static_cast<int>(i), vars_[i].value.data(), vars_[i].value.size());
      }
      OPSCOPE_RETURN_IF_ERROR(body_->invoke());
      for (size_t i = 0; i < vars_.size(); ++i) {
        if (vars_[i].value.empty()) continue;
        std::memcpy(vars_[i].value.data(), body_->output_data(static_cast<int>(i)),
                    vars_[i].value.size());
      }
    }
  }

  std::unique_ptr<Session> cond_, body_;
  int cond_offset_ = 0, body_offset_ = 0;
  std::vector<Var> vars_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> make_while() { return std::make_unique<WhileKernel>(); }

}  // namespace opscope::reference

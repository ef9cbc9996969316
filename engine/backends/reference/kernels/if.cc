// IF (op_kind.h): each branch is a Session of its own, created at prepare
// on the reference backend; run() copies the captured inputs into the
// branch the condition picks, invokes it and copies its outputs out. The
// If's row in the per-op table holds the branch's whole time (its ops have
// no rows of their own yet), and the branches' memory is theirs, outside
// the session's arena.
#include <cstring>
#include <memory>
#include <vector>

#include "engine/backends/reference/kernels/body_session.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/control_flow.h"
#include "engine/graph.h"
#include "engine/session.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class IfKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::if_outputs(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const IfAttrs attrs, shapes::node_attrs<IfAttrs>(ctx));
    const std::shared_ptr<const Model> branches[2] = {attrs.then_branch, attrs.else_branch};
    for (int b = 0; b < 2; ++b) {
      OPSCOPE_ASSIGN_OR_RETURN(sessions_[b],
                               make_body_session(ctx, branches[b], b == 0 ? "then branch" : "else branch"));
      offsets_[b] = body_offset(ctx.graph(), ctx.node_index(), b);
    }
    cond_id_ = ctx.input_id(0);
    cond_bytes_ = ctx.input(0).bytes();
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      inputs_.push_back({ctx.input_id(i), ctx.input(i).bytes()});
    }
    for (int k = 0; k < ctx.num_outputs(); ++k) {
      outputs_.push_back({ctx.output_id(k), ctx.output_id(k) >= 0 ? ctx.output(k).bytes() : 0});
    }
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const auto* cond = ctx.data<const uint8_t>(cond_id_);
    bool taken = false;
    for (size_t i = 0; i < cond_bytes_; ++i) taken = taken || cond[i] != 0;
    const int b = taken ? 0 : 1;
    Session& s = *sessions_[b];
    for (size_t i = 0; i < inputs_.size(); ++i) {
      copy_into_input(s, static_cast<int>(i), ctx.data<const void>(inputs_[i].id), inputs_[i].bytes);
    }
    Status st;
    if (ctx.profiler != nullptr) {
      OffsetProfiler forward(ctx.profiler, offsets_[b]);
      s.set_profiler(&forward);
      st = s.invoke();
      s.set_profiler(nullptr);
    } else {
      st = s.invoke();
    }
    if (!st.is_ok()) {
      for (const Io& out : outputs_) {
        if (out.id >= 0 && out.bytes > 0) std::memset(ctx.data<void>(out.id), 0, out.bytes);
      }
      ctx.fail(std::move(st));
      return;
    }
    for (size_t k = 0; k < outputs_.size(); ++k) {
      if (outputs_[k].id < 0 || outputs_[k].bytes == 0) continue;
      std::memcpy(ctx.data<void>(outputs_[k].id), s.output_data(static_cast<int>(k)),
                  outputs_[k].bytes);
    }
  }

 private:
  struct Io {
    int id;
    size_t bytes;
  };
  std::unique_ptr<Session> sessions_[2];  // then, else
  int offsets_[2] = {0, 0};                // their index spaces in this graph's
  int cond_id_ = -1;
  size_t cond_bytes_ = 0;
  std::vector<Io> inputs_, outputs_;
};

}  // namespace

std::unique_ptr<Kernel> make_if() { return std::make_unique<IfKernel>(); }

}  // namespace opscope::reference

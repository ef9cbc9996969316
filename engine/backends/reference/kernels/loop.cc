// LOOP (op_kind.h): the body is a Session of its own, created at prepare on
// the reference backend. run() feeds it the iteration number, the condition,
// the carried values and the captured inputs, invokes it while the trip
// count and the condition allow, feeds each run's carried outputs back in
// and stacks its scan values into the loop's scan outputs. The body's ops
// report one event per run through an OffsetProfiler (control_flow.h), so
// their rows count how often they ran per invoke.
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
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

class LoopKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::loop_outputs(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const LoopAttrs attrs, shapes::node_attrs<LoopAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(body_, make_body_session(ctx, attrs.body, "body"));
    offset_ = body_offset(ctx.graph(), ctx.node_index(), 0);
    num_carried_ = attrs.num_carried;
    trip_id_ = ctx.has_input(0) ? ctx.input_id(0) : -1;
    cond_id_ = ctx.has_input(1) ? ctx.input_id(1) : -1;
    for (int i = 2; i < ctx.num_inputs(); ++i) {
      inputs_.push_back({ctx.input_id(i), ctx.input(i).bytes()});
    }
    for (int k = 0; k < ctx.num_outputs(); ++k) {
      outputs_.push_back({ctx.output_id(k), ctx.output_id(k) >= 0 ? ctx.output(k).bytes() : 0});
    }
    if (attrs.num_scan > 0) {  // the shape rule saw a constant trip count
      std::memcpy(&scan_length_, ctx.input(0).data, sizeof(scan_length_));
      if (scan_length_ < 0) scan_length_ = 0;
    }
    name_ = describe_node(ctx.graph(), ctx.node_index());
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    Session& body = *body_;
    int64_t trip = std::numeric_limits<int64_t>::max();
    if (trip_id_ >= 0) std::memcpy(&trip, ctx.data<const void>(trip_id_), sizeof(trip));
    bool cond = cond_id_ < 0 || *ctx.data<const uint8_t>(cond_id_) != 0;
    // Carried values and captured inputs, in the body's input order.
    for (size_t i = 0; i < inputs_.size(); ++i) {
      copy_into_input(body, 2 + static_cast<int>(i), ctx.data<const void>(inputs_[i].id), inputs_[i].bytes);
    }
    OffsetProfiler forward(ctx.profiler, offset_);
    body.set_profiler(ctx.profiler != nullptr ? &forward : nullptr);
    int64_t runs = 0;
    Status st;
    BodyRunBudget budget;
    for (; runs < trip && cond; ++runs) {
      if (!budget.take()) {
        st = body_budget_spent();
        break;
      }
      copy_into_input(body, 0, &runs, sizeof(runs));
      const uint8_t c = 1;
      copy_into_input(body, 1, &c, 1);
      st = body.invoke();
      if (!st.is_ok()) break;
      if (cond_id_ >= 0) cond = *static_cast<const uint8_t*>(body.output_data(0)) != 0;
      for (int c2 = 0; c2 < num_carried_; ++c2) {
        copy_into_input(body, 2 + c2, body.output_data(1 + c2), inputs_[static_cast<size_t>(c2)].bytes);
      }
      for (size_t s = static_cast<size_t>(num_carried_); s < outputs_.size(); ++s) {
        const Io& out = outputs_[s];
        if (out.id < 0 || runs >= scan_length_) continue;
        const size_t step = out.bytes / static_cast<size_t>(scan_length_);  // runs < length
        std::memcpy(ctx.data<uint8_t>(out.id) + static_cast<size_t>(runs) * step,
                    body.output_data(1 + static_cast<int>(s)), step);
      }
    }
    body.set_profiler(nullptr);
    if (st.is_ok() && scan_length_ >= 0 && runs < scan_length_) {
      st = Status(ErrorCode::kUnsupportedOp,
                  "stopped after " + std::to_string(runs) + " of " + std::to_string(scan_length_) +
                      " runs: its scan outputs have the length of the trip count (the engine "
                      "plans static shapes)");
    }
    if (!st.is_ok()) {
      for (const Io& out : outputs_) {
        if (out.id >= 0 && out.bytes > 0) std::memset(ctx.data<void>(out.id), 0, out.bytes);
      }
      ctx.fail(Status(st.code(), name_ + ": " + st.message()));
      return;
    }
    for (int c2 = 0; c2 < num_carried_; ++c2) {
      const Io& out = outputs_[static_cast<size_t>(c2)];
      if (out.id < 0 || out.bytes == 0) continue;
      const void* from = runs == 0 ? ctx.data<const void>(inputs_[static_cast<size_t>(c2)].id)
                                   : body.output_data(1 + c2);
      std::memcpy(ctx.data<void>(out.id), from, out.bytes);
    }
  }

 private:
  struct Io {
    int id;
    size_t bytes;
  };
  std::unique_ptr<Session> body_;
  int offset_ = 0, num_carried_ = 0;
  int trip_id_ = -1, cond_id_ = -1;
  int64_t scan_length_ = -1;
  std::vector<Io> inputs_, outputs_;  // loop inputs from index 2; loop outputs
  std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> make_loop() { return std::make_unique<LoopKernel>(); }

}  // namespace opscope::reference

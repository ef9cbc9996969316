// BROADCAST_TO and TILE (op_kind.h), any element type (copied by size):
// output row by output row, each read from the input row its coordinates
// map to (c mod the input's dim); a row the input holds whole is one copy.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/shape_rules.h"
#include "engine/value_operands.h"

namespace opscope::reference {
namespace {

class RepeatKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::repeat_plan(ctx));
    const size_t rank = plan_.out.size();
    in_strides_.assign(rank, 1);
    for (size_t d = rank; d-- > 1;) in_strides_[d - 1] = in_strides_[d] * plan_.in[d];
    coord_.assign(rank, 0);
    x_id_ = ctx.input_id(0);
    y_id_ = ctx.output_id(0);
    // Repeats or a shape computed at run time: the values planned with.
    const Tensor& v = ctx.input(1);
    if (!v.is_constant()) {
      values_ = v;
      values_id_ = ctx.input_id(1);
      planned_ = ctx.graph().planned_values.at(values_id_);
      now_ = planned_;  // sized now, so run never allocates
      label_ = describe_node(ctx.graph(), ctx.node_index());
    }
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    if (values_id_ >= 0) read_int_buffer_into(values_, ctx.data<const void>(values_id_), &now_);
    if (values_id_ >= 0 && now_ != planned_) {
      // Other values: another plan (the session re-plans and runs again).
      const size_t bytes = static_cast<size_t>(num_elements(plan_.out)) * plan_.element_size;
      if (bytes > 0) std::memset(ctx.data<uint8_t>(y_id_), 0, bytes);
      ctx.fail(Status(ErrorCode::kShapeChanged,
                      label_ + ": run-time " + values_.name + " differs from the planned values"));
      return;
    }
    const auto* x = ctx.data<const uint8_t>(x_id_);
    auto* y = ctx.data<uint8_t>(y_id_);
    const size_t e = plan_.element_size;
    const int64_t total = num_elements(plan_.out);
    if (total == 0) return;
    if (plan_.out.empty()) {
      std::memcpy(y, x, e);
      return;
    }
    const size_t last = plan_.out.size() - 1;
    const int64_t row = plan_.out[last], in_row = plan_.in[last];
    std::fill(coord_.begin(), coord_.end(), 0);
    for (int64_t at = 0; at < total; at += row) {
      int64_t from = 0;  // the input row these outer coordinates read
      for (size_t d = 0; d < last; ++d) from += (coord_[d] % plan_.in[d]) * in_strides_[d];
      uint8_t* out = y + static_cast<size_t>(at) * e;
      const uint8_t* src = x + static_cast<size_t>(from) * e;
      for (int64_t j = 0; j < row; j += in_row) {
        const int64_t n = std::min(in_row, row - j);
        std::memcpy(out + static_cast<size_t>(j) * e, src, static_cast<size_t>(n) * e);
      }
      for (size_t d = last; d-- > 0;) {
        if (++coord_[d] < plan_.out[d]) break;
        coord_[d] = 0;
      }
    }
  }

 private:
  shapes::RepeatPlan plan_;
  Tensor values_;
  int values_id_ = -1;
  std::vector<int64_t> planned_, now_;  // values planned with; the last run's
  std::string label_;
  std::vector<int64_t> in_strides_;
  std::vector<int64_t> coord_;  // the odometer over the outer dims, sized at prepare
  int x_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_repeat() { return std::make_unique<RepeatKernel>(); }

}  // namespace opscope::reference

// SLICE (ONNX Slice; op_kind.h), any dtype. Operands computed at run time
// are read every run and the geometry recomputed from them; only a
// different output shape stops the run (kShapeChanged: the session
// re-plans). Elements are copied by size along an odometer over the output.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/value_operands.h"

namespace opscope::reference {
namespace {

class SliceKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::slice(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(g_, shapes::onnx_slice_geometry(ctx));
    element_ = dtype_size(ctx.input(0).dtype);
    x_id_ = ctx.input_id(0);
    y_id_ = ctx.output_id(0);
    for (int i = 1; i < 5; ++i) {
      operand_[i] = ctx.has_input(i) ? ctx.input_id(i) : -1;
      runtime_[i] = operand_[i] >= 0 && !ctx.input(i).is_constant();
      values_[i].clear();
      if (operand_[i] >= 0) {
        // Constant operands are read once here; run-time ones every run,
        // into the same vectors (sized now, so run never allocates).
        const Tensor& t = ctx.input(i);
        tensors_[i] = t;
        values_[i] = t.is_constant() ? read_int_buffer(t, t.data)
                                     : std::vector<int64_t>(static_cast<size_t>(t.elements()));
      }
    }
    now_ = g_;
    const size_t rank = g_.in_shape.size();
    in_stride_.assign(rank, 1);
    for (size_t d = rank; d-- > 1;) in_stride_[d - 1] = in_stride_[d] * g_.in_shape[d];
    idx_.assign(rank, 0);
    label_ = describe_node(ctx.graph(), ctx.node_index());
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const shapes::OnnxSliceGeometry* g = &g_;
    if (runtime_[1] || runtime_[2] || runtime_[3] || runtime_[4]) {
      // values_ and now_ keep their storage from run to run: no allocation.
      for (int i = 1; i < 5; ++i) {
        if (runtime_[i]) read_int_buffer_into(tensors_[i], ctx.data<const void>(operand_[i]), &values_[i]);
      }
      const std::string why =
          shapes::onnx_slice_geometry_for(g_.in_shape, values_[1], values_[2], values_[3], values_[4], &now_);
      const shapes::OnnxSliceGeometry& now = now_;
      if (!why.empty() || now.out_shape != g_.out_shape) {
        // An empty planned output may have no buffer at all.
        const size_t bytes = static_cast<size_t>(num_elements(g_.out_shape)) * element_;
        if (bytes > 0) std::memset(ctx.data<uint8_t>(y_id_), 0, bytes);
        ctx.fail(Status(why.empty() ? ErrorCode::kShapeChanged : ErrorCode::kInvalidArgument,
                        label_ + ": " +
                            (why.empty() ? "run-time starts/ends give shape " +
                                               shape_to_string(now.out_shape) + ", planned " +
                                               shape_to_string(g_.out_shape)
                                         : why)));
        return;
      }
      g = &now;
    }
    copy(*g, ctx.data<const uint8_t>(x_id_), ctx.data<uint8_t>(y_id_));
  }

 private:
  void copy(const shapes::OnnxSliceGeometry& g, const uint8_t* x, uint8_t* y) {
    const int rank = static_cast<int>(g.in_shape.size());
    const int64_t total = num_elements(g.out_shape);
    if (total == 0) return;
    const std::vector<int64_t>& in_stride = in_stride_;
    std::vector<int64_t>& idx = idx_;
    std::fill(idx.begin(), idx.end(), 0);
    int64_t at = 0;  // input element of the current output element
    for (int d = 0; d < rank; ++d) at += g.start[d] * in_stride[d];
    for (int64_t o = 0; o < total; ++o) {
      std::memcpy(y + o * element_, x + at * element_, element_);
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < g.out_shape[d]) {
          at += g.step[d] * in_stride[d];
          break;
        }
        at -= (g.out_shape[d] - 1) * g.step[d] * in_stride[d];
        idx[d] = 0;
      }
    }
  }

  shapes::OnnxSliceGeometry g_;
  size_t element_ = 4;
  int x_id_ = -1, y_id_ = -1;
  int operand_[5] = {-1, -1, -1, -1, -1};
  bool runtime_[5] = {false, false, false, false, false};
  Tensor tensors_[5];
  std::vector<int64_t> values_[5];  // operand values: constants, or the last run's
  shapes::OnnxSliceGeometry now_;   // the geometry of the last run's values
  std::vector<int64_t> in_stride_, idx_;
  std::string label_;
};

}  // namespace

std::unique_ptr<Kernel> make_slice() { return std::make_unique<SliceKernel>(); }

}  // namespace opscope::reference

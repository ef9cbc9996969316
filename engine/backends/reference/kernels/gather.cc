// GATHER, any params dtype (it copies bytes), indices i32 or i64, with
// TFLite's semantics plus ONNX's negative indices. Params are seen as
// [batch, outer, axis size n, inner] and indices as [batch, coords], batch
// being the first batch_dims dims both share:
//   out[b, o, k, :] = params[b, o, idx[b, k] (+ n when negative), :]
// Output shape: params[:axis] + indices.shape[batch_dims:] + params[axis+1:].
//
// An index outside [-n, n) is refused before anything is copied
// (IndexGatherKernel, index_gather.h).
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

#include "engine/backends/reference/kernels/index_gather.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

class Gather final : public IndexGatherKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    // Inputs, shapes and constant indices checked; the output shaped.
    OPSCOPE_ASSIGN_OR_RETURN(shapes::IndexBounds bounds, shapes::gather_indexing(ctx));
    prepare_indices(ctx, std::move(bounds));
    const GatherAttrs& attrs = std::get<GatherAttrs>(ctx.node().attrs);
    const Tensor& params = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int rank = static_cast<int>(params.shape.size());
    const int index_rank = static_cast<int>(indices.shape.size());
    const int axis = static_cast<int>(attrs.axis < 0 ? attrs.axis + rank : attrs.axis);
    const int batch_dims =
        attrs.batch_dims < 0 ? attrs.batch_dims + index_rank : attrs.batch_dims;
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));

    batch_ = outer_ = inner_ = coords_ = 1;
    for (int d = 0; d < batch_dims; ++d) batch_ *= params.shape[d];
    for (int d = batch_dims; d < axis; ++d) outer_ *= params.shape[d];
    for (int d = axis + 1; d < rank; ++d) inner_ *= params.shape[d];
    for (int d = batch_dims; d < index_rank; ++d) coords_ *= indices.shape[d];
    axis_size_ = params.shape[axis];

    elem_size_ = dtype_size(params.dtype);
    params_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    out_bytes_ = static_cast<size_t>(num_elements(ctx.output(0).shape)) * elem_size_;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const auto* idx = ctx.data<const uint8_t>(indices_id_);
    const auto* src = ctx.data<const uint8_t>(params_id_);
    auto* dst = ctx.data<uint8_t>(output_id_);
    if (refuse_bad_indices(ctx, idx, dst, out_bytes_)) return;
    const size_t row = static_cast<size_t>(inner_) * elem_size_;
    for (int64_t b = 0; b < batch_; ++b) {
      for (int64_t o = 0; o < outer_; ++o) {
        const uint8_t* slab = src + ((b * outer_ + o) * axis_size_) * row;
        for (int64_t k = 0; k < coords_; ++k) {
          int64_t i = index_at(idx, b * coords_ + k);
          if (i < 0) i += axis_size_;
          std::memcpy(dst, slab + i * row, row);
          dst += row;
        }
      }
    }
  }

 private:
  int64_t batch_ = 1, outer_ = 1, axis_size_ = 0, inner_ = 1, coords_ = 1;
  size_t elem_size_ = 0;
  size_t out_bytes_ = 0;
  int params_id_ = -1, output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_gather() { return std::make_unique<Gather>(); }

}  // namespace opscope::reference

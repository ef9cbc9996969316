// GATHER_ND, any data dtype (it copies slices), indices i32 or i64, with
// TFLite's GATHER_ND semantics plus ONNX GatherND's batch_dims b and
// negative indices. Data is seen as [batch, d_0 .. d_{m-1}, slice] and
// indices as [batch, tuples, m], batch being the first b dims both share:
//   out[bt, t, :] = data[bt, idx[bt, t, 0], ..., idx[bt, t, m-1], :]
// each index plus d_j when negative. Output shape:
// indices.shape[:-1] + data.shape[b + m:]. m may be 0 (every tuple picks
// the whole batch slice, as TensorFlow allows); ONNX asks for m >= 1.
//
// An index outside [-d_j, d_j) is refused before anything is copied
// (IndexGatherKernel, index_gather.h).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/index_gather.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

class GatherNd final : public IndexGatherKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    // Inputs, shapes and constant indices checked; the output shaped.
    OPSCOPE_ASSIGN_OR_RETURN(shapes::IndexBounds bounds, shapes::gather_nd_indexing(ctx));
    prepare_indices(ctx, std::move(bounds));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int rank = static_cast<int>(data.shape.size());
    const int index_rank = static_cast<int>(indices.shape.size());
    const int b = std::get<GatherNdAttrs>(ctx.node().attrs).batch_dims;
    const int64_t m = indices.shape.back();
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));

    const std::vector<int64_t> strides = row_major_strides(data.shape);
    batch_ = tuples_ = 1;
    for (int d = 0; d < b; ++d) batch_ *= data.shape[d];
    for (int d = b; d < index_rank - 1; ++d) tuples_ *= indices.shape[d];
    batch_stride_ = b > 0 ? strides[b - 1] : num_elements(data.shape);
    tuple_size_ = static_cast<int>(m);
    dims_.assign(data.shape.begin() + b, data.shape.begin() + b + m);
    dim_strides_.assign(strides.begin() + b, strides.begin() + b + m);
    slice_ = 1;
    for (int d = b + static_cast<int>(m); d < rank; ++d) slice_ *= data.shape[d];

    elem_size_ = dtype_size(data.dtype);
    data_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    out_bytes_ = static_cast<size_t>(num_elements(ctx.output(0).shape)) * elem_size_;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const auto* idx = ctx.data<const uint8_t>(indices_id_);
    const auto* src = ctx.data<const uint8_t>(data_id_);
    auto* dst = ctx.data<uint8_t>(output_id_);
    if (refuse_bad_indices(ctx, idx, dst, out_bytes_)) return;
    const size_t slice_bytes = static_cast<size_t>(slice_) * elem_size_;
    int64_t k = 0;  // the next element of indices
    for (int64_t bt = 0; bt < batch_; ++bt) {
      for (int64_t t = 0; t < tuples_; ++t) {
        int64_t offset = bt * batch_stride_;
        for (int j = 0; j < tuple_size_; ++j, ++k) {
          int64_t i = index_at(idx, k);
          if (i < 0) i += dims_[j];
          offset += i * dim_strides_[j];
        }
        if (slice_bytes > 0) std::memcpy(dst, src + offset * elem_size_, slice_bytes);
        dst += slice_bytes;
      }
    }
  }

 private:
  int64_t batch_ = 1, tuples_ = 1, batch_stride_ = 0, slice_ = 1;
  int tuple_size_ = 0;
  std::vector<int64_t> dims_, dim_strides_;  // per tuple element
  size_t elem_size_ = 0;
  size_t out_bytes_ = 0;
  int data_id_ = -1, output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_gather_nd() { return std::make_unique<GatherNd>(); }

}  // namespace opscope::reference

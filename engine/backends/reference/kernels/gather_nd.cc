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
#include <vector>

#include "engine/backends/reference/kernels/index_gather.h"
#include "engine/backends/reference/kernels/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

class GatherNd final : public IndexGatherKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(prepare_indices(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const GatherNdAttrs attrs, node_attrs<GatherNdAttrs>(ctx));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int rank = static_cast<int>(data.shape.size());
    const int index_rank = static_cast<int>(indices.shape.size());
    if (rank == 0 || index_rank == 0) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "data " + shape_to_string(data.shape) + " and indices " +
                           shape_to_string(indices.shape) +
                           " must both have rank >= 1");
    }
    const int b = attrs.batch_dims;
    if (b < 0 || b >= std::min(rank, index_rank)) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "batch_dims " + std::to_string(b) + " must lie in [0, min(data rank " +
                           std::to_string(rank) + ", indices rank " +
                           std::to_string(index_rank) + "))");
    }
    for (int d = 0; d < b; ++d) {
      if (data.shape[d] != indices.shape[d]) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "batch dim " + std::to_string(d) + " differs: data " +
                             shape_to_string(data.shape) + ", indices " +
                             shape_to_string(indices.shape));
      }
    }
    const int64_t m = indices.shape.back();
    if (m > rank - b) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "indices " + shape_to_string(indices.shape) + " hold tuples of " +
                           std::to_string(m) + " but data " + shape_to_string(data.shape) +
                           " has only " + std::to_string(rank - b) +
                           " dims after batch_dims " + std::to_string(b));
    }
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
    Shape out_shape(indices.shape.begin(), indices.shape.end() - 1);
    out_shape.insert(out_shape.end(), data.shape.begin() + b + m, data.shape.end());

    first_dim_ = b;
    elem_size_ = dtype_size(data.dtype);
    data_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    OPSCOPE_RETURN_IF_ERROR(check_constant_indices(ctx));
    out_bytes_ = static_cast<size_t>(num_elements(out_shape)) * elem_size_;
    ctx.output(0).shape = std::move(out_shape);
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
  // The first index outside its dim's [-d_j, d_j).
  int64_t first_bad_index(const uint8_t* idx) const override {
    if (tuple_size_ == 0) return -1;
    const int64_t count = batch_ * tuples_ * tuple_size_;
    for (int64_t k = 0; k < count; ++k) {
      const int64_t n = dims_[k % tuple_size_];
      const int64_t i = index_at(idx, k);
      if (i < -n || i >= n) return k;
    }
    return -1;
  }

  std::string describe_bad(const uint8_t* idx, int64_t k) const override {
    const int j = static_cast<int>(k % tuple_size_);
    return name_index(idx, k) + " is out of range for data dim " +
           std::to_string(first_dim_ + j) + " of size " + std::to_string(dims_[j]);
  }

  int64_t batch_ = 1, tuples_ = 1, batch_stride_ = 0, slice_ = 1;
  int tuple_size_ = 0;
  int first_dim_ = 0;  // data dim of tuple element 0 (= batch_dims)
  std::vector<int64_t> dims_, dim_strides_;  // per tuple element
  size_t elem_size_ = 0;
  size_t out_bytes_ = 0;
  int data_id_ = -1, output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_gather_nd() { return std::make_unique<GatherNd>(); }

}  // namespace opscope::reference

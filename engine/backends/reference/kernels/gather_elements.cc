// GATHER_ELEMENTS, any data dtype (it copies elements), indices i32 or i64
// of data's rank, with ONNX GatherElements' semantics:
//   out[p] = data[p with p[axis] replaced by idx[p] (+ n when negative)]
// for every position p of indices; the output has indices' shape. Off the
// axis, an indices dim may be smaller than data's (as ONNX Runtime and
// PyTorch's gather allow), never larger: prepare checks it, so p always
// lies inside data.
//
// An index outside [-n, n) is refused before anything is copied
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

class GatherElements final : public IndexGatherKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    // Inputs, shapes and constant indices checked; the output shaped.
    OPSCOPE_ASSIGN_OR_RETURN(shapes::IndexBounds bounds, shapes::gather_elements_indexing(ctx));
    prepare_indices(ctx, std::move(bounds));
    const GatherElementsAttrs& attrs = std::get<GatherElementsAttrs>(ctx.node().attrs);
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int rank = static_cast<int>(data.shape.size());
    const int axis = static_cast<int>(attrs.axis < 0 ? attrs.axis + rank : attrs.axis);
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));

    // Walking indices in row-major order, the data offset of position p is
    // sum over d != axis of p[d] * stride[d], plus the index times
    // stride[axis]; step_ is stride with the axis zeroed.
    index_shape_ = indices.shape;
    step_ = row_major_strides(data.shape);
    axis_stride_ = step_[axis];
    step_[axis] = 0;
    pos_.assign(rank, 0);
    count_ = num_elements(indices.shape);
    axis_size_ = data.shape[axis];
    elem_size_ = dtype_size(data.dtype);
    data_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const auto* idx = ctx.data<const uint8_t>(indices_id_);
    const auto* src = ctx.data<const uint8_t>(data_id_);
    auto* dst = ctx.data<uint8_t>(output_id_);
    if (refuse_bad_indices(ctx, idx, dst, static_cast<size_t>(count_) * elem_size_)) return;
    switch (elem_size_) {
      case 1: copy<uint8_t>(idx, src, dst); break;
      case 2: copy<uint16_t>(idx, src, dst); break;
      case 4: copy<uint32_t>(idx, src, dst); break;
      case 8: copy<uint64_t>(idx, src, dst); break;
      default: break;  // no dtype has another size
    }
  }

 private:
  // The copy for elements of sizeof(E) bytes (memcpy: data may be
  // unaligned when constant).
  template <typename E>
  void copy(const uint8_t* idx, const uint8_t* src, uint8_t* dst) {
    std::fill(pos_.begin(), pos_.end(), 0);
    const int rank = static_cast<int>(pos_.size());
    int64_t base = 0;
    for (int64_t k = 0; k < count_; ++k) {
      int64_t i = index_at(idx, k);
      if (i < 0) i += axis_size_;
      std::memcpy(dst + k * sizeof(E), src + (base + i * axis_stride_) * sizeof(E),
                  sizeof(E));
      for (int d = rank - 1; d >= 0; --d) {  // next position p
        if (++pos_[d] < index_shape_[d]) {
          base += step_[d];
          break;
        }
        base -= (index_shape_[d] - 1) * step_[d];
        pos_[d] = 0;
      }
    }
  }

  Shape index_shape_;
  std::vector<int64_t> step_;
  std::vector<int64_t> pos_;  // run()'s odometer, sized in prepare
  int64_t axis_stride_ = 0, axis_size_ = 0, count_ = 0;
  size_t elem_size_ = 0;
  int data_id_ = -1, output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_gather_elements() {
  return std::make_unique<GatherElements>();
}

}  // namespace opscope::reference

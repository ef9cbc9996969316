// TRILU (op_kind.h): the upper or lower triangle of each matrix in the last
// two dims, any element type (copied by size), 0 elsewhere.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class TriluKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::trilu(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(attrs_, shapes::node_attrs<TriluAttrs>(ctx));
    const Shape& x = ctx.input(0).shape;
    rows_ = x[x.size() - 2];
    cols_ = x[x.size() - 1];
    const int64_t per_matrix = rows_ * cols_;
    matrices_ = per_matrix == 0 ? 0 : ctx.input(0).elements() / per_matrix;
    element_ = dtype_size(ctx.input(0).dtype);
    x_id_ = ctx.input_id(0);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const auto* x = ctx.data<const uint8_t>(x_id_);
    auto* y = ctx.data<uint8_t>(y_id_);
    const size_t row_bytes = static_cast<size_t>(cols_) * element_;
    for (int64_t m = 0; m < matrices_; ++m) {
      for (int64_t i = 0; i < rows_; ++i) {
        const size_t at = static_cast<size_t>((m * rows_ + i) * cols_) * element_;
        // Kept columns: j >= i + k (upper) or j <= i + k (lower), clamped.
        int64_t begin = 0, end = cols_;
        if (attrs_.upper) {
          begin = std::clamp<int64_t>(i + attrs_.k, 0, cols_);
        } else {
          end = std::clamp<int64_t>(i + attrs_.k + 1, 0, cols_);
        }
        std::memset(y + at, 0, row_bytes);
        if (end > begin) {
          std::memcpy(y + at + begin * element_, x + at + begin * element_,
                      static_cast<size_t>(end - begin) * element_);
        }
      }
    }
  }

 private:
  TriluAttrs attrs_;
  int64_t rows_ = 0, cols_ = 0, matrices_ = 0;
  size_t element_ = 4;
  int x_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_trilu() { return std::make_unique<TriluKernel>(); }

}  // namespace opscope::reference

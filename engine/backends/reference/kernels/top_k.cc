// TOPK (op_kind.h), f32: for each (outer, inner) line along the axis, the k
// largest (or smallest) values in order, ties by the lower index, with
// their indices (i64 or i32). NaN counts as larger than any number, as
// ONNX Runtime orders it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

// a before b in the output order.
bool before(float a, int64_t ia, float b, int64_t ib, bool largest) {
  const bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) {
    if (na && nb) return ia < ib;
    return largest ? na : nb;
  }
  if (a != b) return largest ? a > b : a < b;
  return ia < ib;
}

class TopKKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(g_, shapes::top_k_geometry(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const TopKAttrs attrs, shapes::node_attrs<TopKAttrs>(ctx));
    largest_ = attrs.largest;
    i64_ = attrs.index_dtype == DType::kI64;
    order_.resize(static_cast<size_t>(g_.count));
    x_id_ = ctx.input_id(0);
    values_id_ = ctx.output_id(0);
    indices_id_ = ctx.output_id(1);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(x_id_);
    float* values = ctx.data<float>(values_id_);
    void* indices = ctx.data<void>(indices_id_);
    for (int64_t o = 0; o < g_.outer; ++o) {
      for (int64_t i = 0; i < g_.inner; ++i) {
        const float* line = x + o * g_.count * g_.inner + i;
        for (int64_t c = 0; c < g_.count; ++c) order_[static_cast<size_t>(c)] = c;
        std::partial_sort(order_.begin(), order_.begin() + g_.k, order_.end(),
                          [&](int64_t a, int64_t b) {
                            return before(line[a * g_.inner], a, line[b * g_.inner], b, largest_);
                          });
        for (int64_t j = 0; j < g_.k; ++j) {
          const int64_t at = (o * g_.k + j) * g_.inner + i;
          const int64_t src = order_[static_cast<size_t>(j)];
          values[at] = line[src * g_.inner];
          if (i64_) {
            static_cast<int64_t*>(indices)[at] = src;
          } else {
            static_cast<int32_t*>(indices)[at] = static_cast<int32_t>(src);
          }
        }
      }
    }
  }

 private:
  shapes::TopKGeometry g_;
  bool largest_ = true, i64_ = true;
  std::vector<int64_t> order_;  // one line's indices, sized at prepare
  int x_id_ = -1, values_id_ = -1, indices_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_top_k_f32() { return std::make_unique<TopKKernel>(); }

}  // namespace opscope::reference

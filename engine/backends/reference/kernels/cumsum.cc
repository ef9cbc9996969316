// CUMSUM (op_kind.h), f32 / i32 / i64: for each (outer, inner) line along
// the axis, the running sum in order (or from the end, reverse), each
// element in its own sum or not (exclusive). f32 sums in double; integers
// wrap in two's complement (int_arithmetic.cc's rule). An axis that comes
// at run time is read and checked every run.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/index_bounds.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

// The running sum's type, and the element it rounds or wraps to.
template <typename T>
struct Sum {
  uint64_t v = 0;  // integers: unsigned, so overflow wraps without UB
  void add(T x) { v += static_cast<uint64_t>(static_cast<int64_t>(x)); }
  T get() const { return static_cast<T>(static_cast<int64_t>(v)); }
};
template <>
struct Sum<float> {
  double v = 0;
  void add(float x) { v += x; }
  float get() const { return static_cast<float>(v); }
};

class CumSumKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(g_, shapes::cumsum_geometry(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(attrs_, shapes::node_attrs<CumSumAttrs>(ctx));
    dtype_ = ctx.input(0).dtype;
    x_id_ = ctx.input_id(0);
    axis_id_ = ctx.input_id(1);
    y_id_ = ctx.output_id(0);
    if (g_.axis < 0) node_ = describe_node(ctx.graph(), ctx.node_index());
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    int axis = g_.axis;
    const int rank = static_cast<int>(g_.shape.size());
    if (axis < 0) {  // from the run-time input
      const int64_t a = shapes::read_index(ctx.data<const uint8_t>(axis_id_), g_.axis_i64, 0);
      if (a < -rank || a >= rank) {
        std::memset(ctx.data<void>(y_id_), 0,
                    static_cast<size_t>(num_elements(g_.shape)) * dtype_size(dtype_));
        ctx.fail(Status(ErrorCode::kInvalidArgument,
                        node_ + ": axis " + std::to_string(a) + " is out of range for rank " +
                            std::to_string(rank)));
        return;
      }
      axis = static_cast<int>(a < 0 ? a + rank : a);
    }
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < rank; ++d) {
      if (d < axis) outer *= g_.shape[static_cast<size_t>(d)];
      if (d > axis) inner *= g_.shape[static_cast<size_t>(d)];
    }
    const int64_t count = g_.shape[static_cast<size_t>(axis)];
    switch (dtype_) {
      case DType::kI32: scan<int32_t>(ctx, outer, count, inner); break;
      case DType::kI64: scan<int64_t>(ctx, outer, count, inner); break;
      default: scan<float>(ctx, outer, count, inner); break;
    }
  }

 private:
  template <typename T>
  void scan(const RunContext& ctx, int64_t outer, int64_t count, int64_t inner) const {
    const T* x = ctx.data<const T>(x_id_);
    T* y = ctx.data<T>(y_id_);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * count * inner + i;
        Sum<T> sum;
        for (int64_t s = 0; s < count; ++s) {
          const int64_t at = base + (attrs_.reverse ? count - 1 - s : s) * inner;
          const T v = x[at];
          if (attrs_.exclusive) {
            y[at] = sum.get();
            sum.add(v);
          } else {
            sum.add(v);
            y[at] = sum.get();
          }
        }
      }
    }
  }

  shapes::CumSumGeometry g_;
  CumSumAttrs attrs_;
  DType dtype_ = DType::kF32;
  std::string node_;  // for run()'s error about a run-time axis
  int x_id_ = -1, axis_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_cumsum() { return std::make_unique<CumSumKernel>(); }

}  // namespace opscope::reference

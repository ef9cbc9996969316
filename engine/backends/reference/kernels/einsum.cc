// EINSUM (op_kind.h), f32 / i32 / i64: the naive loop over the equation's
// full index space (shapes/einsum_plan.h). For each output element, the
// sum over the summed axes of the product of the operands' elements; f32
// multiplies and sums in double, integers wrap in two's complement. Meant
// as the oracle, not for speed.
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/einsum_plan.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

// The accumulator: double for f32; unsigned 64-bit for integers, so
// overflow wraps without UB and i32 results are the low 32 bits.
template <typename T>
struct Acc {
  using type = uint64_t;
  static type one() { return 1; }
  static type of(T x) { return static_cast<uint64_t>(static_cast<int64_t>(x)); }
  static T get(type v) { return static_cast<T>(static_cast<int64_t>(v)); }
};
template <>
struct Acc<float> {
  using type = double;
  static type one() { return 1.0; }
  static type of(float x) { return x; }
  static float get(type v) { return static_cast<float>(v); }
};

class EinsumKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::einsum(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const EinsumAttrs attrs, shapes::node_attrs<EinsumAttrs>(ctx));
    std::vector<Shape> shapes;
    for (int i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(ctx.input(i).shape);
    // The shape rule has accepted the equation: this cannot fail.
    shapes::plan_einsum(attrs.equation, shapes, &plan_);
    dtype_ = ctx.input(0).dtype;
    ids_.assign(ctx.node().inputs.begin(), ctx.node().inputs.end());
    y_id_ = ctx.output_id(0);
    const size_t n = ids_.size();
    ptrs_.assign(n, nullptr);
    base_.assign(n, 0);
    offset_.assign(n, 0);
    counter_.assign(plan_.summed.size(), 0);
    out_count_ = num_elements(plan_.output);
    sum_count_ = num_elements(plan_.summed);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    switch (dtype_) {
      case DType::kI32: compute<int32_t>(ctx); break;
      case DType::kI64: compute<int64_t>(ctx); break;
      default: compute<float>(ctx); break;
    }
  }

 private:
  template <typename T>
  void compute(const RunContext& ctx) {
    using A = Acc<T>;
    const size_t n = ids_.size();
    for (size_t k = 0; k < n; ++k) ptrs_[k] = ctx.data<const T>(ids_[k]);
    T* y = ctx.data<T>(y_id_);
    const int out_rank = static_cast<int>(plan_.output.size());
    const int sum_rank = static_cast<int>(plan_.summed.size());
    for (int64_t o = 0; o < out_count_; ++o) {
      // Each operand's offset at output element o (row-major in the output).
      for (size_t k = 0; k < n; ++k) base_[k] = 0;
      int64_t rest = o;
      for (int j = out_rank - 1; j >= 0; --j) {
        const int64_t c = rest % plan_.output[static_cast<size_t>(j)];
        rest /= plan_.output[static_cast<size_t>(j)];
        for (size_t k = 0; k < n; ++k) base_[k] += c * plan_.out_strides[k][static_cast<size_t>(j)];
      }
      // The summed axes as an odometer, last axis fastest.
      for (size_t k = 0; k < n; ++k) offset_[k] = base_[k];
      for (int r = 0; r < sum_rank; ++r) counter_[static_cast<size_t>(r)] = 0;
      typename A::type total = 0;
      for (int64_t s = 0; s < sum_count_; ++s) {
        typename A::type product = A::one();
        for (size_t k = 0; k < n; ++k) product *= A::of(static_cast<const T*>(ptrs_[k])[offset_[k]]);
        total += product;
        for (int r = sum_rank - 1; r >= 0; --r) {
          const size_t ru = static_cast<size_t>(r);
          for (size_t k = 0; k < n; ++k) offset_[k] += plan_.sum_strides[k][ru];
          if (++counter_[ru] < plan_.summed[ru]) break;
          for (size_t k = 0; k < n; ++k) offset_[k] -= plan_.summed[ru] * plan_.sum_strides[k][ru];
          counter_[ru] = 0;
        }
      }
      y[o] = A::get(total);
    }
  }

  shapes::EinsumPlan plan_;
  DType dtype_ = DType::kF32;
  std::vector<int> ids_;
  int y_id_ = -1;
  int64_t out_count_ = 0, sum_count_ = 0;
  // Per run, sized at prepare.
  std::vector<const void*> ptrs_;
  std::vector<int64_t> base_, offset_, counter_;
};

}  // namespace

std::unique_ptr<Kernel> make_einsum() { return std::make_unique<EinsumKernel>(); }

}  // namespace opscope::reference

// SELECT_V2 (op_kind.h): out = condition ? x : y elementwise, the three
// operands broadcast together; any element type (copied by size).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class SelectKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::select_plan(ctx));
    index_.assign(plan_.dims.size(), 0);
    size_ = num_elements(plan_.dims);
    for (int k = 0; k < 3; ++k) ids_[k] = ctx.input_id(k);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    switch (plan_.element_size) {
      case 1: walk<uint8_t>(ctx); break;
      case 2: walk<uint16_t>(ctx); break;
      case 8: walk<uint64_t>(ctx); break;
      default: walk<uint32_t>(ctx); break;
    }
  }

 private:
  // An odometer over the output's dims; each operand's offset follows its
  // strides (0 where it broadcasts).
  template <typename T>
  void walk(const RunContext& ctx) {
    const auto* c = ctx.data<const uint8_t>(ids_[0]);
    const T* x = ctx.data<const T>(ids_[1]);
    const T* y = ctx.data<const T>(ids_[2]);
    T* out = ctx.data<T>(out_id_);
    const int rank = static_cast<int>(plan_.dims.size());
    std::fill(index_.begin(), index_.end(), 0);
    int64_t off[3] = {0, 0, 0};
    for (int64_t i = 0; i < size_; ++i) {
      out[i] = c[off[0]] != 0 ? x[off[1]] : y[off[2]];
      for (int d = rank - 1; d >= 0; --d) {
        for (int k = 0; k < 3; ++k) off[k] += plan_.strides[k][d];
        if (++index_[d] < plan_.dims[d]) break;
        for (int k = 0; k < 3; ++k) off[k] -= plan_.strides[k][d] * plan_.dims[d];
        index_[d] = 0;
      }
    }
  }

  shapes::SelectPlan plan_;
  std::vector<int64_t> index_;  // the odometer, sized at prepare
  int64_t size_ = 0;
  int ids_[3] = {-1, -1, -1};
  int out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_select() { return std::make_unique<SelectKernel>(); }

}  // namespace opscope::reference

// ONE_HOT (op_kind.h): the output [outer, depth, inner] is off everywhere
// but at the index each (outer, inner) position of the indices names.
// Values of any dtype are copied by size. f32 indices are truncated to
// integers (ONNX casts them to int64); NaN, infinities and anything outside
// [-depth, depth) (or [0, depth) without negative_wraps) give a line of off.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class OneHotKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(g_, shapes::one_hot_geometry(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const OneHotAttrs attrs, shapes::node_attrs<OneHotAttrs>(ctx));
    negative_wraps_ = attrs.negative_wraps;
    index_dtype_ = ctx.input(0).dtype;
    element_ = dtype_size(ctx.input(2).dtype);
    indices_id_ = ctx.input_id(0);
    values_id_ = ctx.input_id(2);
    off_id_ = ctx.num_inputs() == 4 ? ctx.input_id(3) : -1;
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const auto* values = ctx.data<const uint8_t>(values_id_);
    // ONNX: values = [off, on]; TFLite: on and off are inputs 2 and 3.
    const uint8_t* on = off_id_ < 0 ? values + element_ : values;
    const uint8_t* off = off_id_ < 0 ? values : ctx.data<const uint8_t>(off_id_);
    const void* indices = ctx.data<const void>(indices_id_);
    auto* y = ctx.data<uint8_t>(y_id_);
    for (int64_t o = 0; o < g_.outer; ++o) {
      for (int64_t i = 0; i < g_.inner; ++i) {
        const int64_t hot = position(indices, o * g_.inner + i);
        for (int64_t d = 0; d < g_.depth; ++d) {
          const size_t at = static_cast<size_t>((o * g_.depth + d) * g_.inner + i) * element_;
          std::memcpy(y + at, d == hot ? on : off, element_);
        }
      }
    }
  }

 private:
  // The position along depth that index k names, or -1 for none.
  int64_t position(const void* indices, int64_t k) const {
    int64_t v;
    switch (index_dtype_) {
      case DType::kI32: v = static_cast<const int32_t*>(indices)[k]; break;
      case DType::kI64: v = static_cast<const int64_t*>(indices)[k]; break;
      default: {
        const double f = std::trunc(static_cast<double>(static_cast<const float*>(indices)[k]));
        // NaN fails both comparisons; |f| <= depth <= 2^31 converts exactly.
        if (!(f >= -static_cast<double>(g_.depth) && f < static_cast<double>(g_.depth))) return -1;
        v = static_cast<int64_t>(f);
      }
    }
    if (v < 0 && negative_wraps_) v += g_.depth;
    return v >= 0 && v < g_.depth ? v : -1;
  }

  shapes::OneHotGeometry g_;
  bool negative_wraps_ = true;
  DType index_dtype_ = DType::kI64;
  size_t element_ = 4;
  int indices_id_ = -1, values_id_ = -1, off_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_one_hot() { return std::make_unique<OneHotKernel>(); }

}  // namespace opscope::reference

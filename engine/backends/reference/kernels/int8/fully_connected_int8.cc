// FULLY_CONNECTED, int8: y[b, o] = requantize(bias[o] + sum_i (x[b, i] -
// x_zp) * w[o, i]) with TFLite's semantics; weights symmetric, per tensor or
// per output channel (axis 0). The input rows are widened to int16 (minus
// the zero point) into scratch, then one exact int32 GEMM against the
// weights packed at prepare.
#include <algorithm>
#include <vector>

#include "engine/backends/reference/kernels/int8/channel_output.h"
#include "engine/backends/reference/kernels/int8/gemm_s16.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference::int8 {
namespace {

size_t aligned(size_t bytes) { return (bytes + 63) / 64 * 64; }

class FullyConnectedI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  ChannelOutput output_stage_;
  int32_t in_zp_ = 0;
  int input_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_size_ = 0, out_size_ = 0;
  int64_t chunk_rows_ = 0;
  std::vector<int16_t> packed_weights_;
  size_t acc_offset_ = 0;
};

Status FullyConnectedI8::prepare(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::FullyConnectedGeometry g,
                           shapes::fully_connected_geometry(ctx));
  const auto& attrs = ctx.node().attr<FullyConnectedAttrs>();
  batch_ = g.batch;
  in_size_ = g.in_size;
  out_size_ = g.out_size;
  OPSCOPE_RETURN_IF_ERROR(
      output_stage_.prepare(ctx, /*weight_axis=*/0, out_size_, attrs.activation,
                            /*float_scale_product=*/true));
  OPSCOPE_RETURN_IF_ERROR(expect_accumulator_fits(ctx, in_size_));
  in_zp_ = output_stage_.input_zero_point();
  input_id_ = ctx.input_id(0);
  output_id_ = ctx.output_id(0);

  packed_weights_.assign(gemm_s16_packed_b_elements(in_size_, out_size_), 0);
  gemm_s16_pack_b(in_size_, out_size_, ctx.input(1).constant_as<int8_t>(), 1, in_size_,
                  packed_weights_.data());
  chunk_rows_ = std::min(batch_, std::max<int64_t>(64, (128 * 1024) / std::max<int64_t>(1, in_size_)));
  acc_offset_ = aligned(static_cast<size_t>(chunk_rows_ * in_size_) * sizeof(int16_t));
  ctx.set_scratch_bytes(acc_offset_ +
                        aligned(static_cast<size_t>(chunk_rows_ * out_size_) * sizeof(int32_t)));
  return Status::ok();
}

void FullyConnectedI8::run(const RunContext& ctx) {
  const int8_t* input = ctx.data<const int8_t>(input_id_);
  int8_t* output = ctx.data<int8_t>(output_id_);
  auto* rows_s16 = static_cast<int16_t*>(ctx.scratch);
  auto* acc = reinterpret_cast<int32_t*>(static_cast<char*>(ctx.scratch) + acc_offset_);
  for (int64_t first = 0; first < batch_; first += chunk_rows_) {
    const int64_t rows = std::min(chunk_rows_, batch_ - first);
    const int8_t* x = input + first * in_size_;
    for (int64_t i = 0; i < rows * in_size_; ++i) {
      rows_s16[i] = static_cast<int16_t>(x[i] - in_zp_);
    }
    gemm_s16(rows, out_size_, in_size_, rows_s16, in_size_, packed_weights_.data(), acc,
             out_size_);
    for (int64_t r = 0; r < rows; ++r) {
      output_stage_.store_row(acc + r * out_size_, output + (first + r) * out_size_);
    }
  }
}

}  // namespace

std::unique_ptr<Kernel> make_fully_connected_i8() {
  return std::make_unique<FullyConnectedI8>();
}

}  // namespace opscope::reference::int8

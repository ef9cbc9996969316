// FULLY_CONNECTED, int8, on the native backend: the reference kernel's
// checks and output stage (fully_connected_int8.cc: TFLite forms the
// per-tensor multiplier from a float product) with the GEMM of qgemm.h.
// Input rows whose length is a multiple of 4 are multiplied in place;
// others are copied into scratch rows padded to a multiple of 4. With
// several threads, a batch of few rows (batch 1: a GEMV) is split by
// output channels, a larger one by rows.
#include <algorithm>
#include <cstring>

#include "engine/backends/native/native_kernel_table.h"
#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/int8/channel_output.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::native {
namespace {

constexpr int64_t kRowGrain = 48;

class NativeFullyConnectedI8 final : public Kernel {
 public:
  explicit NativeFullyConnectedI8(const NativeEnv& env) : env_(env) {}
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  struct RunArgs {
    const NativeFullyConnectedI8* self;
    const int8_t* input;
    int8_t* output;
    int8_t* scratch;
  };
  static void run_rows(void* context, int64_t task, int64_t begin, int64_t end);
  static void run_panels(void* context, int64_t task, int64_t begin, int64_t end);
  // Rows [begin, end) and channels [n0, n1) with `col` as this task's
  // scratch (rows that need padding are copied there, a chunk at a time).
  void compute(const RunArgs& a, int64_t begin, int64_t end, int64_t n0, int64_t n1,
               int8_t* col) const;

  NativeEnv env_;
  reference::int8::ChannelOutput output_stage_;
  QGemm gemm_;
  int input_id_ = -1, output_id_ = -1;
  int8_t in_zp_ = 0;
  int64_t batch_ = 0, in_size_ = 0, out_size_ = 0;
  bool direct_ = false;
  int64_t chunk_rows_ = 0;
};

Status NativeFullyConnectedI8::prepare(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::FullyConnectedGeometry g,
                           shapes::fully_connected_geometry(ctx));
  const auto& attrs = ctx.node().attr<FullyConnectedAttrs>();
  batch_ = g.batch;
  in_size_ = g.in_size;
  out_size_ = g.out_size;
  OPSCOPE_RETURN_IF_ERROR(output_stage_.prepare(ctx, /*weight_axis=*/0, out_size_,
                                                attrs.activation,
                                                /*float_scale_product=*/true));
  OPSCOPE_RETURN_IF_ERROR(reference::int8::expect_accumulator_fits(ctx, in_size_));
  in_zp_ = static_cast<int8_t>(output_stage_.input_zero_point());
  input_id_ = ctx.input_id(0);
  output_id_ = ctx.output_id(0);
  gemm_.pack(out_size_, in_size_, ctx.input(1).constant_as<int8_t>(), in_zp_, output_stage_);
  direct_ = in_size_ % 4 == 0;
  if (direct_) {
    ctx.set_scratch_bytes(0);
    return Status::ok();
  }
  chunk_rows_ = std::min(batch_, std::max<int64_t>(kRowGrain, (64 * 1024) / gemm_.kp()));
  ctx.set_scratch_bytes(static_cast<size_t>(std::max(1, env_.threads) * chunk_rows_ * gemm_.kp()));
  return Status::ok();
}

void NativeFullyConnectedI8::compute(const RunArgs& a, int64_t begin, int64_t end, int64_t n0,
                                     int64_t n1, int8_t* col) const {
  if (direct_) {
    QGemmBlock block{end - begin, n0, n1, a.input + begin * in_size_, in_size_,
                     a.output + begin * out_size_, out_size_};
    gemm_.run(env_.isa, block);
    return;
  }
  const int64_t kp = gemm_.kp();
  for (int64_t first = begin; first < end; first += chunk_rows_) {
    const int64_t rows = std::min(chunk_rows_, end - first);
    for (int64_t r = 0; r < rows; ++r) {
      std::memcpy(col + r * kp, a.input + (first + r) * in_size_, static_cast<size_t>(in_size_));
      std::memset(col + r * kp + in_size_, in_zp_, static_cast<size_t>(kp - in_size_));
    }
    QGemmBlock block{rows, n0, n1, col, kp, a.output + first * out_size_, out_size_};
    gemm_.run(env_.isa, block);
  }
}

void NativeFullyConnectedI8::run_rows(void* context, int64_t task, int64_t begin, int64_t end) {
  const auto* a = static_cast<const RunArgs*>(context);
  const NativeFullyConnectedI8& k = *a->self;
  k.compute(*a, begin, end, 0, k.out_size_,
            a->scratch ? a->scratch + task * k.chunk_rows_ * k.gemm_.kp() : nullptr);
}

void NativeFullyConnectedI8::run_panels(void* context, int64_t task, int64_t begin,
                                        int64_t end) {
  const auto* a = static_cast<const RunArgs*>(context);
  const NativeFullyConnectedI8& k = *a->self;
  k.compute(*a, 0, k.batch_, begin * kQGemmNr, std::min(end * kQGemmNr, k.out_size_),
            a->scratch ? a->scratch + task * k.chunk_rows_ * k.gemm_.kp() : nullptr);
}

void NativeFullyConnectedI8::run(const RunContext& ctx) {
  RunArgs args{this, ctx.data<const int8_t>(input_id_), ctx.data<int8_t>(output_id_),
               static_cast<int8_t*>(ctx.scratch)};
  const int64_t panels = (out_size_ + kQGemmNr - 1) / kQGemmNr;
  if (env_.threads > 1 && batch_ < env_.threads * kRowGrain && panels > 1) {
    parallel_ranges(env_.threadpool, env_.threads, panels, 1, run_panels, &args);
    return;
  }
  parallel_ranges(env_.threadpool, env_.threads, batch_, kRowGrain, run_rows, &args);
}

}  // namespace

bool native_supports_fully_connected_i8(const Graph& graph, const Node& node,
                                        std::string* why_not) {
  if (!native_expect_i8_io(graph, node, why_not)) return false;
  if (!native_expect_constant_i8_weights(graph, node, 1, why_not)) return false;
  if (node.attr<FullyConnectedAttrs>().activation == Activation::kTanh) {
    if (why_not) *why_not = "fused TANH has no int8 form";
    return false;
  }
  return true;
}

std::unique_ptr<Kernel> make_native_fully_connected_i8(const NativeEnv& env) {
  return std::make_unique<NativeFullyConnectedI8>(env);
}

}  // namespace opscope::native

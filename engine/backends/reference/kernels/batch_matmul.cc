// BATCH_MATMUL, f32, TFLite semantics: out[..., M, N] = a[..., M, K] *
// b[..., K, N], where adj_x / adj_y mean a is stored [..., K, M] / b is
// stored [..., N, K], and the batch dims broadcast numpy-style.
#include <algorithm>
#include <vector>

#include "engine/backends/reference/kernels/gemm.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class BatchMatMulF32 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  // Packs b's batch `index` (K x N, transposed when adj_y) into `packed`.
  void pack_b(const float* b, int64_t index, float* packed) const;

  int a_id_ = -1, b_id_ = -1, output_id_ = -1;
  int64_t m_ = 0, k_ = 0, n_ = 0;
  bool adj_x_ = false, adj_y_ = false;
  // For each output batch, the batch of a and of b it reads.
  std::vector<int64_t> a_batch_, b_batch_;
  // One GEMM over all batches: b has one batch and a is not transposed, so
  // the batches of a stack into one [batches * M, K] matrix.
  bool single_gemm_ = false;
  // Every batch of b packed, when b is constant; empty otherwise.
  std::vector<float> packed_b_;
  int64_t packed_b_floats_ = 0;
  size_t b_offset_ = 0, a_offset_ = 0;  // scratch regions
};

Status BatchMatMulF32::prepare(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_f32_op(ctx, 2, 2));
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::BatchMatMulGeometry g,
                           shapes::batch_matmul_geometry(ctx));
  m_ = g.m;
  k_ = g.k;
  n_ = g.n;
  adj_x_ = g.adj_x;
  adj_y_ = g.adj_y;
  const Shape& out = g.batch;
  const Shape& da = g.a_batch;
  const Shape& db = g.b_batch;
  const size_t batch_rank = out.size();
  const int64_t batches = num_elements(out);
  const int64_t b_batches = num_elements(db);
  a_batch_.assign(batches, 0);
  b_batch_.assign(batches, 0);
  for (int64_t ob = 0; ob < batches; ++ob) {
    // Walk the output index's digits from the last batch dim outwards.
    int64_t rest = ob, ia = 0, ib = 0, sa = 1, sb = 1;
    for (size_t i = batch_rank; i-- > 0;) {
      const int64_t digit = rest % out[i];
      rest /= out[i];
      ia += (da[i] == 1 ? 0 : digit) * sa;
      ib += (db[i] == 1 ? 0 : digit) * sb;
      sa *= da[i];
      sb *= db[i];
    }
    a_batch_[ob] = ia;
    b_batch_[ob] = ib;
  }
  a_id_ = ctx.input_id(0);
  b_id_ = ctx.input_id(1);
  output_id_ = ctx.output_id(0);
  single_gemm_ = !adj_x_ && b_batches == 1 && num_elements(da) == batches;

  ScratchLayout layout;
  packed_b_floats_ = gemm_packed_b_floats(k_, n_);
  packed_b_.clear();
  if (ctx.input(1).is_constant()) {
    packed_b_.resize(b_batches * packed_b_floats_);
    for (int64_t i = 0; i < b_batches; ++i) {
      pack_b(ctx.input(1).constant_as<float>(), i,
             packed_b_.data() + i * packed_b_floats_);
    }
  } else {
    b_offset_ = layout.add_floats(packed_b_floats_);
  }
  if (adj_x_) a_offset_ = layout.add_floats(m_ * k_);
  ctx.set_scratch_bytes(layout.bytes());
  return Status::ok();
}

void BatchMatMulF32::pack_b(const float* b, int64_t index,
                            float* packed) const {
  const float* src = b + index * k_ * n_;
  if (adj_y_) {
    gemm_pack_b(k_, n_, src, 1, k_, packed);  // stored [N, K]
  } else {
    gemm_pack_b(k_, n_, src, n_, 1, packed);
  }
}

void BatchMatMulF32::run(const RunContext& ctx) {
  const float* a = ctx.data<const float>(a_id_);
  const float* b = ctx.data<const float>(b_id_);
  float* output = ctx.data<float>(output_id_);
  const int64_t batches = static_cast<int64_t>(a_batch_.size());
  float* b_scratch = packed_b_.empty() ? scratch_floats(ctx, b_offset_) : nullptr;

  if (single_gemm_) {
    const float* packed = packed_b_.data();
    if (b_scratch != nullptr) {
      pack_b(b, 0, b_scratch);
      packed = b_scratch;
    }
    gemm_packed(batches * m_, n_, k_, a, k_, packed, nullptr, output, n_);
    return;
  }
  int64_t packed_index = -1;  // which batch of b sits in b_scratch
  for (int64_t ob = 0; ob < batches; ++ob) {
    const float* packed;
    if (b_scratch == nullptr) {
      packed = packed_b_.data() + b_batch_[ob] * packed_b_floats_;
    } else {
      if (b_batch_[ob] != packed_index) {
        pack_b(b, b_batch_[ob], b_scratch);
        packed_index = b_batch_[ob];
      }
      packed = b_scratch;
    }
    const float* a_batch = a + a_batch_[ob] * m_ * k_;
    if (adj_x_) {
      // The GEMM reads A rows with unit stride: transpose [K, M] to [M, K].
      float* at = scratch_floats(ctx, a_offset_);
      for (int64_t i = 0; i < m_; ++i) {
        for (int64_t p = 0; p < k_; ++p) at[i * k_ + p] = a_batch[p * m_ + i];
      }
      a_batch = at;
    }
    gemm_packed(m_, n_, k_, a_batch, k_, packed, nullptr,
                output + ob * m_ * n_, n_);
  }
}

}  // namespace

std::unique_ptr<Kernel> make_batch_matmul_f32() {
  return std::make_unique<BatchMatMulF32>();
}

}  // namespace opscope::reference

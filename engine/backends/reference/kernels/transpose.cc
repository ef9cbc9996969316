// TRANSPOSE, any dtype, rank <= 6: (input, perm const i32/i64), output dim i
// is input dim perm[i]. The copy plan merges dims that stay adjacent, so a
// permutation that only moves size-1 dims (a copy) is one memcpy and e.g.
// NHWC->NCHW walks 3 dims, not 4. A plan that is one 2D transpose,
// dst[b][c][r] = src[b][r][c] (NCHW->NHWC of an image: r the channel, c
// the pixel), runs as its own loop: by tiles, or for up to 4 rows one pixel
// at a time (three 4-byte rows, the RGB float input, or three 1-byte rows,
// the same after QuantizeLinear: SSE2 shuffle steps), instead of walking
// the plan with an innermost dim of 3 elements.
// All move the same elements to the same places; only the order differs.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

constexpr int kMaxTransposeRank = 6;

// dst[c][r] = src[r][c], r < kRows, c < cols, elements of kSize bytes
// (memcpy: constant inputs may be unaligned).
template <size_t kSize, int kRows>
void transpose_few_rows(const uint8_t* src, uint8_t* dst, int64_t cols) {
  int64_t c = 0;
#if defined(__SSE2__)
  if constexpr (kSize == 4 && kRows == 3) {
    // Four pixels of three 4-byte channels per step: 12 elements
    // interleaved by shuffles, which move bits and compute nothing.
    const auto* a = reinterpret_cast<const float*>(src);
    const float* b = a + cols;
    const float* g = b + cols;
    auto* y = reinterpret_cast<float*>(dst);
    for (; c + 4 <= cols; c += 4) {
      const __m128 va = _mm_loadu_ps(a + c), vb = _mm_loadu_ps(b + c), vc = _mm_loadu_ps(g + c);
      const __m128 ab_lo = _mm_unpacklo_ps(va, vb);  // a0 b0 a1 b1
      const __m128 ab_hi = _mm_unpackhi_ps(va, vb);  // a2 b2 a3 b3
      const __m128 bc_lo = _mm_unpacklo_ps(vb, vc);  // b0 c0 b1 c1
      const __m128 bc_hi = _mm_unpackhi_ps(vb, vc);  // b2 c2 b3 c3
      const __m128 ca_lo = _mm_shuffle_ps(vc, va, _MM_SHUFFLE(1, 1, 0, 0));  // c0 c0 a1 a1
      const __m128 ca_hi = _mm_shuffle_ps(vc, va, _MM_SHUFFLE(3, 3, 2, 2));  // c2 c2 a3 a3
      _mm_storeu_ps(y + 3 * c, _mm_shuffle_ps(ab_lo, ca_lo, _MM_SHUFFLE(2, 0, 1, 0)));
      _mm_storeu_ps(y + 3 * c + 4, _mm_shuffle_ps(bc_lo, ab_hi, _MM_SHUFFLE(1, 0, 3, 2)));
      _mm_storeu_ps(y + 3 * c + 8, _mm_shuffle_ps(ca_hi, bc_hi, _MM_SHUFFLE(3, 2, 2, 0)));
    }
  }
  if constexpr (kSize == 1 && kRows == 3) {
    // Sixteen pixels of three bytes per step (an int8 image after its
    // QuantizeLinear): unpacks make one dword a | b << 8 | c << 16 per
    // pixel, then each 4 pixels drop their pad bytes (qword: shift the odd
    // pixel down a byte; register: shift the high qword down two) into 12
    // bytes. A 16-byte store writes 4 bytes past those, which the next
    // store (or the scalar tail) overwrites; c + 18 <= cols keeps them
    // inside the output.
    const __m128i zero = _mm_setzero_si128();
    const __m128i even = _mm_set1_epi64x(0x00000000FFFFFFFF);
    const __m128i odd = _mm_set1_epi64x(0x0000FFFFFF000000);
    const __m128i low6 = _mm_set_epi64x(0, 0x0000FFFFFFFFFFFF);
    const __m128i next6 =
        _mm_set_epi64x(0x00000000FFFFFFFF, static_cast<int64_t>(0xFFFF000000000000));
    const uint8_t* g = src + 2 * cols;
    const auto squeeze = [&](__m128i d, uint8_t* y) {
      const __m128i q =
          _mm_or_si128(_mm_and_si128(d, even), _mm_and_si128(_mm_srli_epi64(d, 8), odd));
      const __m128i r =
          _mm_or_si128(_mm_and_si128(q, low6), _mm_and_si128(_mm_srli_si128(q, 2), next6));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y), r);
    };
    for (; c + 18 <= cols; c += 16) {
      const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + c));
      const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + cols + c));
      const __m128i vc = _mm_loadu_si128(reinterpret_cast<const __m128i*>(g + c));
      const __m128i ab_lo = _mm_unpacklo_epi8(va, vb), ab_hi = _mm_unpackhi_epi8(va, vb);
      const __m128i c_lo = _mm_unpacklo_epi8(vc, zero), c_hi = _mm_unpackhi_epi8(vc, zero);
      uint8_t* y = dst + 3 * c;
      squeeze(_mm_unpacklo_epi16(ab_lo, c_lo), y);
      squeeze(_mm_unpackhi_epi16(ab_lo, c_lo), y + 12);
      squeeze(_mm_unpacklo_epi16(ab_hi, c_hi), y + 24);
      squeeze(_mm_unpackhi_epi16(ab_hi, c_hi), y + 36);
    }
  }
#endif
  for (; c < cols; ++c) {
    for (int r = 0; r < kRows; ++r) {
      std::memcpy(dst + (c * kRows + r) * kSize, src + (r * cols + c) * kSize, kSize);
    }
  }
}

// The same for any rows, by kTile x kTile tiles that stay in L1.
template <size_t kSize>
void transpose_tiles(const uint8_t* src, uint8_t* dst, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = std::min(r0 + kTile, rows);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(c0 + kTile, cols);
      for (int64_t c = c0; c < c1; ++c) {
        for (int64_t r = r0; r < r1; ++r) {
          std::memcpy(dst + (c * rows + r) * kSize, src + (r * cols + c) * kSize, kSize);
        }
      }
    }
  }
}

template <size_t kSize>
void transpose_2d(const uint8_t* src, uint8_t* dst, int64_t rows, int64_t cols) {
  switch (rows) {
    case 2: transpose_few_rows<kSize, 2>(src, dst, cols); return;
    case 3: transpose_few_rows<kSize, 3>(src, dst, cols); return;
    case 4: transpose_few_rows<kSize, 4>(src, dst, cols); return;
    default: transpose_tiles<kSize>(src, dst, rows, cols); return;
  }
}

class Transpose final : public CopyPlanKernel {
 public:
  void run(const RunContext& ctx) override {
    if (rows_ == 0) {
      CopyPlanKernel::run(ctx);
      return;
    }
    const auto* src = ctx.data<const uint8_t>(input_id_);
    auto* dst = ctx.data<uint8_t>(output_id_);
    const int64_t image = rows_ * cols_ * static_cast<int64_t>(elem_size_);
    for (int64_t b = 0; b < batch_; ++b) {
      const uint8_t* s = src + b * image;
      uint8_t* d = dst + b * image;
      switch (elem_size_) {
        case 1: transpose_2d<1>(s, d, rows_, cols_); break;
        case 2: transpose_2d<2>(s, d, rows_, cols_); break;
        case 4: transpose_2d<4>(s, d, rows_, cols_); break;
        default: transpose_2d<8>(s, d, rows_, cols_); break;
      }
    }
  }

  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    const Shape in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    if (rank > kMaxTransposeRank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input rank " + std::to_string(rank) +
                           " exceeds the supported " +
                           std::to_string(kMaxTransposeRank));
    }
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> perm_values,
                             shapes::read_int_input(ctx, 1, "perm"));
    if (static_cast<int>(perm_values.size()) != rank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "perm has " + std::to_string(perm_values.size()) +
                           " entries, input " + shape_to_string(in) +
                           " has rank " + std::to_string(rank));
    }
    std::vector<int> perm(rank);
    std::vector<bool> seen(rank, false);
    for (int i = 0; i < rank; ++i) {
      OPSCOPE_ASSIGN_OR_RETURN(
          perm[i], shapes::normalize_axis(ctx, perm_values[i], rank, "perm entry"));
      if (seen[perm[i]]) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "perm repeats axis " + std::to_string(perm[i]));
      }
      seen[perm[i]] = true;
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));

    Shape out(rank);
    const std::vector<int64_t> in_strides = row_major_strides(in);
    std::vector<int64_t> src_step(rank);
    for (int i = 0; i < rank; ++i) {
      out[i] = in[perm[i]];
      src_step[i] = in_strides[perm[i]];
    }
    const CopyPlan plan = make_copy_plan(out, src_step, row_major_strides(out));
    set_copy(ctx, plan, out);
    plan_2d(plan, dtype_size(ctx.input(0).dtype));
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

 private:
  // Whether the plan is a 2D transpose (dims (cols: src step 1, dst step
  // rows), (rows: src step cols, dst step 1)), possibly under a batch dim
  // of rows * cols on both sides; rows_ stays 0 otherwise.
  void plan_2d(const CopyPlan& plan, size_t elem_size) {
    rows_ = cols_ = 0;
    batch_ = 1;
    elem_size_ = elem_size;
    if (plan.rank < 2 || plan.rank > 3 || plan.src_base != 0 || plan.dst_base != 0) return;
    if (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8) return;
    const int o = plan.rank - 2, i = plan.rank - 1;
    const int64_t cols = plan.count[o], rows = plan.count[i];
    if (plan.src_step[o] != 1 || plan.dst_step[o] != rows || plan.src_step[i] != cols ||
        plan.dst_step[i] != 1) {
      return;
    }
    if (plan.rank == 3) {
      if (plan.src_step[0] != rows * cols || plan.dst_step[0] != rows * cols) return;
      batch_ = plan.count[0];
    }
    rows_ = rows;
    cols_ = cols;
  }

  int input_id_ = -1, output_id_ = -1;
  size_t elem_size_ = 0;
  int64_t batch_ = 1, rows_ = 0, cols_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_transpose() {
  return std::make_unique<Transpose>();
}

}  // namespace opscope::reference

// The blocked GEMM against a naive double GEMM, on shapes that cross its
// tile and block edges (kMr = 6 rows, kGemmNr = 8 columns, K blocks of 256,
// M blocks of 120).
#include "engine/backends/reference/kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/engine/kernels/linear_test_util.h"

namespace opscope::reference {
namespace {

using testing::expect_close;
using testing::random_floats;

struct GemmCase {
  int64_t m, n, k;
  bool bias = true;
  int64_t lda_pad = 0, ldc_pad = 0;  // extra row stride beyond k / n
};

// C = A * B + bias in double; A is m x lda, B is k x n row-major.
std::vector<double> naive_gemm(const GemmCase& c, const std::vector<float>& a,
                               int64_t lda, const std::vector<float>& b,
                               const std::vector<float>& bias) {
  std::vector<double> out(c.m * c.n);
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      double acc = c.bias ? bias[j] : 0.0;
      for (int64_t p = 0; p < c.k; ++p) {
        acc += static_cast<double>(a[i * lda + p]) * b[p * c.n + j];
      }
      out[i * c.n + j] = acc;
    }
  }
  return out;
}

// Runs gemm_packed (or gemm, packing into scratch) and returns C without its
// row padding; padding must be left untouched.
std::vector<float> run_gemm(const GemmCase& c, const std::vector<float>& a,
                            int64_t lda, const std::vector<float>& b,
                            const std::vector<float>& bias, bool use_scratch,
                            ActivationRange clamp = {}) {
  const int64_t ldc = c.n + c.ldc_pad;
  const float kCanary = 12345.0f;
  std::vector<float> out(c.m * ldc, kCanary);
  std::vector<float> packed(gemm_packed_b_floats(c.k, c.n));
  const float* bias_ptr = c.bias ? bias.data() : nullptr;
  if (use_scratch) {
    gemm(c.m, c.n, c.k, a.data(), lda, b.data(), c.n, bias_ptr, out.data(),
         ldc, packed.data(), clamp);
  } else {
    gemm_pack_b(c.k, c.n, b.data(), c.n, 1, packed.data());
    gemm_packed(c.m, c.n, c.k, a.data(), lda, packed.data(), bias_ptr,
                out.data(), ldc, clamp);
  }
  std::vector<float> dense;
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      if (j < c.n) {
        dense.push_back(out[i * ldc + j]);
      } else {
        EXPECT_EQ(out[i * ldc + j], kCanary) << "row padding written";
      }
    }
  }
  return dense;
}

void check(const GemmCase& c, bool use_scratch = false) {
  SCOPED_TRACE(::testing::Message() << c.m << "x" << c.n << "x" << c.k);
  const int64_t lda = c.k + c.lda_pad;
  const auto a = random_floats(c.m * lda, 1);
  const auto b = random_floats(c.k * c.n, 2);
  const auto bias = random_floats(c.n, 3);
  // Float sums of k terms drift like sqrt(k) ulps.
  const double rel = 1e-5 * std::max(1.0, std::sqrt(c.k / 64.0));
  expect_close(run_gemm(c, a, lda, b, bias, use_scratch),
               naive_gemm(c, a, lda, b, bias), rel);
}

TEST(Gemm, single_tile) { check({6, 8, 16}); }

TEST(Gemm, every_row_remainder) {
  for (int64_t m = 1; m <= 13; ++m) check({m, 8, 5});
}

TEST(Gemm, every_column_remainder) {
  for (int64_t n = 1; n <= 17; ++n) check({7, n, 9});
}

TEST(Gemm, crosses_k_and_m_blocks) {
  check({250, 19, 600});
  check({121, 33, 257});
}

TEST(Gemm, conv_like_shape) { check({3136 / 4, 32, 288}); }

TEST(Gemm, single_row) { check({1, 1000, 130}); }

TEST(Gemm, without_bias) { check({9, 11, 13, /*bias=*/false}); }

TEST(Gemm, strided_rows) { check({14, 10, 20, true, 3, 5}); }

TEST(Gemm, packs_into_scratch) { check({14, 10, 300, true, 1, 2}, true); }

TEST(Gemm, k_zero_gives_bias) {
  const GemmCase c{3, 5, 0};
  const auto bias = random_floats(5, 3);
  std::vector<double> want;
  for (int i = 0; i < 3; ++i) want.insert(want.end(), bias.begin(), bias.end());
  expect_close(run_gemm(c, {}, 0, {}, bias, false), want);
}

TEST(Gemm, clamps_after_the_last_k_block) {
  // With K spanning two blocks, a clamp applied to the partial sum of the
  // first block would give a different result.
  const GemmCase c{8, 9, 300};
  const auto a = random_floats(c.m * c.k, 4);
  const auto b = random_floats(c.k * c.n, 5);
  const auto bias = random_floats(c.n, 6);
  const ActivationRange clamp{-0.5f, 0.75f};
  auto want = naive_gemm(c, a, c.k, b, bias);
  for (double& x : want) x = std::clamp(x, -0.5, 0.75);
  expect_close(run_gemm(c, a, c.k, b, bias, false, clamp), want, 3e-5);
}

TEST(Gemm, packs_transposed_source) {
  // B given as [n, k] (like FC weights): col_stride = k.
  const int64_t m = 5, n = 13, k = 7;
  const auto a = random_floats(m * k, 7);
  const auto bt = random_floats(n * k, 8);
  std::vector<float> packed(gemm_packed_b_floats(k, n));
  gemm_pack_b(k, n, bt.data(), 1, k, packed.data());
  std::vector<float> out(m * n);
  gemm_packed(m, n, k, a.data(), k, packed.data(), nullptr, out.data(), n);
  std::vector<double> want(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        want[i * n + j] += static_cast<double>(a[i * k + p]) * bt[j * k + p];
  expect_close(out, want);
}

TEST(Gemm, propagates_nan) {
  const int64_t m = 2, n = 3, k = 4;
  auto a = random_floats(m * k, 9);
  a[0] = std::numeric_limits<float>::quiet_NaN();
  const auto b = random_floats(k * n, 10);
  std::vector<float> packed(gemm_packed_b_floats(k, n)), out(m * n);
  gemm_pack_b(k, n, b.data(), n, 1, packed.data());
  gemm_packed(m, n, k, a.data(), k, packed.data(), nullptr, out.data(), n,
              ActivationRange{0.0f, 6.0f});
  for (int64_t j = 0; j < n; ++j) EXPECT_TRUE(std::isnan(out[j]));
  for (int64_t j = 0; j < n; ++j) EXPECT_FALSE(std::isnan(out[n + j]));
}

}  // namespace
}  // namespace opscope::reference

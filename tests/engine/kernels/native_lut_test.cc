// The native int8 HARD_SWISH and LOGISTIC are bit-exact with the reference
// kernels' tables on every ISA this CPU runs, over lengths around the vector
// widths (the masked tail) and quantizations with zero points at the ends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "tests/engine/kernels/native_test_util.h"
#include "tests/engine/test_random.h"

namespace opscope::testing {
namespace {

struct Quant {
  float in_scale;
  int in_zp;
  float out_scale;
  int out_zp;
};

void run_op(OpKind op, KernelFactory reference, const NativeFactory& native_factory,
            const std::vector<Quant>& quants) {
  const int64_t lengths[] = {1, 7, 63, 64, 65, 127, 128, 129, 200, 4096 + 13, 16 * 16 * 96};
  uint32_t seed = 11;
  int compared = 0;
  for (const Quant& qu : quants) {
    for (int64_t n : lengths) {
      const Shape shape{1, n};
      const auto x = random_ints<int8_t>(static_cast<size_t>(n), seed++, -128, 127);
      const RunnerSetup setup = [&](KernelRunner& r) {
        r.add_input(shape, x, DType::kI8, q8(qu.in_scale, qu.in_zp));
        r.add_output(DType::kI8, q8(qu.out_scale, qu.out_zp));
      };
      compared +=
          expect_native_matches_reference(op, ActivationAttrs{}, setup, reference, native_factory,
                                          std::string(to_string(op)) + " n=" + std::to_string(n) +
                                              " zp=" + std::to_string(qu.in_zp));
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(NativeLutI8, HardSwishBitExactWithReference) {
  run_op(OpKind::kHardSwish, reference::int8::make_hard_swish_i8, native::make_native_hard_swish_i8,
         {{0.05f, 0, 0.03f, -10},
          {0.1f, -128, 0.05f, 127},
          {0.02f, 127, 0.5f, -128},
          {0.3f, 5, 0.01f, 0}});
}

TEST(NativeLutI8, LogisticBitExactWithReference) {
  run_op(OpKind::kLogistic, reference::int8::make_logistic_i8, native::make_native_logistic_i8,
         {{0.05f, 0, 1.0f / 256, -128},
          {0.1f, -128, 1.0f / 256, -128},
          {0.02f, 127, 1.0f / 256, -128},
          {0.05f, 0, 0.5f, 0}});
}

}  // namespace
}  // namespace opscope::testing

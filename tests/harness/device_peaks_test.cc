// The device's roofs (harness/device_peaks.h) in quick mode: every figure
// present and positive, the buffer sizes in order with the cache level each
// fits, a buffer in L1 read faster than the largest one, and the JSON form
// read back as written. The figures themselves are the machine's: printed,
// never compared with fixed numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "harness/device_peak_kernels.h"
#include "harness/device_peaks.h"

namespace opscope::harness {
namespace {

PeakOptions quick() {
  PeakOptions o;
  o.min_seconds = 0.02;
  o.repeats = 2;
  o.max_bytes = int64_t{64} << 20;
  return o;
}

TEST(DevicePeaks, QuickMeasurementIsCompleteAndOrdered) {
  const DevicePeaks p = measure_device_peaks(quick());
  std::printf("%s\n", to_json(p).dump(2).c_str());
  EXPECT_GE(p.cores, 1);
  EXPECT_FALSE(p.cpu_model.empty());
  EXPECT_EQ(p.f32_isa, f32_fma_kernel().isa);
  EXPECT_EQ(p.int8_isa, int8_dot_kernel().isa);
  for (double v : {p.f32_gmacs_one_core, p.f32_gmacs_all_cores, p.int8_gmacs_one_core,
                   p.int8_gmacs_all_cores}) {
    EXPECT_TRUE(std::isfinite(v) && v > 0.1) << v;
  }
  ASSERT_GE(p.bandwidth.size(), 2u);
  for (size_t i = 0; i < p.bandwidth.size(); ++i) {
    const BandwidthPeak& b = p.bandwidth[i];
    EXPECT_GT(b.read_gbs, 0.1) << b.level;
    EXPECT_GT(b.copy_gbs, 0.1) << b.level;
    if (i > 0) {
      EXPECT_GT(b.bytes, p.bandwidth[i - 1].bytes);
    }
  }
  EXPECT_EQ(p.bandwidth.front().level, "L1");
  EXPECT_LE(p.bandwidth.back().bytes, int64_t{64} << 20);
  // An L1-sized buffer reads several times faster than 64 MiB on any CPU
  // with caches; 1.2 leaves room for a noisy machine.
  EXPECT_GT(p.bandwidth.front().read_gbs, 1.2 * p.bandwidth.back().read_gbs);
}

TEST(DevicePeaks, JsonReadsBackAsWritten) {
  DevicePeaks p;
  p.cpu_model = "Some CPU";
  p.cores = 8;
  p.f32_isa = "avx2+fma";
  p.f32_gmacs_one_core = 48.5;
  p.f32_gmacs_all_cores = 380.25;
  p.int8_isa = "avx2";
  p.int8_gmacs_one_core = 90;
  p.int8_gmacs_all_cores = 700;
  p.bandwidth = {{"L1", 16384, 150.5, 120}, {"DRAM", int64_t{1} << 30, 20, 18.5}};
  DevicePeaks back;
  ASSERT_TRUE(from_json(to_json(p), &back));
  EXPECT_EQ(to_json(back), to_json(p));
  EXPECT_FALSE(from_json(nlohmann::json::object(), &back));
  EXPECT_EQ(back.cpu_model, "Some CPU");  // untouched by the failed read
}

// Each kernel runs the iterations it is asked for: twice the iterations
// take longer (the work is not optimised away).
TEST(DevicePeaks, KernelsDoTheirWork) {
  for (const PeakKernel& k : {f32_fma_kernel(), int8_dot_kernel()}) {
    const auto time = [&](int64_t n) {
      double best = 1e9;
      for (int r = 0; r < 3; ++r) {
        const auto t = std::chrono::steady_clock::now();
        volatile double sink = k.run(n);
        (void)sink;
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
      }
      return best;
    };
    const double one = time(2'000'000), four = time(8'000'000);
    EXPECT_GT(four, 2.0 * one) << k.isa << ": " << one << " s vs " << four << " s";
  }
}

}  // namespace
}  // namespace opscope::harness

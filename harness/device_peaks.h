// The device's roofs, measured: what one core and all cores can compute
// (f32 fused multiply-adds, int8 dot products) and how fast memory moves
// at sizes that fit each cache level and at a size that does not. Small
// microbenchmarks (device_peak_kernels.cc), dispatched on the CPU's
// features at run time; the best of a few timed repeats of each, so that a
// noisy machine's interruptions do not lower the roof. `opscope
// device-peaks` prints them and caches them per CPU and build
// (docs/roofline.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace opscope::harness {

// Memory bandwidth at one buffer size.
struct BandwidthPeak {
  std::string level;     // "L1", "L2", "L3" or "DRAM": the smallest level it fits
  int64_t bytes = 0;     // the buffer read (copy: half of it to the other half)
  double read_gbs = 0;   // bytes read per second, 1e9
  double copy_gbs = 0;   // bytes read plus bytes written per second, 1e9 (as STREAM counts)
};

struct DevicePeaks {
  std::string cpu_model;  // /proc/cpuinfo's "model name"
  int cores = 0;          // online CPUs the process may use
  // f32: multiply-adds per second (one FMA lane is one MAC, two flops).
  std::string f32_isa;    // "avx512f", "avx2+fma" or "scalar"
  double f32_gmacs_one_core = 0, f32_gmacs_all_cores = 0;
  // int8 dot products: u8 x s8 multiply-adds per second into i32.
  std::string int8_isa;   // "avx512vnni", "avx2" or "scalar"
  double int8_gmacs_one_core = 0, int8_gmacs_all_cores = 0;
  std::vector<BandwidthPeak> bandwidth;  // smallest size first
  double seconds = 0;  // how long measuring took
};

struct PeakOptions {
  // Each timed repeat runs at least this long; the best of `repeats` counts.
  double min_seconds = 0.05;
  int repeats = 7;
  // The largest buffer (the DRAM point): quick checks use less.
  int64_t max_bytes = int64_t{1} << 30;
};

DevicePeaks measure_device_peaks(const PeakOptions& options = {});
// The CPU model and core count only (nothing measured): what a cached
// measurement must match.
DevicePeaks device_identity();

nlohmann::json to_json(const DevicePeaks& peaks);
// False (and *peaks untouched) when `j` is not what to_json writes.
bool from_json(const nlohmann::json& j, DevicePeaks* peaks);

}  // namespace opscope::harness

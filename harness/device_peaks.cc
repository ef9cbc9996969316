#include "harness/device_peaks.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <latch>
#include <memory>
#include <thread>

#include "harness/device_peak_kernels.h"
#include "harness/environment.h"

namespace opscope::harness {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A sink the optimiser cannot see through, for the kernels' results.
volatile double g_sink = 0;

// Iterations of `kernel` that take about `seconds` on one core.
int64_t calibrate(const PeakKernel& kernel, double seconds) {
  int64_t n = 1 << 12;
  for (;;) {
    const auto t = Clock::now();
    g_sink = g_sink + kernel.run(n);
    const double took = seconds_since(t);
    if (took >= seconds / 4 || n > (int64_t{1} << 40)) {
      return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(n) * seconds /
                                                       std::max(took, 1e-9)));
    }
    n *= 4;
  }
}

// Multiply-adds per second (1e9) of `kernel` on `threads` threads at once:
// the best of `repeats` runs, each of the same iterations on every thread.
double gmacs(const PeakKernel& kernel, int threads, const PeakOptions& o) {
  const int64_t iterations = calibrate(kernel, o.min_seconds);
  double best = 0;
  for (int r = 0; r < o.repeats; ++r) {
    std::latch start(threads + 1);
    std::vector<std::thread> pool;
    std::vector<double> results(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        start.arrive_and_wait();
        results[static_cast<size_t>(t)] = kernel.run(iterations);
      });
    }
    const auto t0 = Clock::now();
    start.arrive_and_wait();
    for (std::thread& t : pool) t.join();
    const double took = seconds_since(t0);
    for (double v : results) g_sink = g_sink + v;
    const double macs = static_cast<double>(iterations) * static_cast<double>(kernel.macs_per_iteration) *
                        threads;
    best = std::max(best, macs / took / 1e9);
  }
  return best;
}

// Bytes per second (1e9), the best of `repeats`: reading `bytes`, and
// copying its first half onto its second (read + written counted).
BandwidthPeak bandwidth(const std::string& level, int64_t bytes, const PeakOptions& o) {
  BandwidthPeak p;
  p.level = level;
  p.bytes = bytes;
  const size_t n = static_cast<size_t>(bytes);
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[n + 64]);
  uint8_t* data = buffer.get();
  for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 31);
  const size_t half = n / 2;
  for (int r = 0; r < o.repeats; ++r) {
    int64_t passes = 0;
    auto t = Clock::now();
    do {
      g_sink = g_sink + static_cast<double>(read_all(data, n));
      ++passes;
    } while (seconds_since(t) < o.min_seconds);
    p.read_gbs = std::max(p.read_gbs, static_cast<double>(passes) * bytes / seconds_since(t) / 1e9);
    passes = 0;
    t = Clock::now();
    do {
      std::memcpy(data + half, data, half);
      data[passes % half] ^= 1;  // a write the compiler must keep between copies
      ++passes;
    } while (seconds_since(t) < o.min_seconds);
    p.copy_gbs = std::max(p.copy_gbs, static_cast<double>(passes) * 2.0 *
                                          static_cast<double>(half) / seconds_since(t) / 1e9);
  }
  return p;
}

int64_t cache_bytes(int name) {
  const long v = sysconf(name);
  return v > 0 ? v : 0;
}

// Buffer sizes, smallest first: half of L1d, half of L2, a few MiB inside
// L3, and at least twice L3 (capped by max_bytes), each named by the
// smallest level it fits in.
std::vector<std::pair<std::string, int64_t>> bandwidth_sizes(const PeakOptions& o) {
  const int64_t l1 = cache_bytes(_SC_LEVEL1_DCACHE_SIZE);
  const int64_t l2 = cache_bytes(_SC_LEVEL2_CACHE_SIZE);
  const int64_t l3 = cache_bytes(_SC_LEVEL3_CACHE_SIZE);
  const auto level_of = [&](int64_t bytes) -> std::string {
    if (l1 > 0 && bytes <= l1) return "L1";
    if (l2 > 0 && bytes <= l2) return "L2";
    if (l3 > 0 && bytes <= l3) return "L3";
    return "DRAM";
  };
  const auto round = [](int64_t bytes) { return std::max<int64_t>(4096, bytes / 4096 * 4096); };
  std::vector<int64_t> sizes = {round(l1 > 0 ? l1 / 2 : 16 << 10),
                                round(l2 > 0 ? l2 / 2 : 256 << 10)};
  if (l3 > l2) sizes.push_back(round(std::min<int64_t>(l3 / 4, 8 << 20)));
  sizes.push_back(round(std::min(o.max_bytes, std::max<int64_t>(2 * l3, 256 << 20))));
  std::vector<std::pair<std::string, int64_t>> out;
  for (int64_t s : sizes) {
    if (out.empty() || s > out.back().second) out.emplace_back(level_of(s), s);
  }
  return out;
}

}  // namespace

DevicePeaks device_identity() {
  const DeviceInfo d = capture_device();
  DevicePeaks p;
  p.cpu_model = d.cpu_model.empty() ? "unknown" : d.cpu_model;
  p.cores = std::max(1, d.cores);
  return p;
}

DevicePeaks measure_device_peaks(const PeakOptions& options) {
  const auto t0 = Clock::now();
  DevicePeaks p = device_identity();
  const PeakKernel f32 = f32_fma_kernel();
  p.f32_isa = f32.isa;
  p.f32_gmacs_one_core = gmacs(f32, 1, options);
  p.f32_gmacs_all_cores = gmacs(f32, p.cores, options);
  const PeakKernel int8 = int8_dot_kernel();
  p.int8_isa = int8.isa;
  p.int8_gmacs_one_core = gmacs(int8, 1, options);
  p.int8_gmacs_all_cores = gmacs(int8, p.cores, options);
  for (const auto& [level, bytes] : bandwidth_sizes(options)) {
    p.bandwidth.push_back(bandwidth(level, bytes, options));
  }
  p.seconds = seconds_since(t0);
  return p;
}

nlohmann::json to_json(const DevicePeaks& p) {
  nlohmann::json bw = nlohmann::json::array();
  for (const BandwidthPeak& b : p.bandwidth) {
    bw.push_back({{"level", b.level}, {"bytes", b.bytes}, {"read_gbs", b.read_gbs},
                  {"copy_gbs", b.copy_gbs}});
  }
  return {{"cpu_model", p.cpu_model},
          {"cores", p.cores},
          {"f32", {{"isa", p.f32_isa},
                   {"gmacs_one_core", p.f32_gmacs_one_core},
                   {"gmacs_all_cores", p.f32_gmacs_all_cores}}},
          {"int8", {{"isa", p.int8_isa},
                    {"gmacs_one_core", p.int8_gmacs_one_core},
                    {"gmacs_all_cores", p.int8_gmacs_all_cores}}},
          {"bandwidth", bw},
          {"seconds", p.seconds}};
}

bool from_json(const nlohmann::json& j, DevicePeaks* p) {
  try {
    DevicePeaks out;
    out.cpu_model = j.at("cpu_model").get<std::string>();
    out.cores = j.at("cores").get<int>();
    out.f32_isa = j.at("f32").at("isa").get<std::string>();
    out.f32_gmacs_one_core = j.at("f32").at("gmacs_one_core").get<double>();
    out.f32_gmacs_all_cores = j.at("f32").at("gmacs_all_cores").get<double>();
    out.int8_isa = j.at("int8").at("isa").get<std::string>();
    out.int8_gmacs_one_core = j.at("int8").at("gmacs_one_core").get<double>();
    out.int8_gmacs_all_cores = j.at("int8").at("gmacs_all_cores").get<double>();
    for (const auto& b : j.at("bandwidth")) {
      out.bandwidth.push_back({b.at("level").get<std::string>(), b.at("bytes").get<int64_t>(),
                               b.at("read_gbs").get<double>(), b.at("copy_gbs").get<double>()});
    }
    out.seconds = j.value("seconds", 0.0);
    *p = std::move(out);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace opscope::harness

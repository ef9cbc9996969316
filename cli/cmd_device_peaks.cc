#include "cli/cmd_device_peaks.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "harness/build_info.h"
#include "harness/device_peaks.h"
#include "harness/exit_codes.h"
#include "result/utf8.h"

namespace opscope::cli {
namespace {

namespace fs = std::filesystem;
using harness::DevicePeaks;

struct DevicePeaksCommand {
  bool json = false, quick = false, fresh = false;
  std::string cache;
};

std::string default_cache() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home && *home ? home : "/tmp") / ".cache";
  return (base / "opscope" / "device-peaks.json").string();
}

// What a cached measurement must match to be reused: this CPU, this many
// cores, this build.
nlohmann::json cache_key(const DevicePeaks& p) {
  return {{"cpu_model", p.cpu_model}, {"cores", p.cores}, {"opscope", harness::kOpscopeVersion},
          {"git_commit", harness::kOpscopeGitCommit}};
}

bool read_cache(const std::string& path, const nlohmann::json& key, DevicePeaks* out) {
  std::ifstream f(path);
  if (!f) return false;
  const nlohmann::json j = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("key", nlohmann::json()) != key || !j.contains("peaks")) {
    return false;
  }
  return harness::from_json(j["peaks"], out);
}

void write_cache(const std::string& path, const nlohmann::json& key, const DevicePeaks& p) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    if (!f) return;  // a cache is a convenience: no error
    f << dump_json(nlohmann::json{{"key", key}, {"peaks", harness::to_json(p)}}, 2) << "\n";
  }
  fs::rename(tmp, path, ec);
}

void print(const DevicePeaks& p, const std::string& source) {
  std::printf("device peaks: %s, %d cores (%s)\n", p.cpu_model.c_str(), p.cores, source.c_str());
  std::printf("  f32 FMA   (%-10s)  one core %8.1f GMAC/s (%6.1f GFLOP/s)   all cores %8.1f GMAC/s\n",
              p.f32_isa.c_str(), p.f32_gmacs_one_core, 2 * p.f32_gmacs_one_core,
              p.f32_gmacs_all_cores);
  std::printf("  int8 dot  (%-10s)  one core %8.1f GMAC/s                       all cores %8.1f GMAC/s\n",
              p.int8_isa.c_str(), p.int8_gmacs_one_core, p.int8_gmacs_all_cores);
  std::printf("  memory, one core:   %-5s %10s %10s %10s\n", "level", "buffer", "read GB/s",
              "copy GB/s");
  for (const harness::BandwidthPeak& b : p.bandwidth) {
    const double kib = static_cast<double>(b.bytes) / 1024;
    const std::string size = kib >= 1024 ? std::to_string(static_cast<int64_t>(kib / 1024)) + " MiB"
                                         : std::to_string(static_cast<int64_t>(kib)) + " KiB";
    std::printf("                      %-5s %10s %10.1f %10.1f\n", b.level.c_str(), size.c_str(),
                b.read_gbs, b.copy_gbs);
  }
}

int run(const DevicePeaksCommand& c) {
  harness::PeakOptions options;
  if (c.quick) {
    options.min_seconds = 0.02;
    options.repeats = 2;
    options.max_bytes = int64_t{64} << 20;
  }
  const std::string cache = c.cache.empty() ? default_cache() : c.cache;
  const nlohmann::json key = cache_key(harness::device_identity());
  DevicePeaks peaks;
  std::string source;
  if (!c.fresh && !c.quick && read_cache(cache, key, &peaks)) {
    source = "cached in " + cache + "; --fresh measures again";
  } else {
    if (!c.json) {
      std::fprintf(stderr, "opscope: measuring this machine's peaks (a few seconds)...\n");
    }
    peaks = harness::measure_device_peaks(options);
    char took[64];
    std::snprintf(took, sizeof(took), "measured in %.1f s", peaks.seconds);
    source = took;
    if (!c.quick) {
      write_cache(cache, key, peaks);
      source += ", cached in " + cache;
    }
  }
  if (c.json) {
    nlohmann::json j = harness::to_json(peaks);
    j["source"] = source;
    std::printf("%s\n", dump_json(j, 2).c_str());
  } else {
    print(peaks, source);
  }
  return harness::kExitOk;
}

}  // namespace

CliCommand add_device_peaks_command(CLI::App& app) {
  auto c = std::make_shared<DevicePeaksCommand>();
  CLI::App* sub = app.add_subcommand(
      "device-peaks",
      "Measure this machine's roofs: f32 FMA and int8 dot-product throughput (one core, all "
      "cores) and memory bandwidth per cache level");
  sub->footer(
      "Small microbenchmarks, dispatched on the CPU's features (AVX-512, AVX2, scalar); "
      "each figure is the best of a few timed repeats. Multiply-adds are counted as MACs "
      "(one FMA lane = one MAC = two flops); copy bandwidth counts bytes read plus bytes "
      "written. Measured once, then cached per CPU model, core count and opscope build "
      "(--cache, default ~/.cache/opscope/device-peaks.json). The figures are the roofs of "
      "the per-op roofline (docs/roofline.md).\n"
      "Example: opscope device-peaks --json | jq .f32.gmacs_one_core\n");
  sub->add_flag("--json", c->json, "Print JSON instead of the table");
  sub->add_flag("--quick", c->quick,
                "Shorter, smaller measurements (less exact; not cached): for tests and CI");
  sub->add_flag("--fresh", c->fresh, "Measure again even when a cached measurement matches");
  sub->add_option("--cache", c->cache, "The cache file");
  return {sub, [c] { return run(*c); }};
}

}  // namespace opscope::cli

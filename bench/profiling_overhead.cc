// Profiling overhead: median invoke latency with per-op profiling on vs off,
// measured in one process as interleaved blocks so that both see the same
// machine state (two noisy cores: never compare two separate runs).
//
//   opscope-bench-profiling-overhead MODEL.tflite [--backend cpu]
//       [--rounds 20] [--block 5]
//
// Each round runs one block of invokes with the profiler and one without
// (which goes first alternates), and yields the ratio of the two block
// medians; the figure is the median of those paired ratios, which cancels
// slow drift of the machine. The pooled medians are printed too.
//
// For a repeatable figure on a noisy machine, count instructions instead:
// `--only on|off --invokes N` runs N invokes one way and nothing else, so
// under `valgrind --tool=callgrind` the difference of the totals of `on` and
// `off` is the profiler's cost (bench/profiling_overhead_callgrind.sh).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/session.h"
#include "harness/model_loader.h"
#include "harness/run_options.h"
#include "harness/session_io.h"
#include "harness/statistics.h"
#include "profilers/latency_profiler.h"

int main(int argc, char** argv) {
  using namespace opscope;
  CLI::App app{"Median latency with per-op profiling on vs off, interleaved"};
  std::string model_path, backends = "cpu";
  int rounds = 20, block = 5, threads = 1;
  app.add_option("model", model_path, "Model file")->required();
  app.add_option("--backend", backends, "Backend list")->capture_default_str();
  app.add_option("--threads", threads, "Threads")->capture_default_str();
  app.add_option("--rounds", rounds, "On/off block pairs")->capture_default_str();
  app.add_option("--block", block, "Invokes per block")->capture_default_str();
  std::string only;
  int invokes = 3;
  app.add_option("--only", only, "Run --invokes invokes with the profiler on or off, no timing")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--invokes", invokes, "Invokes for --only")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto model = harness::load_model(model_path);
  if (!model.is_ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  SessionOptions options;
  harness::RunOptions parsed;  // the CLI's own parsing of the backend list
  parsed.backends = backends;
  harness::finish_run_options(parsed);
  options.backends = parsed.config.backends;
  options.threads = threads;
  auto session = Session::create(*model, options);
  if (!session.is_ok()) {
    std::fprintf(stderr, "%s\n", session.status().message().c_str());
    return 1;
  }
  Session& s = **session;
  if (!harness::feed_inputs(s, {}, 1).is_ok()) return 1;
  profilers::LatencyProfiler profiler(static_cast<int>(s.graph().nodes.size()),
                                      rounds * block + 16);
  for (int i = 0; i < (only.empty() ? 5 : 1); ++i) (void)s.invoke();  // warm-up
  if (!only.empty()) {
    s.set_profiler(only == "on" ? &profiler : nullptr);
    for (int i = 0; i < invokes; ++i) {
      (void)s.invoke();
      if (only == "on") profiler.end_invoke();
    }
    return 0;
  }

  std::vector<double> on, off, ratios;
  for (int r = 0; r < rounds; ++r) {
    std::vector<double> block_on, block_off;
    // Alternate which goes first so drift does not favour one side.
    for (int half = 0; half < 2; ++half) {
      const bool profiled = (half == 0) == (r % 2 == 0);
      s.set_profiler(profiled ? &profiler : nullptr);
      for (int i = 0; i < block; ++i) {
        const uint64_t t0 = now_ns();
        (void)s.invoke();
        const double ms = static_cast<double>(now_ns() - t0) / 1e6;
        if (profiled) profiler.end_invoke();
        (profiled ? block_on : block_off).push_back(ms);
      }
    }
    on.insert(on.end(), block_on.begin(), block_on.end());
    off.insert(off.end(), block_off.begin(), block_off.end());
    ratios.push_back(harness::median(block_on) / harness::median(block_off));
  }
  if (profiler.overflowed()) std::fprintf(stderr, "warning: profiler buffer overflowed\n");
  std::sort(ratios.begin(), ratios.end());
  const double paired = harness::percentile_sorted(ratios, 50);
  const double q1 = harness::percentile_sorted(ratios, 25);
  const double q3 = harness::percentile_sorted(ratios, 75);
  const double m_on = harness::median(on), m_off = harness::median(off);
  std::printf("model %s, backends %s, %d threads, %d rounds x %d invokes each way\n",
              model_path.c_str(), backends.c_str(), threads, rounds, block);
  std::printf("median latency  profiling on %.3f ms | off %.3f ms\n", m_on, m_off);
  std::printf("overhead (median of paired round ratios)  %+.2f%%  (IQR %+.2f%% .. %+.2f%%)\n",
              100.0 * (paired - 1.0), 100.0 * (q1 - 1.0), 100.0 * (q3 - 1.0));
  return 0;
}

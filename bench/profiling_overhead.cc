// Profiling overhead: median invoke latency with per-op profiling on vs off,
// measured in one process as interleaved blocks so that both see the same
// machine state (two noisy cores: never compare two separate runs).
//
//   opscope-bench-profiling-overhead MODEL.tflite [--backend cpu]
//       [--rounds 20] [--block 5]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/session.h"
#include "harness/model_loader.h"
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
  CLI11_PARSE(app, argc, argv);

  auto model = harness::load_model(model_path);
  if (!model.is_ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  SessionOptions options;
  options.backends.clear();
  for (size_t pos = 0; pos <= backends.size();) {
    const size_t comma = std::min(backends.find(',', pos), backends.size());
    options.backends.push_back(backends.substr(pos, comma - pos));
    pos = comma + 1;
  }
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
  for (int i = 0; i < 5; ++i) (void)s.invoke();  // warm-up

  std::vector<double> on, off;
  for (int r = 0; r < rounds; ++r) {
    // Alternate which goes first so drift does not favour one side.
    for (int half = 0; half < 2; ++half) {
      const bool profiled = (half == 0) == (r % 2 == 0);
      s.set_profiler(profiled ? &profiler : nullptr);
      for (int i = 0; i < block; ++i) {
        const uint64_t t0 = now_ns();
        (void)s.invoke();
        const double ms = static_cast<double>(now_ns() - t0) / 1e6;
        if (profiled) profiler.end_invoke();
        (profiled ? on : off).push_back(ms);
      }
    }
  }
  const double m_on = harness::median(on), m_off = harness::median(off);
  std::printf("model %s, backends %s, %d threads, %zu invokes each\n",
              model_path.c_str(), backends.c_str(), threads, on.size());
  std::printf("median latency  profiling on %.3f ms | off %.3f ms | on/off %.4f (%+.2f%%)\n",
              m_on, m_off, m_on / m_off, 100.0 * (m_on / m_off - 1.0));
  return 0;
}

// XNNPACK compile time: the prepare stage of Session::create (partitions
// compiled, shapes resolved, operators created, weights packed) on
// `xnnpack,cpu`, median of --creates sessions per model.
//
//   opscope-bench-xnnpack-compile MODEL... [--creates 9] [--backend xnnpack,cpu]
//
// Prints one line per model: "<file> prepare_ms median <m> min <n>". To
// compare two builds on this noisy machine, run both binaries alternately
// (interleaved rounds) and take the median of the per-round medians
// (docs/engine.md, "The XNNPACK backend").
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/profiling.h"
#include "engine/session.h"
#include "harness/model_loader.h"
#include "harness/run_options.h"

namespace {

// Records the wall time of the prepare stage only.
class PrepareTimer : public opscope::Profiler {
 public:
  void begin_stage(opscope::Stage stage) override {
    if (stage == opscope::Stage::kPrepare) start_ = opscope::now_ns();
  }
  void end_stage(opscope::Stage stage) override {
    if (stage == opscope::Stage::kPrepare) ns_ = opscope::now_ns() - start_;
  }
  double ms() const { return static_cast<double>(ns_) / 1e6; }

 private:
  uint64_t start_ = 0;
  uint64_t ns_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace opscope;
  CLI::App app{"Median prepare (compile) time of a session per model"};
  std::vector<std::string> model_paths;
  std::string backends = "xnnpack,cpu";
  int creates = 9;
  app.add_option("models", model_paths, "Model files")->required();
  app.add_option("--backend", backends, "Backend list")->capture_default_str();
  app.add_option("--creates", creates, "Sessions created per model")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::vector<std::string> backend_list =
      harness::split_backend_list(backends);
  int failures = 0;
  for (const std::string& path : model_paths) {
    auto model = harness::load_model(path);
    if (!model.is_ok()) {
      std::fprintf(stderr, "%s\n", model.status().message().c_str());
      ++failures;
      continue;
    }
    std::vector<double> times;
    for (int i = 0; i < creates; ++i) {
      PrepareTimer timer;
      SessionOptions options;
      options.backends = backend_list;
      options.profiler = &timer;
      auto session = Session::create(model.value(), options);
      if (!session.is_ok()) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(),
                     session.status().message().c_str());
        ++failures;
        break;
      }
      times.push_back(timer.ms());
    }
    if (times.empty()) continue;
    std::sort(times.begin(), times.end());
    const std::string name = path.substr(path.find_last_of('/') + 1);
    std::printf("%s prepare_ms median %.3f min %.3f\n", name.c_str(),
                times[times.size() / 2], times.front());
  }
  return failures == 0 ? 0 : 1;
}

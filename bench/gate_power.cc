// opscope-bench-gate-power: the gate's false-alarm rate and detection rate,
// measured live on this machine (docs/statistics.md quotes its figures).
//
// For each model: one pilot run gives the median; then K baseline runs and K
// runs slowed by --delay-pct of that median (opscope-runner
// --inject-delay-us) alternate, each a fresh runner process. It prints
//   - the gate on real run pairs: every pair of distinct baseline runs (A/A)
//     and every (baseline, slowed) pair;
//   - resampled trials (harness/gate_trials.h): A/A with both sides drawn
//     from the pooled baseline runs (what harness_gate_rates_test asserts),
//     A/A between two different baseline runs (adds run-to-run noise), and
//     baseline against slowed.
// Exit code 1 when the pooled A/A rate is above 1% or detection below 95%.
// --record FILE writes the sample sets as JSON: tests/data/gate_samples.json
// was recorded this way, and tests/harness/gate_rates_test.cc replays it.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "adapters/devices/local_process.h"
#include "harness/gate.h"
#include "harness/gate_trials.h"
#include "harness/statistics.h"
#include "result/result_document.h"

namespace {

using namespace opscope;
using namespace opscope::harness;
namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> models;
  std::string runner, backend = "xnnpack,cpu", cpus, record;
  int threads = 1, runs_per_side = 4, samples = 200, trials = 100, resample = 100;
  double delay_pct = 10.0;
  GateOptions gate;
};

std::string find_runner(const char* argv0) {
  const fs::path beside = fs::absolute(argv0).parent_path() / ".." / "cli" / "opscope-runner";
  if (fs::exists(beside)) return fs::canonical(beside).string();
  return devices::default_runner_path();
}

// One fresh runner process; the latency samples of its measured invokes.
bool run_once(const Options& o, const std::string& model, int64_t delay_us,
              std::vector<double>& samples, ResultDocument* doc_out = nullptr) {
  char tmpl[] = "/tmp/opscope-gate-power-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return false;
  close(fd);
  std::vector<std::string> args = {model, "--backend", o.backend,
                                   "--threads", std::to_string(o.threads),
                                   "--runs", std::to_string(o.samples),
                                   "--min-secs", "0", "--trace-invokes", "0",
                                   "--json", tmpl};
  if (delay_us > 0) {
    args.push_back("--inject-delay-us");
    args.push_back(std::to_string(delay_us));
  }
  if (!o.cpus.empty()) {
    args.push_back("--cpus");
    args.push_back(o.cpus);
  }
  auto outcome = devices::run_local_process(o.runner, args);
  bool ok = outcome.is_ok() && !outcome->signaled && outcome->exit_code == 0;
  if (ok) {
    std::ifstream f(tmpl, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::optional<ResultDocument> doc = parse_result_document_text(text, nullptr);
    ok = doc.has_value();
    if (doc) {
      samples = doc->latency_ms.samples;
      if (doc_out) *doc_out = *doc;
    }
  }
  std::remove(tmpl);
  return ok && !samples.empty();
}

Verdict gate_pair(const std::vector<double>& a, const std::vector<double>& b,
                  const GateOptions& g) {
  ResultDocument x, y;
  x.model.name = y.model.name = "m";
  x.latency_ms.samples = a;
  y.latency_ms.samples = b;
  return evaluate_gate(compare_documents({x}, {y}), g).overall;
}

std::vector<double> rounded_us(const std::vector<double>& ms) {
  std::vector<double> out;
  for (double v : ms) out.push_back(std::round(v * 1000.0) / 1000.0);
  return out;
}

void print_rates(const char* what, int fails, int total, bool want_high) {
  std::printf("  %-46s %4d / %-4d = %5.1f%% %s\n", what, fails, total,
              total ? 100.0 * fails / total : 0.0,
              want_high ? "(want >= 95%)" : "(want <= 1%)");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"opscope-bench-gate-power: the gate's false-alarm and detection rates, live"};
  app.add_option("models", o.models, "Model files (each >= 2 ms for the detection figure)")
      ->required();
  app.add_option("--runner", o.runner, "opscope-runner to start (default: the build's)");
  app.add_option("--backend", o.backend)->capture_default_str();
  app.add_option("--threads", o.threads)->capture_default_str();
  app.add_option("--cpus", o.cpus, "Pin the runner (as opscope run --cpus)");
  app.add_option("--runs-per-side", o.runs_per_side, "Runner processes per side")
      ->capture_default_str()->check(CLI::Range(2, 100));
  app.add_option("--samples", o.samples, "Measured invokes per run")->capture_default_str();
  app.add_option("--delay-pct", o.delay_pct, "Slowdown of the candidate, % of the median")
      ->capture_default_str();
  app.add_option("--trials", o.trials, "Resampled trials per figure")->capture_default_str();
  app.add_option("--resample", o.resample, "Samples per side in a resampled trial")
      ->capture_default_str();
  app.add_option("--max-regression", o.gate.max_regression)->capture_default_str();
  app.add_option("--min-abs-ms", o.gate.min_abs_ms)->capture_default_str();
  app.add_option("--alpha", o.gate.alpha)->capture_default_str();
  app.add_option("--record", o.record, "Write the sample sets as JSON (the test fixture)");
  CLI11_PARSE(app, argc, argv);
  if (o.runner.empty()) o.runner = find_runner(argv[0]);

  nlohmann::json record = {{"models", nlohmann::json::array()}};
  int exit_code = 0;
  for (const std::string& model : o.models) {
    std::vector<double> pilot;
    ResultDocument pilot_doc;
    if (!run_once(o, model, 0, pilot, &pilot_doc)) {
      std::fprintf(stderr, "gate-power: the runner failed on %s\n", model.c_str());
      return 1;
    }
    const double median_ms = median(pilot);
    const int64_t delay_us = std::llround(o.delay_pct / 100.0 * median_ms * 1000.0);
    std::printf("%s: pilot median %.3f ms, candidate delay %lld us (%.0f%%), %d runs x %d "
                "samples per side\n",
                fs::path(model).filename().c_str(), median_ms,
                static_cast<long long>(delay_us), o.delay_pct, o.runs_per_side, o.samples);
    std::fflush(stdout);
    std::vector<std::vector<double>> base, slow;
    for (int k = 0; k < o.runs_per_side; ++k) {  // interleaved: drift hits both sides
      std::vector<double> s;
      if (!run_once(o, model, 0, s)) return 1;
      base.push_back(s);
      if (!run_once(o, model, delay_us, s)) return 1;
      slow.push_back(s);
    }
    std::printf("  run medians, baseline:");
    for (const auto& r : base) std::printf(" %.3f", median(r));
    std::printf(" | slowed:");
    for (const auto& r : slow) std::printf(" %.3f", median(r));
    std::printf(" ms\n");

    int aa_fail = 0, aa_total = 0, det_fail = 0, det_total = 0;
    for (size_t i = 0; i < base.size(); ++i) {
      for (size_t j = i + 1; j < base.size(); ++j) {
        aa_fail += gate_pair(base[i], base[j], o.gate) == Verdict::kFail;
        ++aa_total;
      }
      for (size_t j = 0; j < slow.size(); ++j) {
        det_fail += gate_pair(base[i], slow[j], o.gate) == Verdict::kFail;
        ++det_total;
      }
    }
    GateTrialSpec pooled_spec;  // both sides from all baseline runs pooled
    pooled_spec.base_runs.emplace_back();
    for (const auto& r : base) {
      pooled_spec.base_runs[0].insert(pooled_spec.base_runs[0].end(), r.begin(), r.end());
    }
    pooled_spec.samples_per_side = o.resample;
    pooled_spec.trials = o.trials;
    const GateTrialRates pooled = run_gate_trials(pooled_spec, o.gate);
    GateTrialSpec spec;
    spec.base_runs = base;
    spec.samples_per_side = o.resample;
    spec.trials = o.trials;
    const GateTrialRates aa = run_gate_trials(spec, o.gate);
    spec.cand_runs = slow;
    spec.seed = 2;
    const GateTrialRates det = run_gate_trials(spec, o.gate);
    print_rates("false alarms, real run pairs (A/A)", aa_fail, aa_total, false);
    print_rates("false alarms, resampled A/A, pooled runs", pooled.fail, pooled.trials, false);
    print_rates("false alarms, resampled A/A, two runs", aa.fail, aa.trials, false);
    print_rates("detections, real run pairs (slowed)", det_fail, det_total, true);
    print_rates("detections, resampled trials (slowed)", det.fail, det.trials, true);
    if (pooled.fail_rate() > 0.01 || det.fail_rate() < 0.95) exit_code = 1;

    record["models"].push_back(
        {{"model", fs::path(model).filename().string()},
         {"backends", o.backend},
         {"threads", o.threads},
         {"cpus", o.cpus},
         {"samples_per_run", o.samples},
         {"pilot_median_ms", median_ms},
         {"inject_delay_us", delay_us},
         {"baseline_runs", nlohmann::json::array()},
         {"delayed_runs", nlohmann::json::array()}});
    for (const auto& r : base) record["models"].back()["baseline_runs"].push_back(rounded_us(r));
    for (const auto& r : slow) record["models"].back()["delayed_runs"].push_back(rounded_us(r));
    record["device"] = {{"cpu_model", pilot_doc.device.cpu_model},
                        {"cores", pilot_doc.device.cores},
                        {"os", pilot_doc.device.os},
                        {"governor", pilot_doc.device.governor}};
    record["tool"] = {{"version", pilot_doc.tool.version},
                      {"git_commit", pilot_doc.tool.git_commit}};
  }
  if (!o.record.empty()) {
    std::string cmd;
    for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + fs::path(argv[i]).filename().string();
    record["recorded_with"] = cmd;
    std::ofstream f(o.record);
    f << record.dump() << "\n";
    std::printf("wrote %s\n", o.record.c_str());
  }
  return exit_code;
}

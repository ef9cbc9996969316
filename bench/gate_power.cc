// opscope-bench-gate-power: the gate's false-alarm and detection rates with
// the run as the unit, measured live on this machine (docs/statistics.md
// keeps its table).
//
// For each model: one pilot run gives the median; then --rounds rounds, each
// four fresh runner processes in turn: a baseline run A, a run slowed by 5%
// of the pilot median (opscope-runner --inject-delay-us), a second baseline
// run A', a run slowed by 10%. For 1, 3, 5 and 8 runs per side (as many as
// the rounds allow) it draws --trials sets of distinct rounds and applies the
// gate at its defaults to their runs, paired by round as a sweep pairs them
// (harness/gate_trials.h): A against A' (false alarms), A against +5% and A
// against +10% (detections). It prints the between-run variation it saw and
// the runs per side the gate recommends for +10%. Exit code 1 when an A/A
// rate is above 1% or the +10% detection at the recommended runs is below
// 95%. --record FILE writes A and the +10% runs in the format of
// tests/data/gate_samples.json.
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
#include "harness/run_power.h"
#include "harness/two_level.h"
#include "harness/statistics.h"
#include "result/result_document.h"

namespace {

using namespace opscope;
using namespace opscope::harness;
namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> models;
  std::string runner, backend = "xnnpack,cpu", cpus, record;
  int threads = 1, rounds = 8, samples = 200, trials = 100;
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
                                   // The gate judges the headline latency; per-op
                                   // blocks would only double each run's time.
                                   "--no-op-profile", "--json", tmpl};
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

std::vector<double> rounded_us(const std::vector<double>& ms) {
  std::vector<double> out;
  for (double v : ms) out.push_back(std::round(v * 1000.0) / 1000.0);
  return out;
}

double median_of(const std::vector<double>& v) { return median(v); }

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
  app.add_option("--rounds", o.rounds, "Rounds (A, +5%, A', +10%) per model")
      ->capture_default_str()->check(CLI::Range(2, 100));
  app.add_option("--samples", o.samples, "Measured invokes per run")->capture_default_str();
  app.add_option("--trials", o.trials, "Drawn sets of rounds per figure")->capture_default_str();
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
    const int64_t d5 = std::llround(0.05 * median_ms * 1000.0);
    const int64_t d10 = std::llround(0.10 * median_ms * 1000.0);
    std::printf("%s: pilot median %.4f ms, delays %lld / %lld us (+5%% / +10%%), %d rounds x 4 "
                "runs x %d samples\n",
                fs::path(model).filename().c_str(), median_ms, static_cast<long long>(d5),
                static_cast<long long>(d10), o.rounds, o.samples);
    std::fflush(stdout);
    std::vector<std::vector<double>> base, aa, slow5, slow;
    for (int k = 0; k < o.rounds; ++k) {  // interleaved: drift hits every arm
      std::vector<double> s;
      if (!run_once(o, model, 0, s)) return 1;
      base.push_back(s);
      if (!run_once(o, model, d5, s)) return 1;
      slow5.push_back(s);
      if (!run_once(o, model, 0, s)) return 1;
      aa.push_back(s);
      if (!run_once(o, model, d10, s)) return 1;
      slow.push_back(s);
    }
    std::vector<double> ma, mb, m5, m10;
    for (int k = 0; k < o.rounds; ++k) {
      ma.push_back(median_of(base[k]));
      mb.push_back(median_of(aa[k]));
      m5.push_back(median_of(slow5[k]));
      m10.push_back(median_of(slow[k]));
    }
    const BetweenRunPrior between = pooled_between_run({ma, mb});
    std::vector<double> diffs;  // per-round log differences of A and A'
    for (int k = 0; k < o.rounds; ++k) diffs.push_back(mb[k] / ma[k]);  // logs taken inside
    const BetweenRunPrior paired = pooled_between_run({diffs});
    // The trials below pair base and candidate by round, as the gate does
    // for a sweep: its between-run sigma is then the round differences' SD
    // over sqrt 2 (harness/two_level.cc), not the unpaired spread.
    PowerModel pm;
    pm.sigma = paired.sigma / std::sqrt(2.0);
    pm.paired = true;
    pm.alpha = o.gate.alpha;
    pm.max_regression = o.gate.max_regression;
    const int recommended = runs_needed(1.10, o.gate.power, pm);
    std::printf("  between-run variation (SD of log run medians): %.2f%% unpaired, %.2f%% "
                "paired by round (SD of round differences / sqrt 2)\n",
                100.0 * between.sigma, 100.0 * paired.sigma / std::sqrt(2.0));
    std::printf("  +10%% measured: %+.1f%% (median of round ratios); gate recommends %d "
                "run(s) per side for 95%% detection of +10%%\n",
                100.0 * (median_of([&] {
                           std::vector<double> r;
                           for (int k = 0; k < o.rounds; ++k) r.push_back(m10[k] / ma[k]);
                           return r;
                         }()) - 1.0),
                recommended);
    std::printf("  | runs/side | A/A FAIL | A/A UNDECIDED | +5%% FAIL | +10%% FAIL | +10%% "
                "UNDECIDED | +10%% PASS |\n");
    for (int k : {1, 3, 5, 8}) {
      if (k > o.rounds) continue;
      GateTrialSpec spec;
      spec.base_runs = base;
      spec.aa_runs = aa;
      spec.runs_per_side = k;
      spec.trials = o.trials;
      spec.seed = 100 + k;
      const GateTrialRates raa = run_gate_trials(spec, o.gate);
      spec.aa_runs.clear();
      spec.cand_runs = slow5;
      const GateTrialRates r5 = run_gate_trials(spec, o.gate);
      spec.cand_runs = slow;
      const GateTrialRates r10 = run_gate_trials(spec, o.gate);
      auto pct = [](int n, int t) { return t ? 100.0 * n / t : 0.0; };
      std::printf("  | %9d | %7.1f%% | %12.1f%% | %7.1f%% | %8.1f%% | %13.1f%% | %8.1f%% |\n", k,
                  pct(raa.fail, raa.trials), pct(raa.undecided, raa.trials),
                  pct(r5.fail, r5.trials), pct(r10.fail, r10.trials),
                  pct(r10.undecided, r10.trials), pct(r10.pass, r10.trials));
      if (raa.fail_rate() > 0.01) exit_code = 1;
    }
    if (recommended > 0 && recommended <= o.rounds) {
      GateTrialSpec spec;
      spec.base_runs = base;
      spec.cand_runs = slow;
      spec.runs_per_side = recommended;
      spec.trials = o.trials;
      spec.seed = 7;
      const GateTrialRates r = run_gate_trials(spec, o.gate);
      std::printf("  at the recommended %d run(s) per side: +10%% detected in %.1f%% of %d "
                  "trials (goal >= 95%%)\n",
                  recommended, 100.0 * r.fail_rate(), r.trials);
      if (r.fail_rate() < 0.95) exit_code = 1;
    } else {
      std::printf("  the recommended runs per side exceed --rounds %d: rerun with more\n",
                  o.rounds);
    }
    std::fflush(stdout);

    record["models"].push_back(
        {{"model", fs::path(model).filename().string()},
         {"backends", o.backend},
         {"threads", o.threads},
         {"cpus", o.cpus},
         {"samples_per_run", o.samples},
         {"pilot_median_ms", median_ms},
         {"inject_delay_us", d10},
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

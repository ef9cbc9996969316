#include "cli/cmd_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/compare_text.h"
#include "cli/store_options.h"
#include "harness/compare.h"
#include "harness/exit_codes.h"
#include "harness/gate.h"
#include "harness/run_power.h"
#include "result/utf8.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

// Loads every run `selector` names. Returns kExitOk, or the exit code after
// printing why not. A selector that matches nothing is not an error here:
// the caller decides (compare: usage; gate: the cases are missing).
int load_selected(store::Store& db, const std::string& selector,
                  std::vector<store::StoredRun>& runs) {
  auto ids = db.select(selector);
  if (!ids.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", ids.status().message().c_str());
    return ids.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitStore;
  }
  for (int64_t id : *ids) {
    auto run = db.load_run(id);
    if (!run.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", run.status().message().c_str());
      return kExitStore;
    }
    runs.push_back(std::move(run).value());
  }
  return kExitOk;
}

// The between-run variation stored before for the baseline's models on the
// baseline's devices: every stored run of those models that came from a
// sweep on one of those devices, less the runs compared.
int load_history(store::Store& db, const std::vector<store::StoredRun>& base,
                 const std::vector<store::StoredRun>& cand, CompareOptions& options) {
  std::vector<std::string> models, devices;
  for (const store::StoredRun& r : base) {
    if (std::find(models.begin(), models.end(), r.doc.model.name) == models.end()) {
      models.push_back(r.doc.model.name);
    }
    if (std::find(devices.begin(), devices.end(), r.doc.device.id) == devices.end()) {
      devices.push_back(r.doc.device.id);
    }
  }
  std::vector<int64_t> exclude;
  for (const auto* side : {&base, &cand}) {
    for (const store::StoredRun& r : *side) exclude.push_back(r.id);
  }
  std::vector<store::StoredRun> history;
  for (const std::string& model : models) {
    if (model.find_first_of("+:") != std::string::npos) continue;  // not a selector value
    const int rc = load_selected(db, "model:" + model, history);
    if (rc != kExitOk) return rc;
  }
  options.history = between_run_history(history, exclude, devices);
  return kExitOk;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) {
    std::fprintf(stderr, "opscope: error: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

struct CompareCommand {
  std::string db = kDefaultStorePath;
  std::string base, cand;
  CompareTextOptions text;
  bool json = false, samples = false, strict_keys = false;
};

int run_compare(const CompareCommand& c) {
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.db, StoreAccess::kMustExist, exit_code);
  if (!db) return exit_code;
  std::vector<store::StoredRun> base, cand;
  if ((exit_code = load_selected(*db, c.base, base)) != kExitOk) return exit_code;
  if ((exit_code = load_selected(*db, c.cand, cand)) != kExitOk) return exit_code;
  for (const auto& [sel, runs] : {std::pair{&c.base, &base}, std::pair{&c.cand, &cand}}) {
    if (runs->empty()) {
      std::fprintf(stderr, "opscope: error: no stored run matches '%s' in %s\n", sel->c_str(),
                   store::display_name(c.db).c_str());
      return kExitUsage;
    }
  }
  CompareOptions options;
  options.pair_single_cases = !c.strict_keys;
  if ((exit_code = load_history(*db, base, cand, options)) != kExitOk) return exit_code;
  const Comparison cmp = compare_runs(base, cand, options);
  if (c.json) {
    std::cout << dump_json(to_json(cmp, c.samples), 1) << "\n";
  } else {
    print_comparison(cmp, c.text, stdout);
  }
  return kExitOk;
}

// From the between-run variation each case showed: how many runs per side
// the gate needs to catch a slowdown of 1.5, 2 and 4 times the threshold
// 95% of the time (docs/statistics.md, "How many runs").
void print_runs_needed(const Comparison& cmp, const GateResult& gate) {
  const GateOptions& o = gate.options;
  for (size_t i = 0; i < cmp.cases.size() && i < gate.cases.size(); ++i) {
    const CaseVerdict& v = gate.cases[i];
    if (v.base_runs == 0 || v.cand_runs == 0) continue;
    PowerModel m;
    m.sigma = v.between_run_sigma;
    m.paired = v.paired_by_round;
    m.sigma_known = v.low_confidence;
    m.alpha = o.alpha;
    m.max_regression = o.max_regression;
    std::printf("  runs per side to catch a slowdown %.0f%% of the time (between-run variation "
                "%.1f%%, %s):",
                100.0 * o.power, 100.0 * v.between_run_sigma, v.sigma_source.c_str());
    for (double k : {1.5, 2.0, 4.0}) {
      const int n = runs_needed(1.0 + k * o.max_regression, o.power, m);
      std::printf(" %+.1f%%: %s", 100.0 * k * o.max_regression,
                  n > 0 ? std::to_string(n).c_str() : ">64");
    }
    std::printf(" (have %d)\n", std::min(v.base_runs, v.cand_runs));
  }
}

struct GateCommand {
  std::string db = kDefaultStorePath;
  std::string base, cand;
  std::string max_regression = "5%", warn, alpha = "0.01", detect, power = "95%";
  GateOptions options;
  std::string junit, markdown;
  bool json = false;
};

int run_gate(GateCommand& c) {
  // Thresholds first: a typo is a usage error before any work.
  struct Field { const char* flag; const std::string* text; double* out; };
  for (const Field& f : {Field{"--max-regression", &c.max_regression, &c.options.max_regression},
                         Field{"--warn", &c.warn, &c.options.warn},
                         Field{"--alpha", &c.alpha, &c.options.alpha},
                         Field{"--detect", &c.detect, &c.options.detect},
                         Field{"--power", &c.power, &c.options.power}}) {
    if (f.text->empty()) continue;
    auto v = parse_fraction(*f.text);
    if (!v.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s: %s\n", f.flag, v.status().message().c_str());
      return kExitUsage;
    }
    *f.out = *v;
  }
  if (c.options.power <= 0.0 || c.options.power >= 1.0) {
    std::fprintf(stderr, "opscope: error: --power must be between 0 and 1 (exclusive)\n");
    return kExitUsage;
  }
  if (c.options.alpha <= 0.0 || c.options.alpha >= 1.0) {
    std::fprintf(stderr, "opscope: error: --alpha must be between 0 and 1 (exclusive)\n");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.db, StoreAccess::kMustExist, exit_code);
  if (!db) return exit_code;
  std::vector<store::StoredRun> base, cand;
  if ((exit_code = load_selected(*db, c.base, base)) != kExitOk) return exit_code;
  if ((exit_code = load_selected(*db, c.cand, cand)) != kExitOk) return exit_code;
  if (base.empty()) std::fprintf(stderr, "opscope: no stored run matches '%s'\n", c.base.c_str());
  if (cand.empty()) std::fprintf(stderr, "opscope: no stored run matches '%s'\n", c.cand.c_str());

  CompareOptions compare;
  compare.pair_single_cases = false;  // a gate matches cases by key only
  if ((exit_code = load_history(*db, base, cand, compare)) != kExitOk) return exit_code;
  const Comparison cmp = compare_runs(base, cand, compare);
  const GateResult gate = evaluate_gate(cmp, c.options);
  if (!c.junit.empty() && !write_file(c.junit, gate_junit_xml(gate))) return kExitIo;
  if (!c.markdown.empty() && !write_file(c.markdown, gate_markdown(gate))) return kExitIo;
  if (c.json) {
    nlohmann::json j = to_json(gate);
    j["comparison"] = to_json(cmp);
    std::cout << dump_json(j, 1) << "\n";
  } else {
    for (const CaseVerdict& v : gate.cases) {
      std::printf("%-17s %s: %s\n", std::string(to_string(v.verdict)).c_str(), v.name.c_str(),
                  v.reason.c_str());
    }
    print_runs_needed(cmp, gate);
    char warn[48] = "";
    if (c.options.warn > 0) std::snprintf(warn, sizeof(warn), ", warn %g%%", 100.0 * c.options.warn);
    std::printf("gate: %s (%zu case(s); max regression %g%%, min abs %g ms, alpha %g%s; "
                "runs as the unit, PASS needs the runs to catch %+g%% %g%% of the time)\n",
                std::string(to_string(gate.overall)).c_str(), gate.cases.size(),
                100.0 * c.options.max_regression, c.options.min_abs_ms, c.options.alpha, warn,
                100.0 * c.options.detect_or_default(), 100.0 * c.options.power);
  }
  return gate_exit_code(gate.overall);
}

}  // namespace

Result<double> parse_fraction(const std::string& text) {
  std::string s = text;
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  char* end = nullptr;
  const double v = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end == nullptr || *end != '\0' || !(v >= 0.0) || std::isinf(v)) {
    return Status(ErrorCode::kInvalidArgument,
                  "'" + text + "' is not a fraction (write 5% or 0.05)");
  }
  if (percent) return v / 100.0;
  if (v > 1.0) {
    return Status(ErrorCode::kInvalidArgument,
                  "'" + text + "' is ambiguous: write " + text + "% or " +
                      std::to_string(v / 100.0).substr(0, 6));
  }
  return v;
}

CliCommand add_compare_command(CLI::App& app) {
  auto c = std::make_shared<CompareCommand>();
  CLI::App* sub = app.add_subcommand(
      "compare",
      "Compare stored runs: per case (model, variant, backends, threads) the latency ratio "
      "of run medians with its 95% two-level CI and the run-level p-value (paired by sweep "
      "round when a sweep interleaved the sides), memory deltas, stages and the ops that "
      "changed most. BASE and CAND are run ids or selectors (latest, 12,13, sweep:ID, "
      "tag:KEY=VALUE, model:NAME, variant:LABEL, joined by '+')");
  sub->add_option("base", c->base, "Baseline runs: id or selector")->required();
  sub->add_option("cand", c->cand, "Candidate runs: id or selector")->required();
  add_db_option(*sub, c->db);
  sub->add_option("--top", c->text.top_ops, "Rows of the per-op diff per case (0: all)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_flag("--strict-keys", c->strict_keys,
                "Never pair a single baseline case with a single candidate case of "
                "another key (model, variant, backends, threads)");
  sub->add_flag("--json", c->json, "Print the comparison as JSON");
  sub->add_flag("--samples", c->samples, "With --json: include the pooled samples");
  return {sub, [c] { return run_compare(*c); }};
}

CliCommand add_gate_command(CLI::App& app) {
  auto c = std::make_shared<GateCommand>();
  CLI::App* sub = app.add_subcommand(
      "gate",
      "CI gate with the run as the unit: FAIL (exit 1) when a case is slower with the "
      "run-level p < alpha AND beyond both --max-regression and --min-abs-ms; PASS or "
      "PASS_WITH_WARNING (exit 0); UNDECIDED (exit 2) when cases are missing, have too few "
      "samples, or have fewer runs per side than needed to catch --detect");
  sub->add_option("--baseline", c->base, "Baseline runs: id or selector")->required();
  sub->add_option("--candidate", c->cand, "Candidate runs: id or selector")->required();
  add_db_option(*sub, c->db);
  sub->add_option("--max-regression", c->max_regression,
                  "Relative slowdown that fails, e.g. 5% or 0.05")
      ->capture_default_str();
  sub->add_option("--min-abs-ms", c->options.min_abs_ms,
                  "Absolute slowdown (ms of median) a failure must also exceed")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--warn", c->warn, "Relative slowdown that warns (PASS_WITH_WARNING)");
  sub->add_option("--alpha", c->alpha, "Significance level of the run-level test")
      ->capture_default_str();
  sub->add_option("--detect", c->detect,
                  "Slowdown a PASS must have been able to catch (default: twice "
                  "--max-regression); fewer runs than that needs: UNDECIDED");
  sub->add_option("--power", c->power, "... with this probability")->capture_default_str();
  sub->add_option("--min-samples", c->options.min_samples,
                  "Fewer samples on a side: UNDECIDED")
      ->capture_default_str()->check(CLI::Range(2, 1000000));
  sub->add_option("--junit", c->junit, "Write a JUnit XML file (one testcase per case)");
  sub->add_option("--markdown", c->markdown, "Write a Markdown summary (pull-request comment)");
  sub->add_flag("--json", c->json, "Print the verdicts and the comparison as JSON");
  return {sub, [c] { return run_gate(*c); }};
}

}  // namespace opscope::cli

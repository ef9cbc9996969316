#include "cli/cmd_quant_diff.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/quant_diff_text.h"
#include "cli/store_options.h"
#include "harness/case_process.h"
#include "harness/exit_codes.h"
#include "harness/quant_diff.h"
#include "harness/run_options.h"
#include "result/utf8.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct QuantDiffCommand {
  QuantDiffRequest request;
  StoreFlags store;
  bool json = false;
  int runs = 20;
};

int fail(const Status& s) {
  std::fprintf(stderr, "opscope: error: %s\n", s.message().c_str());
  return exit_code_for(s.code());
}

// One timing run through the runner, as `opscope run` makes it: a fresh
// process, per-op profile on; stored with `variant` when `db` is open.
struct TimingRun {
  ResultDocument doc;
  int64_t id = 0;
};

Result<TimingRun> timing_run(const QuantDiffCommand& c, const std::string& model,
                             const std::string& variant, store::Store* db,
                             const store::Tags& tags, int& exit_code) {
  RunOptions opts;
  opts.model = model;
  opts.backends = c.request.backends;
  opts.config.threads = c.request.threads;
  opts.config.runs = c.runs;
  opts.config.warmup_runs = 2;
  opts.config.min_secs = 0;
  opts.config.max_secs = 60;
  opts.config.trace_invokes = 0;
  opts.config.seed = c.request.seed;
  finish_run_options(opts);
  OPSCOPE_ASSIGN_OR_RETURN(CaseOutcome outcome, run_case_process(opts, CaseProcessOptions{}));
  if (outcome.doc.status != "ok") {
    exit_code = outcome.exit_code;
    return Status(ErrorCode::kBackendError,
                  "timing run of " + model + " failed: " + outcome.doc.error.message);
  }
  TimingRun run;
  run.doc = outcome.doc;
  if (db != nullptr) {
    auto id = db->ingest_json(outcome.document, tags, "", variant);
    if (!id.is_ok()) {
      exit_code = kExitStore;
      return id.status();
    }
    run.id = *id;
  }
  return run;
}

int run(QuantDiffCommand& c) {
  auto tags = parse_tags(c.store.tags);
  if (!tags.is_ok()) return fail(tags.status());
  int exit_code = kExitOk;
  std::unique_ptr<store::Store> db;
  if (!c.store.no_store) {
    // A bad --db fails before the work.
    db = open_store_or_report(c.store.db, StoreAccess::kCreate, exit_code);
    if (!db) return exit_code;
  }

  auto computed = compute_quant_diff(c.request);
  if (!computed.is_ok()) return fail(computed.status());
  QuantDiffReport report = std::move(computed).value();
  for (const std::string& w : report.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

  if (c.runs > 0) {
    const auto t0 = std::chrono::steady_clock::now();
    int code = kExitOk;
    auto f = timing_run(c, c.request.float_model, "float", db.get(), *tags, code);
    if (!f.is_ok()) {
      fail(f.status());
      return code != kExitOk ? code : exit_code_for(f.status().code());
    }
    auto q = timing_run(c, c.request.int8_model, "int8", db.get(), *tags, code);
    if (!q.is_ok()) {
      fail(q.status());
      return code != kExitOk ? code : exit_code_for(q.status().code());
    }
    join_timings(report, f->doc, q->doc);
    report.float_run_id = f->id;
    report.int8_run_id = q->id;
    report.timing_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  int64_t diff_id = 0;
  if (db) {
    auto id = db->ingest_quant_diff(to_store_record(report));
    if (!id.is_ok()) {
      fail(id.status());
      return kExitStore;
    }
    diff_id = *id;
  }
  if (c.json) {
    nlohmann::json j = to_json(report);
    j["id"] = diff_id;
    std::cout << dump_json(j, 1) << "\n";
  } else {
    print_quant_diff(report, stdout);
  }
  std::fflush(stdout);
  if (db) {
    std::fprintf(stderr,
                 "opscope: stored as quant-diff %lld (runs %lld float, %lld int8) in %s\n",
                 static_cast<long long>(diff_id), static_cast<long long>(report.float_run_id),
                 static_cast<long long>(report.int8_run_id), store::display_name(c.store.db).c_str());
  }
  return kExitOk;
}

}  // namespace

CliCommand add_quant_diff_command(CLI::App& app) {
  auto c = std::make_shared<QuantDiffCommand>();
  QuantDiffRequest& r = c->request;
  CLI::App* sub = app.add_subcommand(
      "quant-diff",
      "Per op, the int8 model's error against its float twin (SNR, cosine, RMSE/scale, max "
      "error) beside both models' per-op times, plus output SNR and a task metric; stores the "
      "two timing runs and the diff");
  sub->add_option("float_model", r.float_model, "The float model (.tflite)")->required();
  sub->add_option("int8_model", r.int8_model, "Its int8 variant (from `opscope quantize`)")
      ->required();
  sub->add_option("--dataset", r.dataset,
                  "Folder of .png/.jpg/.jpeg/.npy inputs, prepared as `opscope quantize "
                  "--calibration` prepares them (default: seeded random inputs)");
  sub->add_option("--inputs", r.inputs,
                  "Random inputs: how many (default 4); with --dataset: at most this many "
                  "files (0: all)")
      ->check(CLI::Range(0, 100000));
  sub->add_option("--seed", r.seed, "Seed of the random inputs")->capture_default_str();
  sub->add_option("--range", r.range, "Pixel 0..255 maps to LO,HI")->capture_default_str();
  sub->add_option("--mean", r.mean, "Subtracted after --range (one value or per channel)")
      ->capture_default_str();
  sub->add_option("--std", r.std, "Divides after --mean (one value or per channel)")
      ->capture_default_str();
  sub->add_option("--backend", r.backends, "Backend priority list for both models")
      ->capture_default_str();
  sub->add_option("--threads", r.threads, "Threads per backend")
      ->capture_default_str()->check(CLI::Range(1, 256));
  sub->add_option("--runs", c->runs,
                  "Measured invokes of each timing run (0: no timing, no runs stored)")
      ->capture_default_str()->check(CLI::Range(0, 100000));
  sub->add_option("--task", r.task,
                  "Task metric: auto (from the outputs), classify, segment, detect, "
                  "landmarks or none")
      ->capture_default_str();
  sub->add_flag("--json", c->json, "Print the whole quant-diff record as JSON on stdout");
  add_store_flags(*sub, c->store, /*with_variant=*/false);
  return {sub, [c] { return run(*c); }};
}

}  // namespace opscope::cli

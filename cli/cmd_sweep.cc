#include "cli/cmd_sweep.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/run_flags.h"
#include "cli/store_options.h"
#include "harness/case_process.h"
#include "harness/exit_codes.h"
#include "harness/sweep_plan.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

using Clock = std::chrono::steady_clock;

struct SweepCommand {
  RunOptions run;  // the shared run flags
  StoreFlags store;
  std::vector<std::string> models, variants, backends;
  std::string threads = "1";
  std::string plan_path;
  int repeat = 1;
  uint64_t seed = 1;
  bool no_shuffle = false;
  double cool_down_secs = 0, timeout_secs = 0;
};

// "sw-20261121-230705-3fa2": sortable by time, unique enough across hosts.
std::string new_sweep_id() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "sw-%Y%m%d-%H%M%S", &tm);
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "-%04x",
                static_cast<unsigned>(std::random_device{}() & 0xffff));
  return std::string(buf) + suffix;
}

std::string format_duration(double secs) {
  const long s = static_cast<long>(secs + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lds", s);
  }
  return buf;
}

std::string describe(const SweepCase& c) {
  std::string s = std::filesystem::path(c.opts.model).filename().string();
  if (!c.variant.empty()) s += " [" + c.variant + "]";
  return s + " " + c.opts.backends + " t" + std::to_string(c.opts.config.threads);
}

Result<SweepPlan> build_plan(const SweepCommand& c) {
  SweepPlan plan;
  for (const std::string& m : c.models) plan.models.push_back({"", m});
  for (const std::string& v : c.variants) {
    OPSCOPE_ASSIGN_OR_RETURN(SweepModel m, parse_variant(v));
    plan.models.push_back(std::move(m));
  }
  if (!c.backends.empty()) plan.backends = c.backends;
  OPSCOPE_ASSIGN_OR_RETURN(plan.threads, parse_thread_list(c.threads));
  plan.repeat = c.repeat;
  plan.shuffle_seed = c.seed;
  plan.shuffle = !c.no_shuffle;
  plan.cool_down_secs = c.cool_down_secs;
  plan.timeout_secs = c.timeout_secs;
  plan.run = c.run;
  OPSCOPE_ASSIGN_OR_RETURN(plan.tags, parse_tags(c.store.tags));
  if (!c.plan_path.empty()) OPSCOPE_RETURN_IF_ERROR(load_sweep_plan(c.plan_path, plan));
  OPSCOPE_RETURN_IF_ERROR(check_sweep_plan(plan));
  return plan;
}

int run(const SweepCommand& c) {
  auto plan = build_plan(c);
  if (!plan.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", plan.status().message().c_str());
    return exit_code_for(plan.status().code());
  }
  int exit_code = kExitOk;
  std::unique_ptr<store::Store> db;
  if (!c.store.no_store) {
    db = open_store_or_report(c.store.db, StoreAccess::kCreate, exit_code);
    if (!db) return exit_code;
  }
  const std::vector<SweepCase> cases = expand_sweep(*plan);
  const std::string sweep_id = new_sweep_id();
  const bool tty = isatty(STDERR_FILENO);
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  int failed = 0;
  CaseProcessOptions options;
  options.timeout_secs = plan->timeout_secs;
  for (size_t i = 0; i < cases.size(); ++i) {
    if (i > 0 && plan->cool_down_secs > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(plan->cool_down_secs));
    }
    const SweepCase& sc = cases[i];
    if (tty) {
      std::string left = "?";
      if (i > 0) left = "~" + format_duration(elapsed() / i * (cases.size() - i));
      std::fprintf(stderr, "\r\033[K[%zu/%zu] %s | elapsed %s | left %s", i + 1, cases.size(),
                   describe(sc).c_str(), format_duration(elapsed()).c_str(), left.c_str());
      std::fflush(stderr);
    }
    auto outcome = run_case_process(sc.opts, options);
    if (!outcome.is_ok()) {
      // The host cannot start runners at all: every case would fail alike.
      std::fprintf(stderr, "%sopscope: error: %s\n", tty ? "\n" : "",
                   outcome.status().message().c_str());
      return kExitFailure;
    }
    if (outcome->doc.status != "ok") {
      ++failed;
      std::fprintf(stderr, "%sopscope: case %zu/%zu (%s) failed: %s\n", tty ? "\r\033[K" : "",
                   i + 1, cases.size(), describe(sc).c_str(),
                   outcome->doc.error.message.c_str());
    }
    if (db) {
      // The round lets compare and gate pair a base and a candidate run that
      // ran side by side (docs/statistics.md, "Pairing by round").
      if (outcome->document.contains("config") && outcome->document["config"].is_object()) {
        outcome->document["config"]["sweep_round"] = sc.round;
      }
      auto id = db->ingest_json(outcome->document, plan->tags, sweep_id, sc.variant);
      if (!id.is_ok()) {
        std::fprintf(stderr, "%sopscope: error: %s\n", tty ? "\n" : "",
                     id.status().message().c_str());
        return kExitStore;
      }
    }
  }
  if (tty) std::fprintf(stderr, "\r\033[K");
  std::printf("sweep %s: %zu cases, %zu ok, %d failed, %s\n", sweep_id.c_str(), cases.size(),
              cases.size() - failed, failed, format_duration(elapsed()).c_str());
  if (db) {
    std::printf("stored in %s: opscope runs --db %s --sweep %s\n", c.store.db.c_str(),
                c.store.db.c_str(), sweep_id.c_str());
  }
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace

CliCommand add_sweep_command(CLI::App& app) {
  auto c = std::make_shared<SweepCommand>();
  CLI::App* sub = app.add_subcommand(
      "sweep", "Run a matrix of cases (models and variants x backend lists x thread counts, "
               "repeated) in shuffled interleaved order, each in a fresh runner, and store them "
               "all under one sweep id. Exit code 1 when any case failed");
  // The shared run flags, without what names one case or writes its files.
  add_run_options(*sub, c->run);
  for (const char* name : {"model", "--backend", "--threads", "--json", "--save-outputs"}) {
    sub->remove_option(sub->get_option(name));
  }
  sub->add_option("--model", c->models, "Model file (repeatable)");
  sub->add_option("--variant", c->variants,
                  "LABEL=FILE: a labelled model file, e.g. float=m.tflite int8=m_int8.tflite "
                  "(repeatable; the label is stored with the run)");
  sub->add_option("--backend", c->backends,
                  "Backend priority list, e.g. cpu or xnnpack,cpu (repeatable: one axis "
                  "of the matrix; default cpu)");
  sub->add_option("--threads", c->threads, "Thread counts, comma separated, e.g. 1,2")
      ->capture_default_str();
  sub->add_option("--plan", c->plan_path,
                  "JSON plan file (docs/store.md); what it names wins over flags, its models "
                  "add to --model/--variant");
  sub->add_option("--repeat", c->repeat, "Run the whole matrix this many times")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  sub->add_option("--shuffle-seed", c->seed, "Seed of the shuffled case order")
      ->capture_default_str();
  sub->add_flag("--no-shuffle", c->no_shuffle, "Run the matrix in its plain order");
  sub->add_option("--cool-down", c->cool_down_secs, "Seconds to sleep between cases")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--timeout", c->timeout_secs,
                  "Kill a case's runner after this many seconds; the case is stored as "
                  "failed with 'timeout' (0: no limit)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  add_store_flags(*sub, c->store, /*with_variant=*/false);
  return {sub, [c] { return run(*c); }};
}

}  // namespace opscope::cli

#include "cli/cmd_sweep.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "cli/device_flags.h"
#include "cli/run_flags.h"
#include "cli/store_options.h"
#include "cli/sweep_queues.h"
#include "harness/case_plan.h"
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
  DeviceFlags devices;
  double cool_until_c = 0;
  std::vector<std::string> models, variants, backends;
  std::string threads = "1";
  std::string plan_path;
  int repeat = 1;
  uint64_t seed = 1;
  bool no_shuffle = false;
  double cool_down_secs = 0, timeout_secs = kAutoTimeout;
  std::string resume;  // a sweep id or "latest"
  bool list = false;
  std::vector<std::string> given;  // the flags on the command line, by name
};

// One case of a sweep as the store keeps it: its plan (the runner's own
// input, harness/case_plan.h: exact bytes of paths kept hex-encoded), the
// device it runs on, and the label and round it is stored with; a resumed
// case runs again exactly as it first did. Sweeps stored before plans kept
// the runner's command line ("args", "args_hex"): still read.
nlohmann::json case_spec(const SweepCase& sc) {
  return {{"plan", plan_to_json(sc.opts)}, {"device", sc.device}, {"variant", sc.variant},
          {"round", sc.round}};
}

Result<SweepCase> case_from_spec(const nlohmann::json& spec) {
  SweepCase sc;
  try {
    sc.variant = spec.value("variant", "");
    sc.round = spec.value("round", 0);
    sc.device = spec.value("device", "local");
    if (spec.contains("plan")) {
      auto opts = plan_from_json(spec.at("plan"));
      if (!opts.is_ok()) throw std::runtime_error(opts.status().message());
      sc.opts = std::move(*opts);
      return sc;
    }
    std::vector<std::string> args = spec.at("args").get<std::vector<std::string>>();
    if (spec.contains("args_hex")) {  // the exact bytes (paths need not be UTF-8)
      args.clear();
      for (const std::string& h : spec.at("args_hex").get<std::vector<std::string>>()) {
        std::optional<std::string> a = from_hex(h);
        if (!a) throw std::runtime_error("a stored argument is not hex");
        args.push_back(std::move(*a));
      }
    }
    CLI::App app;
    add_run_options(app, sc.opts);
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    app.parse(args);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string("a stored sweep case cannot be read back: ") + e.what());
  }
  finish_run_options(sc.opts);
  return sc;
}

// The sweep-level settings a resumed sweep needs again.
nlohmann::json plan_record(const SweepPlan& plan, double timeout_secs, double cool_until_c,
                           const std::string& devices_file) {
  return {{"tags", plan.tags},
          {"cool_down_secs", plan.cool_down_secs},
          {"cool_until_c", cool_until_c},
          {"timeout_secs", timeout_secs},
          {"devices_file", devices_file}};
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

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
  bool all_local = true;
  for (const std::string& d : c.devices.names) all_local = all_local && d == "local";
  OPSCOPE_RETURN_IF_ERROR(check_sweep_plan(plan, all_local));
  return plan;
}

int list_sweeps(const SweepCommand& c) {
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.store.db, StoreAccess::kMustExist, exit_code);
  if (!db) return exit_code;
  auto sweeps = db->list_sweeps(0);
  if (!sweeps.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", sweeps.status().message().c_str());
    return kExitStore;
  }
  const std::string here = host_name();
  std::printf("%-26s %-11s %6s %6s %6s  %s\n", "sweep", "status", "cases", "ok", "failed",
              "created");
  for (const store::SweepRecord& r : *sweeps) {
    std::printf("%-26s %-11s %6lld %6lld %6lld  %s\n", r.id.c_str(),
                store::effective_sweep_status(r, here).c_str(), static_cast<long long>(r.cases),
                static_cast<long long>(r.ok), static_cast<long long>(r.failed),
                r.created_at.c_str());
  }
  return kExitOk;
}

// What a sweep run works through: new, or the unfinished cases of a stored one.
struct SweepWork {
  std::string id;
  std::vector<SweepCase> cases;
  std::vector<int64_t> seqs;  // each case's seq in the store
  size_t total = 0;           // cases in the whole sweep
  store::Tags tags;
  double cool_down_secs = 0, cool_until_c = 0, timeout_secs = 0;
  std::string devices_file;  // where the cases' device names are defined
};

Result<SweepWork> resume_work(const SweepCommand& c, store::Store& db) {
  OPSCOPE_ASSIGN_OR_RETURN(store::SweepRecord rec, db.load_sweep(c.resume));
  const std::string status = store::effective_sweep_status(rec, host_name());
  if (status == "running") {
    return Status(ErrorCode::kInvalidArgument,
                  "sweep " + rec.id + " is running (opscope pid " +
                      std::to_string(rec.host_pid) + " on " + rec.host + ")");
  }
  SweepWork w;
  w.id = rec.id;
  w.tags = rec.plan.value("tags", store::Tags{});
  w.cool_down_secs = rec.plan.value("cool_down_secs", 0.0);
  w.cool_until_c = rec.plan.value("cool_until_c", 0.0);
  w.timeout_secs = rec.plan.value("timeout_secs", 0.0);
  w.devices_file = c.devices.devices_file.empty() ? rec.plan.value("devices_file", std::string())
                                                  : c.devices.devices_file;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<store::SweepCaseRow> rows, db.sweep_cases(rec.id));
  w.total = rows.size();
  for (const store::SweepCaseRow& row : rows) {
    if (row.status == "ok") continue;
    OPSCOPE_ASSIGN_OR_RETURN(SweepCase sc, case_from_spec(row.spec));
    w.cases.push_back(std::move(sc));
    w.seqs.push_back(row.seq);
  }
  return w;
}

Result<SweepWork> new_work(const SweepCommand& c, store::Store* db) {
  OPSCOPE_ASSIGN_OR_RETURN(SweepPlan plan, build_plan(c));
  SweepWork w;
  w.id = new_sweep_id();
  // Every case on every device (each device runs the same shuffled order).
  std::vector<std::string> names;
  for (const std::string& name : c.devices.names) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.empty()) names.push_back("local");
  const std::vector<SweepCase> matrix = expand_sweep(plan);
  for (const std::string& name : names) {
    for (SweepCase sc : matrix) {
      sc.device = name;
      w.cases.push_back(std::move(sc));
    }
  }
  w.total = w.cases.size();
  for (size_t i = 0; i < w.cases.size(); ++i) w.seqs.push_back(static_cast<int64_t>(i));
  w.tags = plan.tags;
  w.cool_down_secs = plan.cool_down_secs;
  w.cool_until_c = c.cool_until_c;
  w.timeout_secs = resolve_timeout(plan.timeout_secs, plan.run.config);
  w.devices_file = c.devices.devices_file;
  if (db) {
    store::SweepRecord rec;
    rec.id = w.id;
    rec.host = host_name();
    rec.host_pid = getpid();
    rec.plan = plan_record(plan, w.timeout_secs, w.cool_until_c, w.devices_file);
    std::vector<nlohmann::json> specs;
    for (const SweepCase& sc : w.cases) specs.push_back(case_spec(sc));
    OPSCOPE_RETURN_IF_ERROR(db->begin_sweep(rec, specs));
  }
  return w;
}

int run(const SweepCommand& c) {
  if (c.list) return list_sweeps(c);
  if (!c.resume.empty()) {
    // A resumed case runs with the flags it was stored with; a flag given now
    // would be silently ignored, so it is refused.
    std::string extra;
    for (const std::string& name : c.given) {
      if (name == "--resume" || name == "--db" || name == "--devices-file" ||
          name == "--verbose" || name == "--no-cache") {
        continue;
      }
      extra += (extra.empty() ? "" : ", ") + name;
    }
    if (!extra.empty()) {
      std::fprintf(stderr,
                   "opscope: error: --resume runs the stored sweep's own cases with their own "
                   "flags; drop %s\n",
                   extra.c_str());
      return kExitUsage;
    }
  }
  if (!c.resume.empty() && c.store.no_store) {
    std::fprintf(stderr, "opscope: error: --resume needs the store (drop --no-store)\n");
    return kExitUsage;
  }
  if (c.timeout_secs < 0 && c.timeout_secs != kAutoTimeout) {
    std::fprintf(stderr, "opscope: error: --timeout must be 0 (no limit) or positive\n");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<store::Store> db;
  if (!c.store.no_store) {
    db = open_store_or_report(c.store.db, StoreAccess::kCreate, exit_code);
    if (!db) return exit_code;
  }
  // The devices, each opened once (an unknown name fails before anything
  // is stored); one queue per device.
  std::vector<std::unique_ptr<DeviceSession>> sessions;
  if (c.resume.empty()) {
    sessions = open_devices_or_report(c.devices, exit_code);
    if (sessions.empty()) return exit_code;
  }
  auto work = c.resume.empty() ? new_work(c, db.get()) : resume_work(c, *db);
  if (!work.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", work.status().message().c_str());
    return exit_code_for(work.status().code());
  }
  const std::string& sweep_id = work->id;
  const std::vector<SweepCase>& cases = work->cases;
  // From here on the store says what became of the sweep: "incomplete"
  // unless every case ran (a SIGKILL leaves "running" with a dead pid,
  // which readers show as incomplete).
  auto mark = [&](const char* status) {
    if (!db) return;
    if (Status st = db->set_sweep_status(sweep_id, status, getpid()); !st.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", st.message().c_str());
    }
  };
  // A resumed sweep's devices: those of its cases left to run.
  if (!c.resume.empty() && !cases.empty()) {
    DeviceFlags device_flags = c.devices;
    device_flags.devices_file = work->devices_file;
    device_flags.names.clear();
    for (const SweepCase& sc : cases) device_flags.names.push_back(sc.device);
    sessions = open_devices_or_report(device_flags, exit_code);
    if (sessions.empty()) return exit_code;
  }
  std::vector<DeviceQueue> queues;
  for (auto& s : sessions) queues.push_back({s.get(), {}});
  for (size_t i = 0; i < cases.size(); ++i) {
    for (DeviceQueue& q : queues) {
      if (q.device->spec.name == cases[i].device) q.cases.push_back(i);
    }
  }
  mark("running");
  install_interrupt_handlers();
  const bool tty = isatty(STDERR_FILENO);
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  QueueSettings settings;
  settings.case_options.timeout_secs = work->timeout_secs;
  settings.cool_down_secs = work->cool_down_secs;
  settings.cool_until_c = work->cool_until_c;
  settings.tty = tty;
  if (!c.resume.empty()) {
    std::printf("sweep %s: resuming %zu of %zu cases\n", sweep_id.c_str(), cases.size(),
                work->total);
    std::fflush(stdout);
  }
  auto store_case = [&](size_t i, CaseOutcome& outcome) -> Status {
    if (!db) return Status::ok();
    // The round lets compare and gate pair a base and a candidate run that
    // ran side by side (docs/statistics.md, "Pairing by round").
    if (outcome.document.contains("config") && outcome.document["config"].is_object()) {
      outcome.document["config"]["sweep_round"] = cases[i].round;
    }
    const bool ok = outcome.doc.status == "ok";
    auto id = db->ingest_json(outcome.document, work->tags, sweep_id, cases[i].variant);
    return id.is_ok() ? db->finish_sweep_case(sweep_id, work->seqs[i], ok ? "ok" : "failed", *id)
                      : id.status();
  };
  const QueueTotals totals = run_device_queues(cases, queues, settings, store_case);
  if (totals.interrupted || interrupt_signal() != 0) {
    mark("incomplete");
    std::fprintf(stderr,
                 "opscope: sweep %s interrupted (signal %d) at case %zu of %zu; finish it "
                 "with: opscope sweep --resume %s --db %s\n",
                 sweep_id.c_str(), interrupt_signal(), totals.interrupted_at, cases.size(),
                 sweep_id.c_str(), store::display_name(c.store.db).c_str());
    return kExitInterrupted;
  }
  if (!totals.store_error.is_ok()) {
    mark("incomplete");
    std::fprintf(stderr, "opscope: error: %s\n", totals.store_error.message().c_str());
    return kExitStore;
  }
  const size_t failed = totals.failed;
  mark("complete");
  std::printf("sweep %s: %zu cases, %zu ok, %zu failed, %s\n", sweep_id.c_str(), cases.size(),
              cases.size() - failed, failed, format_duration(elapsed()).c_str());
  if (db) {
    std::printf("stored in %s: opscope runs --db %s --sweep %s\n", store::display_name(c.store.db).c_str(),
                store::display_name(c.store.db).c_str(), sweep_id.c_str());
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
                  "of the matrix; default: the fastest this build has)");
  sub->add_option("--threads", c->threads, "Thread counts, comma separated, e.g. 1,2")
      ->capture_default_str();
  sub->add_option("--plan", c->plan_path,
                  "JSON plan file (docs/store.md); what it names wins over flags, its models "
                  "add to --model/--variant");
  sub->add_option("--repeat", c->repeat,
                  "Run the whole matrix this many times (rounds). For `opscope gate` each "
                  "side needs runs: to catch +10% 95% of the time at the default 5% "
                  "threshold, 3 / 4 / 5 / 11 runs at 1% / 2% / 3% / 5% between-run "
                  "variation (measured here: 4 on a quiet machine; docs/statistics.md)")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  sub->add_option("--shuffle-seed", c->seed, "Seed of the shuffled case order")
      ->capture_default_str();
  sub->add_flag("--no-shuffle", c->no_shuffle, "Run the matrix in its plain order");
  sub->add_option("--cool-down,--cooldown-s", c->cool_down_secs,
                  "Seconds to sleep between two cases on one device")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--cooldown-until-c", c->cool_until_c,
                  "Before each case, wait (at most 10 min) until the device's hottest "
                  "thermal zone is below this many degrees C (no wait where none is readable)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--timeout", c->timeout_secs,
                  "Kill a case's runner after this many seconds; the case is stored as "
                  "failed with 'timeout' (default: as for run, 600 or --warmup-secs + "
                  "--max-secs + 300; 0: no limit)");
  sub->add_option("--resume", c->resume,
                  "Finish a stored sweep (ID or 'latest'): run its cases that failed or "
                  "never ran, under the same sweep id");
  sub->add_flag("--list", c->list, "List the stored sweeps and their status "
                                   "(running, complete, incomplete)");
  add_store_flags(*sub, c->store, /*with_variant=*/false);
  add_device_flags(*sub, c->devices, /*repeatable=*/true);
  return {sub, [c, sub] {
    for (const CLI::Option* opt : sub->get_options()) {
      if (opt->count() > 0) c->given.push_back(opt->get_name());
    }
    return run(*c);
  }};
}

}  // namespace opscope::cli

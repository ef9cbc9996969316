#include "cli/cmd_run.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/device_flags.h"
#include "cli/run_flags.h"
#include "cli/run_report.h"
#include "cli/store_options.h"
#include "harness/case_process.h"
#include "harness/device_case.h"
#include "harness/exit_codes.h"
#include "harness/run_options.h"
#include "result/utf8.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct RunCommand {
  RunOptions opts;
  RunReportOptions report;
  StoreFlags store;
  DeviceFlags devices;
  bool json_stdout = false;
  bool no_run_order = false;
  double timeout_secs = kAutoTimeout;
};

// True when the runner left no document and so printed no error itself
// (it died, or the device could not be reached or prepared).
bool host_made_failure(const ResultDocument& doc) {
  static const char* const kHostMade[] = {"runner_crashed", "timeout",  "interrupted",
                                          "device_unreachable", "device_auth", "no_bundle",
                                          "device_io", "unknown_device"};
  for (const char* code : kHostMade) {
    if (doc.error.code == code) return true;
  }
  return false;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "opscope: error: %s\n", message.c_str());
  return kExitUsage;
}

int run(RunCommand& c) {
  finish_run_options(c.opts);
  int exit_code = kExitOk;
  auto devices = open_devices_or_report(c.devices, exit_code);
  if (devices.empty()) return exit_code;
  DeviceSession& device = *devices.front();
  // A device's CPUs are its own: the runner checks --cpus there.
  if (Status st = check_run_options(c.opts, device.is_local()); !st.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", st.message().c_str());
    return exit_code_for(st.code());
  }
  if (c.report.top_n < 0) {
    return usage_error("--top " + std::to_string(c.report.top_n) + " is negative (0: no table)");
  }
  if (c.timeout_secs < 0 && c.timeout_secs != kAutoTimeout) {
    return usage_error("--timeout must be 0 (no limit) or positive");
  }
  c.report.run_order = !c.no_run_order;
  auto tags = parse_tags(c.store.tags);
  if (!tags.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", tags.status().message().c_str());
    return kExitUsage;
  }
  // Open the store first: a bad --db should fail before a long run.
  std::unique_ptr<store::Store> db;
  if (!c.store.no_store) {
    db = open_store_or_report(c.store.db, StoreAccess::kCreate, exit_code);
    if (!db) return exit_code;
  }

  CaseProcessOptions options;
  options.progress = isatty(STDERR_FILENO);
  options.timeout_secs = resolve_timeout(c.timeout_secs, c.opts.config);
  install_interrupt_handlers();
  Result<CaseOutcome> outcome = device.is_local()
                                    ? run_case_process(c.opts, options)
                                    : Result<CaseOutcome>(run_case_on_device(device, c.opts, options));
  if (!outcome.is_ok()) {
    std::fprintf(stderr, "opscope: %s\n", outcome.status().message().c_str());
    return exit_code_for(outcome.status().code());
  }
  if (c.devices.verbose && !device.is_local()) {
    std::fprintf(stderr, "opscope: %s: pushed %lld bytes\n", device.spec.name.c_str(),
                 static_cast<long long>(device.transport->bytes_pushed()));
  }
  const ResultDocument& doc = outcome->doc;
  if (host_made_failure(doc)) {
    std::fprintf(stderr, "opscope: %s\n", doc.error.message.c_str());
  }
  // Interrupted: the user wants out; nothing is written or stored.
  if (outcome->interrupted) return kExitInterrupted;
  if (!c.opts.json_path.empty()) {
    std::ofstream f(c.opts.json_path);
    f << dump_json(outcome->document, 1) << "\n";
    if (!f) {
      std::fprintf(stderr, "opscope: cannot write %s\n", c.opts.json_path.c_str());
      return kExitIo;
    }
  }
  if (c.json_stdout) {
    std::cout << dump_json(outcome->document, 1) << "\n";
  } else if (doc.status == "ok") {
    print_run_report(doc, c.report, stdout);
  }
  // Without the report (JSON on stdout, a failed case) the device warnings
  // still reach the user, on stderr.
  if (c.json_stdout || doc.status != "ok") print_run_warnings(doc, stderr, "opscope: warning: ");
  std::fflush(stdout);
  if (db) {
    auto id = db->ingest_json(outcome->document, *tags, "", c.store.variant);
    if (!id.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", id.status().message().c_str());
      if (outcome->exit_code == kExitOk) return kExitStore;
    } else {
      std::fprintf(stderr, "opscope: stored as run %lld in %s\n",
                   static_cast<long long>(*id), store::display_name(c.store.db).c_str());
    }
  }
  return outcome->exit_code;
}

}  // namespace

CliCommand add_run_command(CLI::App& app) {
  auto c = std::make_shared<RunCommand>();
  CLI::App* sub = app.add_subcommand(
      "run", "Benchmark a model in a fresh runner process, print stages, latency and the "
             "per-operator tables, and store the run");
  add_run_options(*sub, c->opts);
  sub->add_option("--top", c->report.top_n, "Rows of the top-operators table")
      ->capture_default_str();
  sub->add_flag("--no-run-order", c->no_run_order, "Skip the full run-order table");
  sub->add_flag("--json-stdout", c->json_stdout,
                "Print the result document on stdout instead of the tables");
  sub->add_option("--timeout", c->timeout_secs,
                  "Kill the runner after this many seconds (exit 14; stored as failed with "
                  "'timeout'). Default: 600, or --warmup-secs + --max-secs + 300 when that "
                  "is longer; 0: no limit");
  add_store_flags(*sub, c->store);
  add_device_flags(*sub, c->devices, /*repeatable=*/false);
  return {sub, [c] { return run(*c); }};
}

}  // namespace opscope::cli

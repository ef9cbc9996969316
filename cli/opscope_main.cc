// opscope: the host-side CLI. A thin dispatcher: each subcommand lives in its
// own cli/cmd_*.cc and is registered here with one line.
//   opscope run MODEL [flags]      benchmark a model in a fresh runner process and store it
//   opscope inspect MODEL [--json] describe a model without running it
//   opscope device-peaks [--json]  this machine's roofs: FMA, int8 dot, bandwidth
//   opscope quantize MODEL --calibration DIR --out OUT  float -> int8 TFLite
//   opscope quant-diff FLOAT INT8 [--dataset DIR]  per-op int8 error beside per-op times
//   opscope runs [filters]         list stored runs
//   opscope show RUN|SELECTOR      print a stored run as `opscope run` did
//   opscope sweep [flags]          a matrix of cases, each in its own runner, all stored
//   opscope compare BASE CAND      latency ratio with CI, Mann-Whitney p, memory, per-op diff
//   opscope gate --baseline --candidate  CI verdict: exit 0 pass, 1 regression, 2 undecided
//   opscope report RUN… --format F -o FILE  md, html, csv, junit, chrome-trace, gbench-json
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_command.h"
#include "cli/cmd_compare.h"
#include "cli/cmd_device_peaks.h"
#include "cli/cmd_devices.h"
#include "cli/cmd_inspect.h"
#include "cli/cmd_quant_diff.h"
#include "cli/cmd_quantize.h"
#include "cli/cmd_report.h"
#include "cli/cmd_run.h"
#include "cli/cmd_store.h"
#include "cli/cmd_store_admin.h"
#include "cli/cmd_sweep.h"
#include "harness/exit_codes.h"

int main(int argc, char** argv) {
  using namespace opscope::cli;
  using opscope::harness::kExitOk;
  using opscope::harness::kExitUsage;
  CLI::App app{
      "opscope: benchmark and profile on-device ML models, per operator.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 I/O, 4 malformed model, 5 invalid graph,\n"
      "6 unsupported op, 7 shape mismatch, 8 type mismatch, 12 runner crashed,\n"
      "13 results store, 14 runner timed out, 15 interrupted, 16 device unreachable,\n"
      "17 device refused the key, 18 unknown device, 19 no runner bundle for the\n"
      "device's arch, 20 device I/O (e.g. its disk is full)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "opscope 0.1.0");

  const std::vector<CliCommand> commands = {
      add_run_command(app),
      add_inspect_command(app),
      add_devices_command(app),
      add_device_peaks_command(app),
      add_quantize_command(app),
      add_quant_diff_command(app),
      add_runs_command(app),
      add_show_command(app),
      add_sweep_command(app),
      add_compare_command(app),
      add_gate_command(app),
      add_report_command(app),
      add_store_admin_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  for (const CliCommand& c : commands) {
    if (*c.app) return c.run();
  }
  return kExitUsage;
}

// opscope: the host-side CLI.
//   opscope run MODEL [flags]      benchmark a model in a fresh runner process
//   opscope inspect MODEL [--json] describe a model without running it
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "adapters/devices/local_process.h"
#include "harness/exit_codes.h"
#include "harness/inspect.h"
#include "harness/run_options.h"
#include "harness/run_report.h"

namespace {

using namespace opscope;
using namespace opscope::harness;

int cmd_run(RunOptions opts, const RunReportOptions& report, bool json_stdout) {
  finish_run_options(opts);
  const std::string runner = devices::default_runner_path();
  char tmpl[] = "/tmp/opscope-result-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) {
    std::fprintf(stderr, "opscope: cannot create a temporary file\n");
    return kExitIo;
  }
  close(fd);
  const std::string tmp = tmpl;
  std::vector<std::string> args = runner_arguments(opts);
  args.push_back("--json");
  args.push_back(tmp);
  if (isatty(STDERR_FILENO)) args.push_back("--progress");

  auto outcome = devices::run_local_process(runner, args);
  if (!outcome.is_ok()) {
    std::fprintf(stderr, "opscope: %s\n", outcome.status().message().c_str());
    std::remove(tmp.c_str());
    return kExitFailure;
  }
  if (outcome->signaled) {
    std::fprintf(stderr, "opscope: the runner crashed (signal %d) on %s\n",
                 outcome->signal, opts.model.c_str());
    std::remove(tmp.c_str());
    return kExitRunnerCrashed;
  }
  ResultDocument doc;
  try {
    std::ifstream f(tmp);
    doc = result_from_json(nlohmann::json::parse(f));
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "opscope: the runner exited with %d and wrote no readable "
                 "result (%s)\n",
                 outcome->exit_code, e.what());
    std::remove(tmp.c_str());
    return outcome->exit_code != 0 ? outcome->exit_code : kExitInternal;
  }
  if (!opts.json_path.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(tmp, opts.json_path,
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      std::fprintf(stderr, "opscope: cannot write %s: %s\n", opts.json_path.c_str(),
                   ec.message().c_str());
      std::remove(tmp.c_str());
      return kExitIo;
    }
  }
  std::remove(tmp.c_str());
  if (json_stdout) {
    std::cout << to_json(doc).dump(1) << "\n";
  } else if (doc.status == "ok") {
    print_run_report(doc, report, stdout);
  }
  if (doc.status != "ok") {
    // The runner already printed the error on stderr.
    return exit_code_for(doc.error.code);
  }
  return kExitOk;
}

int cmd_inspect(const std::string& model, const std::string& backends, int min_partition_size,
                bool json) {
  RunOptions o;
  o.backends = backends;
  finish_run_options(o);
  auto info = inspect_model(model, o.config.backends, min_partition_size);
  if (!info.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", info.status().message().c_str());
    return exit_code_for(info.status().code());
  }
  if (json) {
    std::cout << info->dump(1) << "\n";
  } else {
    print_inspection(*info, stdout);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "opscope: benchmark and profile on-device ML models, per operator.\n"
      "Exit codes: 0 ok, 2 usage, 3 I/O, 4 malformed model, 5 invalid graph,\n"
      "6 unsupported op, 7 shape mismatch, 8 type mismatch, 12 runner crashed."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "opscope 0.1.0");

  RunOptions run_opts;
  RunReportOptions report;
  bool run_json_stdout = false;
  bool no_run_order = false;
  CLI::App* run = app.add_subcommand(
      "run", "Benchmark a model in a fresh runner process and print stages, "
             "latency and the per-operator tables");
  add_run_options(*run, run_opts);
  run->add_option("--top", report.top_n, "Rows of the top-operators table")
      ->capture_default_str();
  run->add_flag("--no-run-order", no_run_order, "Skip the full run-order table");
  run->add_flag("--json-stdout", run_json_stdout,
                "Print the result document on stdout instead of the tables");

  std::string inspect_model_path, inspect_backends = "cpu";
  bool inspect_json = false;
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Describe a model: inputs, outputs, op histogram, params, "
                 "weight precision, MACs per node, placement, unsupported ops");
  inspect->add_option("model", inspect_model_path, "Model file (.tflite)")->required();
  inspect->add_option("--backend", inspect_backends,
                      "Backend priority list: show the planned placement without running")
      ->capture_default_str();
  int inspect_min_partition = 1;
  inspect->add_option("--min-partition-size", inspect_min_partition,
                      "As for run: shorter delegated partitions fall back")
      ->capture_default_str();
  inspect->add_flag("--json", inspect_json, "Print JSON instead of tables");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  report.run_order = !no_run_order;
  if (*run) return cmd_run(run_opts, report, run_json_stdout);
  return cmd_inspect(inspect_model_path, inspect_backends, inspect_min_partition, inspect_json);
}

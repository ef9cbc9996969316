#include "cli/cmd_inspect.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/inspect_text.h"
#include "harness/exit_codes.h"
#include "harness/inspect.h"
#include "harness/run_options.h"
#include "result/utf8.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct InspectCommand {
  std::string model, backends = "cpu";
  int min_partition_size = 1;
  bool json = false;
};

int run(const InspectCommand& c) {
  RunOptions o;
  o.backends = c.backends;
  finish_run_options(o);
  auto info = inspect_model(c.model, o.config.backends, c.min_partition_size);
  if (!info.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", info.status().message().c_str());
    return exit_code_for(info.status().code());
  }
  if (c.json) {
    std::cout << dump_json(*info, 1) << "\n";
  } else {
    print_inspection(*info, stdout);
  }
  return kExitOk;
}

}  // namespace

CliCommand add_inspect_command(CLI::App& app) {
  auto c = std::make_shared<InspectCommand>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "Describe a model: inputs, outputs, op histogram, params, "
                 "weight precision, MACs per node, placement, unsupported ops");
  sub->add_option("model", c->model, "Model file (.tflite)")->required();
  sub->add_option("--backend", c->backends,
                  "Backend priority list: show the planned placement without running")
      ->capture_default_str();
  sub->add_option("--min-partition-size", c->min_partition_size,
                  "As for run: shorter delegated partitions fall back")
      ->capture_default_str();
  sub->add_flag("--json", c->json, "Print JSON instead of tables");
  return {sub, [c] { return run(*c); }};
}

}  // namespace opscope::cli

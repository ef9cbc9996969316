#include "cli/cmd_inspect.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "cli/device_flags.h"
#include "cli/inspect_file_text.h"
#include "cli/inspect_text.h"
#include "harness/exit_codes.h"
#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "harness/inspect.h"
#include "harness/inspect_pytorch.h"
#include "harness/run_options.h"
#include "result/utf8.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct InspectCommand {
  // The placement `run` would use without --backend.
  std::string model, backends = harness::default_backend_list();
  int min_partition_size = 1;
  std::vector<std::string> shapes;  // PyTorch files: forward()'s inputs
  bool json = false;
  DeviceFlags devices;
};

// "pi (ssh://pi@host): aarch64, Linux 6.1, Cortex-A76, 4 cores (all 2400 MHz)"
std::string device_line(const DeviceSession& d, const DeviceInfo& i) {
  std::string s = d.spec.name + " (" + d.transport->describe() + "): " + i.arch + ", " + i.os;
  if (!i.cpu_model.empty()) s += ", " + i.cpu_model;
  s += ", " + std::to_string(i.cores) + " cores";
  std::string clusters;
  for (const CpuCluster& c : i.clusters) {
    if (!clusters.empty()) clusters += ", ";
    clusters += c.name + " x" + std::to_string(c.cpus.size());
    if (c.max_khz > 0) clusters += " " + std::to_string(c.max_khz / 1000) + " MHz";
  }
  if (!clusters.empty()) s += " (" + clusters + ")";
  if (i.emulated) s += ", emulated";
  return s;
}

int run(const InspectCommand& c) {
  // On a device: the placement is the same static plan its runner makes
  // (its bundle is this build, with the same backends and kernels); what
  // the device adds is what it is, and whether it has a bundle at all.
  std::optional<DeviceInfo> device;
  std::string device_text;
  if (!c.devices.names.empty() && c.devices.names.front() != "local") {
    int exit_code = kExitOk;
    auto sessions = open_devices_or_report(c.devices, exit_code);
    if (sessions.empty()) return exit_code;
    DeviceSession& d = *sessions.front();
    auto probe = probe_session(d);
    if (!probe.is_ok()) {
      std::fprintf(stderr, "opscope: %s\n", probe.status().message().c_str());
      return exit_code_for(probe.status().code());
    }
    if (auto bundle = bundle_for_device(d); !bundle.is_ok()) {
      std::fprintf(stderr, "opscope: %s\n", bundle.status().message().c_str());
      return exit_code_for(bundle.status().code());
    }
    device = probe->info;
    device->id = d.spec.name;
    device_text = device_line(d, probe->info);
  }
  RunOptions o;
  o.backends = c.backends;
  finish_run_options(o);
  const bool pytorch_file = pytorch::is_pytorch_path(c.model);
  auto info = pytorch_file ? inspect_pytorch(c.model, c.shapes, o.config.seed)
                           : inspect_model(c.model, o.config.backends, c.min_partition_size);
  if (!info.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", info.status().message().c_str());
    return exit_code_for(info.status().code());
  }
  // Names are bytes from the file: escaped to UTF-8 for tables and JSON alike.
  escape_invalid_utf8(*info);
  if (c.json) {
    nlohmann::json j = *info;
    if (device) {
      ResultDocument doc;  // DeviceInfo in its result-document form
      doc.device = *device;
      j["device"] = to_json(doc)["device"];
    }
    std::cout << dump_json(j, 1) << "\n";
  } else {
    if (device) std::printf("device  %s\n", device_text.c_str());
    if (pytorch_file) {
      print_pytorch_inspection(*info, stdout);
    } else if (info->value("described_from", "") == "file") {
      print_file_inspection(*info, stdout);
    } else {
      print_inspection(*info, stdout);
    }
  }
  // A model the engine cannot import is described first (above), then
  // fails as `run` would: scripts see from the exit code that it cannot run.
  if (info->contains("import_error")) {
    const nlohmann::json& e = (*info)["import_error"];
    std::fflush(stdout);
    std::fprintf(stderr, "opscope: error: %s\n", e["message"].get<std::string>().c_str());
    return exit_code_for(e["code"].get<std::string>());
  }
  return kExitOk;
}

}  // namespace

CliCommand add_inspect_command(CLI::App& app) {
  auto c = std::make_shared<InspectCommand>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "Describe a model: inputs, outputs, op histogram, params, "
                 "weight precision, MACs per node, placement, unsupported ops");
  sub->footer(
      "A model the engine cannot import (an op the importer lacks, such as ONNX If, Loop or "
      "LSTM; an element type such as DOUBLE) is still described, from the file itself: "
      "inputs and outputs as the file types them, the op histogram of every graph and "
      "subgraph, opsets or schema version, producer, initializer sizes, and every node "
      "that cannot run with its reason (--json: \"runnable\": false, \"import_error\", "
      "\"unsupported\"). The description goes to stdout, the import error to stderr, "
      "and the exit code is the import error's (6 unsupported op, 8 type mismatch, ...), "
      "so scripts see it cannot run. A file that does not parse fails as before (4).\n"
      "Example: opscope inspect /usr/share/libonnx-testdata/data/node/test_if/model.onnx; "
      "echo $?   # prints the description, then 6\n");
  sub->add_option("model", c->model, "Model file (.tflite, .onnx, .ptl, .pt)")->required();
  sub->add_option("--shape", c->shapes,
                  "PyTorch files: one shape per forward() argument, e.g. 1x3x224x224 "
                  "(repeatable): also list the operator calls of one forward()");
  sub->add_option("--backend", c->backends,
                  "Backend priority list: show the planned placement without running "
                  "(default: run's default, the fastest list this build has)")
      ->capture_default_str();
  sub->add_option("--min-partition-size", c->min_partition_size,
                  "As for run: shorter delegated partitions fall back")
      ->capture_default_str();
  sub->add_flag("--json", c->json, "Print JSON instead of tables");
  sub->add_option("--device", c->devices.names,
                  "Inspect for this configured device: probes it and checks it has a runner "
                  "bundle (the placement is the plan its runner makes)")
      ->expected(1);
  sub->add_option("--devices-file", c->devices.devices_file, "The devices file");
  return {sub, [c] { return run(*c); }};
}

}  // namespace opscope::cli

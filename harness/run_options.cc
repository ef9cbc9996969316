#include "harness/run_options.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "adapters/formats/mapped_file.h"
#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "engine/backend.h"
#include "harness/cpu_affinity.h"

namespace opscope::harness {

std::string default_backend_list() {
  const std::vector<std::string> built = available_backends();
  // native first: it takes only int8 nodes (faster there than XNNPACK's
  // 2022 int8 kernels, docs/engine.md) and declines the rest, so float
  // nodes still go to XNNPACK.
  if (std::find(built.begin(), built.end(), "xnnpack") != built.end()) {
    return "native,xnnpack,cpu";
  }
  return "native,cpu";
}

std::vector<std::string> split_backend_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void finish_run_options(RunOptions& o) {
  o.config.backends = split_backend_list(o.backends);
  o.config.op_profile = !o.no_op_profile;
}

Status check_model_file(const std::string& path) {
  return formats::check_regular_file(path);
}

Status check_run_options(const RunOptions& o, bool cpus_are_local) {
  OPSCOPE_RETURN_IF_ERROR(check_model_file(o.model));
  // PyTorch files run on PyTorch's runtime whatever the list says (the
  // result records backend "pytorch"); our engine's models never do.
  const bool pytorch_file = pytorch::is_pytorch_path(o.model);
  for (const std::string& b : o.config.backends) {
    if (b == "pytorch" && !pytorch_file) {
      return Status(ErrorCode::kInvalidArgument,
                    "--backend '" + o.backends + "': 'pytorch' runs .ptl and .pt files only");
    }
  }
  const std::vector<std::string> built = available_backends();
  if (o.config.backends.empty()) {
    return Status(ErrorCode::kInvalidArgument, "--backend '" + o.backends + "': no backend named");
  }
  std::vector<std::string> seen;
  for (const std::string& b : o.config.backends) {
    if (pytorch_file) break;
    const std::string name = b == "reference" ? "cpu" : b;
    if (std::find(built.begin(), built.end(), name) == built.end()) {
      std::string known;
      for (const std::string& k : built) known += (known.empty() ? "" : ", ") + k;
      return Status(ErrorCode::kInvalidArgument,
                    "--backend '" + o.backends + "': unknown backend '" + b +
                        "' (this build has: " + known + ")");
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return Status(ErrorCode::kInvalidArgument,
                    "--backend '" + o.backends + "': '" + b + "' is named twice");
    }
    seen.push_back(name);
  }
  if (o.config.min_secs > o.config.max_secs) {
    char msg[160];
    std::snprintf(msg, sizeof(msg), "--min-secs %g is more than --max-secs %g",
                  o.config.min_secs, o.config.max_secs);
    return Status(ErrorCode::kInvalidArgument, msg);
  }
  if (cpus_are_local && !o.config.cpus.empty()) {
    OPSCOPE_RETURN_IF_ERROR(check_cpu_list(o.config.cpus));
  }
  return Status::ok();
}

std::vector<std::string> runner_arguments(const RunOptions& o) {
  std::vector<std::string> a = {
      o.model,
      "--backend", o.backends,
      "--threads", std::to_string(o.config.threads),
      "--runs", std::to_string(o.config.runs),
      "--warmup", std::to_string(o.config.warmup_runs),
      "--warmup-secs", std::to_string(o.config.warmup_secs),
      "--min-secs", std::to_string(o.config.min_secs),
      "--max-secs", std::to_string(o.config.max_secs),
      "--seed", std::to_string(o.config.seed)};
  for (const std::string& in : o.config.inputs) {
    a.push_back("--input");
    a.push_back(in);
  }
  if (!o.save_outputs_dir.empty()) {
    a.push_back("--save-outputs");
    a.push_back(o.save_outputs_dir);
  }
  for (const std::string& s : o.config.shapes) {
    a.push_back("--shape");
    a.push_back(s);
  }
  for (const std::string& s : o.config.freeze) {
    a.push_back("--freeze");
    a.push_back(s);
  }
  for (const std::string& s : o.config.carry_state) {
    a.push_back("--carry-state");
    a.push_back(s);
  }
  if (!o.config.cpus.empty()) {
    a.push_back("--cpus");
    a.push_back(o.config.cpus);
  }
  if (o.config.inject_delay_us > 0) {
    a.push_back("--inject-delay-us");
    a.push_back(std::to_string(o.config.inject_delay_us));
  }
  a.push_back("--trace-invokes");
  a.push_back(std::to_string(o.config.trace_invokes));
  a.push_back("--min-partition-size");
  a.push_back(std::to_string(o.config.min_partition_size));
  if (!o.config.torch_engine.empty()) {
    a.push_back("--torch-engine");
    a.push_back(o.config.torch_engine);
  }
  if (!o.config.torch_memory_format.empty()) {
    a.push_back("--torch-memory-format");
    a.push_back(o.config.torch_memory_format);
  }
  if (o.no_op_profile) a.push_back("--no-op-profile");
  return a;
}

}  // namespace opscope::harness

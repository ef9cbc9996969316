#include "harness/run_options.h"

#include <sstream>

namespace opscope::harness {

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
  if (o.no_op_profile) a.push_back("--no-op-profile");
  return a;
}

}  // namespace opscope::harness

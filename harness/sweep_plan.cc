#include "harness/sweep_plan.h"

#include "adapters/runtimes/pytorch/pytorch_module.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

namespace opscope::harness {

std::vector<SweepCase> expand_sweep(const SweepPlan& plan) {
  std::vector<SweepCase> matrix;
  for (const SweepModel& m : plan.models) {
    // A PyTorch file runs on PyTorch's runtime: once per thread count,
    // not once per backend list.
    const bool pytorch_file = pytorch::is_pytorch_path(m.path);
    for (const std::string& backends : plan.backends) {
      if (pytorch_file && &backends != &plan.backends.front()) break;
      for (int threads : plan.threads) {
        SweepCase c;
        c.opts = plan.run;
        c.opts.model = m.path;
        c.opts.backends = pytorch_file ? "pytorch" : backends;
        // --shape is for ONNX free dims and PyTorch inputs; TFLite inputs
        // are static (its loader refuses shapes), so a mixed sweep gives
        // them none.
        if (m.path.ends_with(".tflite")) c.opts.config.shapes.clear();
        c.opts.config.threads = threads;
        finish_run_options(c.opts);
        c.variant = m.variant;
        matrix.push_back(std::move(c));
      }
    }
  }
  std::mt19937_64 rng(plan.shuffle_seed);
  std::vector<SweepCase> cases;
  for (int round = 0; round < plan.repeat; ++round) {
    std::vector<SweepCase> this_round = matrix;
    // Fisher-Yates with our own draw: std::shuffle's sequence differs
    // between standard libraries, and a seed should give one order.
    for (size_t i = this_round.size(); plan.shuffle && i > 1; --i) {
      std::swap(this_round[i - 1], this_round[rng() % i]);
    }
    for (SweepCase& c : this_round) {
      c.round = round;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

Result<std::vector<int>> parse_thread_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    int n = 0;
    try {
      n = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || n < 1 || n > 256) {
      return Status(ErrorCode::kInvalidArgument,
                    "--threads: '" + item + "' is not a thread count (1..256) in '" + text + "'");
    }
    out.push_back(n);
  }
  if (out.empty()) return Status(ErrorCode::kInvalidArgument, "--threads: empty list");
  return out;
}

Result<SweepModel> parse_variant(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  "--variant '" + text + "' is not LABEL=FILE (e.g. --variant int8=m_int8.tflite)");
  }
  return SweepModel{text.substr(0, eq), text.substr(eq + 1)};
}

namespace {

using nlohmann::json;

// Reads plan[key] into `out` when present; throws json errors on bad types.
template <typename T>
void take(const json& j, const char* key, T& out) {
  if (j.contains(key)) out = j.at(key).get<T>();
}

void read_plan(const json& j, SweepPlan& plan) {
  if (!j.is_object()) throw std::runtime_error("the plan is not a JSON object");
  static const char* kKnown[] = {"models", "variants", "backends", "threads", "repeat", "seed",
                                 "shuffle", "cool_down_secs", "timeout_secs", "run", "tags"};
  for (const auto& item : j.items()) {
    const std::string& key = item.key();  // (clang 14 cannot capture a structured binding)
    if (std::find_if(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return key == k; }) == std::end(kKnown)) {
      throw std::runtime_error("unknown field '" + key + "'");
    }
  }
  if (j.contains("models")) {
    for (const std::string& m : j.at("models").get<std::vector<std::string>>()) {
      plan.models.push_back({"", m});
    }
  }
  if (j.contains("variants")) {
    for (const auto& [label, file] : j.at("variants").items()) {
      plan.models.push_back({label, file.get<std::string>()});
    }
  }
  take(j, "backends", plan.backends);
  take(j, "threads", plan.threads);
  take(j, "repeat", plan.repeat);
  take(j, "seed", plan.shuffle_seed);
  take(j, "shuffle", plan.shuffle);
  take(j, "cool_down_secs", plan.cool_down_secs);
  take(j, "timeout_secs", plan.timeout_secs);
  take(j, "tags", plan.tags);
  if (j.contains("run")) {
    const json& r = j.at("run");
    CaseConfig& c = plan.run.config;
    take(r, "runs", c.runs);
    take(r, "warmup", c.warmup_runs);
    take(r, "warmup_secs", c.warmup_secs);
    take(r, "min_secs", c.min_secs);
    take(r, "max_secs", c.max_secs);
    take(r, "seed", c.seed);
    take(r, "cpus", c.cpus);
    take(r, "inputs", c.inputs);
    take(r, "min_partition_size", c.min_partition_size);
    take(r, "torch_engine", c.torch_engine);
    take(r, "torch_memory_format", c.torch_memory_format);
    take(r, "no_op_profile", plan.run.no_op_profile);
  }
}

}  // namespace

Status load_sweep_plan(const std::string& path, SweepPlan& plan) {
  std::ifstream f(path);
  if (!f) return Status(ErrorCode::kIoError, "cannot read sweep plan " + path);
  try {
    read_plan(json::parse(f), plan);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidArgument, "sweep plan " + path + ": " + e.what());
  }
  return Status::ok();
}

Status check_sweep_plan(const SweepPlan& plan, bool cpus_are_local) {
  if (plan.models.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "sweep: no models (give --model FILE, --variant LABEL=FILE or --plan FILE)");
  }
  if (plan.backends.empty()) return Status(ErrorCode::kInvalidArgument, "sweep: no backends");
  if (plan.threads.empty()) return Status(ErrorCode::kInvalidArgument, "sweep: no thread counts");
  for (int t : plan.threads) {
    if (t < 1 || t > 256) {
      return Status(ErrorCode::kInvalidArgument,
                    "sweep: thread count " + std::to_string(t) + " is outside 1..256");
    }
  }
  if (plan.repeat < 1) return Status(ErrorCode::kInvalidArgument, "sweep: repeat must be >= 1");
  if (plan.cool_down_secs < 0 || (plan.timeout_secs < 0 && plan.timeout_secs != -1)) {
    return Status(ErrorCode::kInvalidArgument, "sweep: negative cool-down or timeout");
  }
  // The case flags, as `run` checks them (each backend list once; the
  // models are the runner's to refuse, as failed cases).
  for (const std::string& backends : plan.backends) {
    RunOptions o = plan.run;
    o.model.clear();
    o.backends = backends;
    finish_run_options(o);
    OPSCOPE_RETURN_IF_ERROR(check_run_options(o, cpus_are_local));
  }
  return Status::ok();
}

}  // namespace opscope::harness

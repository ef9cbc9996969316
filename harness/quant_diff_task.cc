#include "harness/quant_diff_task.h"

#include <optional>

namespace opscope::harness {
namespace {

const Shape& output_shape(const Graph& g, int i) { return g.tensors[g.outputs[i]].shape; }

bool is_float_output(const Graph& g, int i) {
  return g.tensors[g.outputs[i]].dtype == DType::kF32;
}

std::string describe_outputs(const Graph& g) {
  std::string s;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const Tensor& t = g.tensors[g.outputs[i]];
    s += (s.empty() ? "" : ", ") + t.name + " " + shape_to_string(t.shape);
  }
  return s;
}

std::optional<int> find_segment(const Graph& g) {
  for (int i = 0; i < static_cast<int>(g.outputs.size()); ++i) {
    const Shape& s = output_shape(g, i);
    if (is_float_output(g, i) && s.size() == 4 && s[0] == 1 && s[1] >= 8 && s[2] >= 8 &&
        s[3] == 1) {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<int> find_detect(const Graph& g) {
  for (int i = 0; i < static_cast<int>(g.outputs.size()); ++i) {
    const Shape& s = output_shape(g, i);
    if (!is_float_output(g, i) || s.size() != 3 || s[0] != 1 || s[1] < 16 || s[2] != 1) continue;
    for (int j = 0; j < static_cast<int>(g.outputs.size()); ++j) {
      const Shape& b = output_shape(g, j);
      if (j != i && b.size() == 3 && b[1] == s[1] && b[2] >= 4) return i;
    }
  }
  return std::nullopt;
}

std::optional<int> find_landmarks(const Graph& g) {
  bool presence = false;
  for (int i = 0; i < static_cast<int>(g.outputs.size()); ++i) {
    presence = presence || num_elements(output_shape(g, i)) == 1;
  }
  if (!presence) return std::nullopt;
  for (int i = 0; i < static_cast<int>(g.outputs.size()); ++i) {
    const Shape& s = output_shape(g, i);
    if (!is_float_output(g, i) || s.empty() || s[0] != 1) continue;
    const bool flat = s.size() == 2 && s[1] % 3 == 0 && s[1] >= 15;
    const bool points = s.size() == 3 && s[2] == 3 && s[1] >= 5;
    if (flat || points) return i;
  }
  return std::nullopt;
}

std::optional<int> find_classify(const Graph& g) {
  for (int i = 0; i < static_cast<int>(g.outputs.size()); ++i) {
    const Shape& s = output_shape(g, i);
    if (is_float_output(g, i) && s.size() == 2 && s[0] == 1 && s[1] >= 2) return i;
  }
  return std::nullopt;
}

// Whether a LOGISTIC produces tensor `id`, looking through the ops that only
// move bytes (MediaPipe reshapes and concatenates its per-level scores).
bool made_by_logistic(const Graph& g, int id, int depth = 0) {
  if (depth > 16) return false;
  for (const Node& n : g.nodes) {
    if (n.outputs.empty() || n.outputs[0] != id) continue;
    if (n.op == OpKind::kLogistic) return true;
    if (n.op == OpKind::kReshape || n.op == OpKind::kSqueeze || n.op == OpKind::kExpandDims ||
        n.op == OpKind::kConcatenation || n.op == OpKind::kTranspose) {
      for (int in : n.inputs) {
        if (in >= 0 && !g.tensors[in].is_constant() && made_by_logistic(g, in, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }
  return false;
}

TaskPlan make_plan(const Graph& g, QuantTask task, int output) {
  TaskPlan p;
  p.task = task;
  p.output = output;
  const Tensor& t = g.tensors[g.outputs[output]];
  p.why = task_name(task) + " on output " + std::to_string(output) + " '" + t.name + "' " +
          shape_to_string(t.shape);
  if (task == QuantTask::kDetect) {
    p.logits = !made_by_logistic(g, g.outputs[output]);
    p.why += p.logits ? " (logits: sigmoid applied)" : " (probabilities)";
  }
  return p;
}

}  // namespace

std::string task_name(QuantTask task) {
  switch (task) {
    case QuantTask::kNone: return "none";
    case QuantTask::kClassify: return "classify";
    case QuantTask::kSegment: return "segment";
    case QuantTask::kDetect: return "detect";
    case QuantTask::kLandmarks: return "landmarks";
  }
  return "none";
}

std::string metric_name(QuantTask task) {
  switch (task) {
    case QuantTask::kNone: return "";
    case QuantTask::kClassify: return "top1_agreement";
    case QuantTask::kSegment: return "mask_iou";
    case QuantTask::kDetect: return "score_agreement";
    case QuantTask::kLandmarks: return "landmark_rmse";
  }
  return "";
}

Result<TaskPlan> plan_task(const Graph& g, const std::string& task) {
  using Finder = std::optional<int> (*)(const Graph&);
  struct Rule {
    QuantTask task;
    Finder find;
  };
  const Rule rules[] = {{QuantTask::kSegment, find_segment},
                        {QuantTask::kDetect, find_detect},
                        {QuantTask::kLandmarks, find_landmarks},
                        {QuantTask::kClassify, find_classify}};
  if (task == "none") {
    TaskPlan p;
    p.why = "none (--task none)";
    return p;
  }
  if (task == "auto" || task.empty()) {
    for (const Rule& r : rules) {
      if (auto i = r.find(g)) return make_plan(g, r.task, *i);
    }
    TaskPlan p;
    p.why = "none: no output looks like a mask, detection scores, landmarks or class scores (" +
            describe_outputs(g) + ")";
    return p;
  }
  for (const Rule& r : rules) {
    if (task_name(r.task) != task) continue;
    if (auto i = r.find(g)) return make_plan(g, r.task, *i);
    return Status(ErrorCode::kInvalidArgument,
                  "--task " + task + ": no output of the float model fits (outputs: " +
                      describe_outputs(g) + "; see docs/quantization.md)");
  }
  return Status(ErrorCode::kInvalidArgument,
                "--task '" + task + "': expected auto, classify, segment, detect, landmarks or none");
}

}  // namespace opscope::harness

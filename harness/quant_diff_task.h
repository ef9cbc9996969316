// Which label-free task metric `opscope quant-diff` computes, chosen from
// the float model's outputs (or forced with --task):
//
//   segment    an output [1, H, W, 1] with H, W >= 8: IoU of the masks
//              thresholded at 0.5 ("mask_iou"; selfie_segmentation)
//   detect     an output [1, N, 1] of per-anchor scores (N >= 16) beside an
//              output [1, N, K >= 4] of boxes: detection score agreement
//              ("score_agreement"; face_detection). Scores are logits (a
//              sigmoid is applied) unless a LOGISTIC produces them.
//   landmarks  an output [1, 3k] or [1, k, 3] (k >= 5 points of x, y, z in
//              input pixels) beside a one-value output (presence score):
//              RMSE of the (x, y) points in pixels ("landmark_rmse";
//              hand_landmark)
//   classify   an output [1, N] with N >= 2: top-1 agreement
//              ("top1_agreement")
//   none       no task metric (an empty task_metric)
// The rules are tried in this order; the first that fits wins.
#pragma once

#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::harness {

enum class QuantTask { kNone, kClassify, kSegment, kDetect, kLandmarks };

struct TaskPlan {
  QuantTask task = QuantTask::kNone;
  int output = -1;         // graph output index the metric reads
  bool logits = false;     // detect: scores need a sigmoid
  int landmark_dims = 3;   // landmarks: coordinates per point
  std::string why;         // one line: which output and why this task
};

// "auto" (from the outputs) or one of classify, segment, detect, landmarks,
// none. A forced task the outputs cannot serve is kInvalidArgument naming
// the model's outputs.
Result<TaskPlan> plan_task(const Graph& graph, const std::string& task);

// The task's metric name in results: "mask_iou", "score_agreement",
// "landmark_rmse", "top1_agreement", or "" for none.
std::string metric_name(QuantTask task);
std::string task_name(QuantTask task);

}  // namespace opscope::harness

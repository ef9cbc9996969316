// The numerical half of `opscope quant-diff`: runs the float and the int8
// model on the same inputs, sample by sample, in this process, with every
// activation kept (SessionOptions::keep_all_tensors), and accumulates the
// error of every matched op, of every graph output and the task metric.
#pragma once

#include <string>
#include <vector>

#include "datasets/calibration_set.h"
#include "engine/session.h"
#include "harness/quant_diff_match.h"
#include "harness/quant_diff_metrics.h"
#include "harness/quant_diff_task.h"

namespace opscope::harness {

struct TaskMetrics {
  MaskIou mask;
  ScoreAgreement scores;
  LandmarkRmse landmarks;
  Top1Agreement top1;
  // The value stored as task_metric_value for `task`.
  double value(QuantTask task) const;
};

struct NumericResult {
  std::vector<ErrorStats> ops;      // one per OpMatching::pairs entry
  std::vector<ErrorStats> outputs;  // one per graph output
  TaskMetrics task;
  int samples = 0;
};

// `float_session` and `int8_session` must have been created with
// keep_all_tensors. `inputs` are samples for the float model (f32); an int8
// model input that is quantized int8 gets them quantized with its scale and
// zero point. Fails only on programmer error (a sample of the wrong size).
Result<NumericResult> compare_numerics(Session& float_session, Session& int8_session,
                                       const OpMatching& matching, const TaskPlan& task,
                                       const datasets::InputSet& inputs);

// Real values of tensor `t` from `data` into `out` (resized): f32 copied,
// int8/uint8 dequantized per tensor or per channel.
void dequantize_into(const Tensor& t, const void* data, std::vector<float>& out);

}  // namespace opscope::harness

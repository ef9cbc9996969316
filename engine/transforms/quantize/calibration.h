// Calibration: runs the float model on calibration inputs and records, for
// every float activation tensor, the range of its values (and, for the
// percentile and MSE methods, a histogram over that range).
//
// How the values are observed: a copy of the graph in which every float
// activation is also a graph output, so each one keeps its own buffer
// through an invoke (the arena would reuse it) and is read after it. The
// observer is a plain loop over those buffers: no hook on the hot path of
// ordinary sessions. Two passes when histograms are wanted: min/max first,
// then the histogram over [min, max].
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"
#include "engine/status.h"
#include "engine/transforms/quantize/quantize_options.h"

namespace opscope {

// What the observers saw of one tensor.
struct TensorStats {
  bool seen = false;
  double min = 0, max = 0;
  int64_t count = 0;
  int64_t non_finite = 0;       // NaN/inf values, left out of the above
  std::vector<int64_t> histogram;  // kHistogramBins over [min, max]; may be empty
};

constexpr int kHistogramBins = 2048;

// Fills the session's inputs for calibration sample `sample`.
using FillCalibrationInputs = std::function<Status(int sample, Session& session)>;

// Stats indexed by tensor id of `model->graph` (entries of tensors that are
// not float activations stay unseen). `num_samples` must be >= 1.
Result<std::vector<TensorStats>> calibrate(std::shared_ptr<const Model> model,
                                           int num_samples,
                                           const FillCalibrationInputs& fill,
                                           const QuantizeOptions& options);

}  // namespace opscope

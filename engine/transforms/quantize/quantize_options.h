// Options of post-training quantization (see quantize_model.h).
#pragma once

#include <string>
#include <vector>

namespace opscope {

// How an activation's calibrated values become its int8 range.
enum class RangeMethod {
  kMinMax,      // the observed min and max over every calibration sample
  kPercentile,  // the 0.01th and 99.99th percentiles (outliers clipped)
  kMse,         // the clip range minimizing expected squared error
};

struct QuantizeOptions {
  RangeMethod method = RangeMethod::kPercentile;  // minmax lets rare outliers widen the scale
  // Percentile kept at each end for kPercentile (99.99 keeps [0.01%, 99.99%]).
  double percentile = 99.99;
  // One weight scale per tensor instead of one per output channel.
  bool per_tensor = false;
  // Int8 graph inputs/outputs where the nodes next to them are int8
  // (otherwise float at the borders, with QUANTIZE/DEQUANTIZE).
  bool int8_io = false;
  // Nodes kept in float: a node name, a source index, or an op type
  // ("CONV_2D", "Convolution2DTransposeBias"). Each must match something.
  std::vector<std::string> skip;
  // Weights-only: int8 weights (per channel) behind DEQUANTIZE nodes,
  // float activations and compute; no calibration needed.
  bool weights_only = false;
  // Backends for the float calibration runs.
  std::vector<std::string> calibration_backends = {"cpu"};
  int threads = 1;
};

}  // namespace opscope

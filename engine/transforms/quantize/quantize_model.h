// Post-training quantization of a float model into TFLite's full-integer
// int8 form, or its weights-only variant.
//
// The int8 form (what TFLite's converter writes and its int8 kernels run):
// - activations: asymmetric int8 per tensor, from calibrated ranges
//   (range_choice.h); LOGISTIC and SOFTMAX outputs are fixed at scale 1/256,
//   zero point -128; MAX/AVERAGE_POOL_2D, RESIZE_BILINEAR and the byte-moving
//   ops (PAD, RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, STRIDED_SLICE,
//   DEPTH_TO_SPACE, GATHER) keep their input's parameters; CONCATENATION inputs are
//   requantized (QUANTIZE int8 -> int8) to the output's parameters;
// - CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weights: symmetric int8,
//   per output channel (axis 0; depthwise axis 3) unless per_tensor; bias:
//   int32 with scale input_scale * weight_scale, zero point 0;
// - constant operands of ADD/SUB/MUL/CONCATENATION: asymmetric int8;
// - QUANTIZE / DEQUANTIZE where int8 and float parts meet and at the graph's
//   borders (int8_io keeps int8 there).
// Nodes without an int8 kernel (and nodes named by `skip`) stay float. The
// requantization multipliers are not stored: int8 kernels derive them from
// the scales at prepare, as TFLite's do.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "engine/transforms/quantize/calibration.h"
#include "engine/transforms/quantize/quantize_options.h"

namespace opscope {

struct QuantizeReport {
  int fused_activations = 0;  // RELU/RELU6 folded into their producers
  int calibration_samples = 0;
  int int8_nodes = 0;         // original nodes now int8
  int float_nodes = 0;        // original nodes left float
  int inserted_quantize = 0;  // QUANTIZE nodes added (incl. requantize)
  int inserted_dequantize = 0;
  // One line per node left float and why, and per --skip entry.
  std::vector<std::string> notes;
};

// kInvalidArgument when the graph already holds quantized tensors or
// QUANTIZE nodes ("model is already quantized"), naming the tensor or node.
Status check_float_model(const Graph& graph);

// Resolves QuantizeOptions::skip against `graph` into one flag per node. An
// entry that matches no node name, source index or op type is an error.
Result<std::vector<bool>> resolve_skip(const Graph& graph,
                                       const std::vector<std::string>& skip);

// The full pipeline on a float model (f16 weights already folded): checks,
// fuses activations, calibrates on `num_samples` inputs from `fill`, and
// rewrites. The result shares the input model's constant storage. With
// options.weights_only no calibration runs (num_samples may be 0).
Result<std::shared_ptr<Model>> quantize_model(std::shared_ptr<const Model> model,
                                              int num_samples,
                                              const FillCalibrationInputs& fill,
                                              const QuantizeOptions& options,
                                              QuantizeReport* report = nullptr);

// The rewrite alone, on a graph whose activations are fused and whose
// tensors `stats` describes (indexed by tensor id).
Result<Graph> quantize_graph(const Graph& graph, const std::vector<TensorStats>& stats,
                             const QuantizeOptions& options, const std::vector<bool>& skipped,
                             QuantizeReport& report);

// Weights-only: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weights
// become int8 (per channel unless per_tensor) behind a DEQUANTIZE node.
Result<Graph> quantize_weights_only(const Graph& graph, const QuantizeOptions& options,
                                    const std::vector<bool>& skipped, QuantizeReport& report);

}  // namespace opscope

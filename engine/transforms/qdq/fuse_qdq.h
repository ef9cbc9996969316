// Load-time transform: QDQ fusion. A DEQUANTIZE -> op -> QUANTIZE group
// (the QDQ form in which PyTorch and ONNX Runtime's quantizer write int8
// models) becomes the engine's int8 op, as ONNX Runtime's QDQ transformer
// does: the op reads the int8 tensors the DEQUANTIZE nodes read and writes
// the int8 tensor the QUANTIZE wrote, with TFLite's int8 semantics (int8
// weights from their grid, int32 bias at input_scale * weight_scale, a
// RELU/RELU6 between the op and the QUANTIZE folded into the op's fused
// activation, i.e. into the output's range).
//
// Format-agnostic: it reads only the engine IR. Weights must be constant f32
// with their integer grid recorded (tensor.h, Quantization), as the ONNX
// importer leaves them when it folds a DequantizeLinear of constant weights.
//
// uint8 activations (PyTorch's qnnpack config) become int8 with zero point
// zp - 128 (x - zp is unchanged, so every result is the same integer).
// Graph inputs and outputs keep their dtype: a model with f32 I/O keeps the
// QUANTIZE at its inputs and the DEQUANTIZE at its outputs.
//
// Every fused node keeps its own source_index and lists the source indices
// of the DEQUANTIZE, activation and QUANTIZE nodes it absorbed in
// Node::fused_sources. A QUANTIZE or DEQUANTIZE that stays gets a
// Node::kept_reason; so does a candidate op that stays float.
#pragma once

#include "engine/graph.h"

namespace opscope {

struct QdqFusionStats {
  int fused_ops = 0;      // ops now running in int8
  int removed_nodes = 0;  // QUANTIZE / DEQUANTIZE / activation nodes absorbed
  int kept_qdq = 0;       // QUANTIZE / DEQUANTIZE nodes left, each with a reason
};

// Rewrites `graph` in place; a graph without QDQ groups is left unchanged.
// Called once after load, before validation and partitioning.
QdqFusionStats fuse_qdq(Graph& graph);

}  // namespace opscope

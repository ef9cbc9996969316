// Step 3 of the reader: weight counts and precision for ModelInfo.
#include <vector>

#include "adapters/formats/tflite/tflite_read_context.h"

namespace opscope::tflite {

namespace {

// Integer constants count as weights only as the bias of these ops (int32
// biases of quantized models); elsewhere they are shapes, axes, paddings.
bool takes_bias(OpKind op) {
  return op == OpKind::kConv2D || op == OpKind::kDepthwiseConv2D ||
         op == OpKind::kTransposeConv || op == OpKind::kFullyConnected;
}

// Share of int8/uint8 weight elements at or above which a model counts as
// int8, and below which (with float weights present) it counts as float.
constexpr double kInt8Dominates = 0.9;
constexpr double kInt8Negligible = 0.1;

}  // namespace

void fill_weight_info(const Graph& graph, ModelInfo& info) {
  const size_t n = graph.tensors.size();
  // Which constants are weights: read by some node (constants left behind
  // by folding, such as TRANSPOSE_CONV's output_shape, are not).
  std::vector<char> weight(n, 0);
  for (const Node& node : graph.nodes) {
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const int id = node.inputs[k];
      if (id < 0 || static_cast<size_t>(id) >= n) continue;
      const Tensor& t = graph.tensors[id];
      if (!t.is_constant()) continue;
      switch (t.dtype) {
        case DType::kF32:
        case DType::kF16:
        case DType::kI8:
        case DType::kU8:
          weight[id] = 1;
          break;
        case DType::kI32:
        case DType::kI64:
          if (takes_bias(node.op) && k == 2) weight[id] = 1;
          break;
        case DType::kBool:
          break;
      }
    }
  }

  int64_t f32 = 0, f16 = 0, q8 = 0;
  info.params = 0;
  info.param_bytes = 0;
  for (size_t id = 0; id < n; ++id) {
    if (!weight[id]) continue;
    const Tensor& t = graph.tensors[id];
    const int64_t elements = t.elements();
    info.params += elements;
    info.param_bytes += static_cast<int64_t>(t.bytes());
    if (t.dtype == DType::kF32) f32 += elements;
    if (t.dtype == DType::kF16) f16 += elements;
    if (t.dtype == DType::kI8 || t.dtype == DType::kU8) q8 += elements;
  }

  // f16 weights sit behind DEQUANTIZE ops, so a "float16" model still
  // has f32 constants (biases, scalars); the larger share decides.
  const Precision float_precision = f16 > f32 ? Precision::kF16 : Precision::kF32;
  const int64_t total = f32 + f16 + q8;
  if (q8 == 0 || total == 0) {
    info.weight_precision = float_precision;
    return;
  }
  const double int8_share = static_cast<double>(q8) / static_cast<double>(total);
  if (int8_share >= kInt8Dominates) {
    info.weight_precision = Precision::kInt8;
  } else if (int8_share < kInt8Negligible) {
    info.weight_precision = float_precision;
  } else {
    info.weight_precision = Precision::kMixed;
  }
}

}  // namespace opscope::tflite

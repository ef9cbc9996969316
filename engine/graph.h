// Nodes and graphs of the engine's IR, and the loaded Model.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/op_kind.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace opscope {

// How an int8 op rounds its exact integer result into its output's
// quantization. kFixedPoint: TFLite's integer semantics (a Q31 multiplier
// and a rounding shift; every TFLite model, and the default). kFloat: ONNX
// Runtime's, for the int8 ops QDQ fusion makes from an ONNX model
// (engine/transforms/qdq/fuse_qdq.h): the scale ratio is a float computed
// as ORT computes it, the integer result is multiplied by it in float and
// rounded half to even (docs/quantization.md says op by op).
// kFloatUint8: the same, for a model whose activations ORT holds as uint8
// (opscope's int8 value + 128): ADD and MUL round sums that include the
// zero points, so they compute on the uint8 values to round as ORT does.
enum class Requantization : uint8_t { kFixedPoint, kFloat, kFloatUint8 };

// Whether `r` is one of ONNX Runtime's float forms.
inline bool is_float_requantization(Requantization r) { return r != Requantization::kFixedPoint; }

struct Node {
  OpKind op = OpKind::kUnknown;
  // The op's name in the source format ("CONV_2D",
  // "Convolution2DTransposeBias", ...); shown in tables.
  std::string type_name;
  // A readable name: the source node name, or its first output's name.
  std::string name;
  Attributes attrs;
  std::vector<int> inputs;   // tensor ids; -1 = absent optional input
  std::vector<int> outputs;  // tensor ids
  // Index of the node in the original model file, kept through transforms.
  int source_index = -1;
  // Source indices of the other file nodes this node runs, when a transform
  // or an importer fused them into it (a folded Relu, the Dequantize/Quantize
  // nodes around an int8 op). Per-op rows report them: a fused group covers
  // source_index plus these.
  std::vector<int> fused_sources;
  // Why a load-time transform left this node as it is when it looked like
  // one it rewrites (an unfused QuantizeLinear/DequantizeLinear); shown by
  // `opscope inspect`. Empty otherwise.
  std::string kept_reason;
  // Int8 ops only (ignored elsewhere): the rounding semantics above.
  Requantization requantization = Requantization::kFixedPoint;

  template <typename T>
  const T& attr() const { return std::get<T>(attrs); }
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // topological order
  std::vector<int> inputs;
  std::vector<int> outputs;
  // Values that a session assumes for run-time tensors whose values set a
  // shape (engine/value_operands.h), by tensor id: the shape rules read them
  // as if constant, the kernels check them every run. Empty in a model.
  std::map<int, std::vector<int64_t>> planned_values;

  int add_tensor(Tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
  }
};

// "node 12 'conv2d_3' (CONV_2D)": how error messages name a node.
std::string describe_node(const Graph& graph, int node_index);

// Checks indices, roles, that every node's inputs are produced before use
// (topological order, no cycles), that constants carry enough bytes, and
// that graph outputs are produced. Messages name the node, op and source
// index. Called once at load.
Status validate_graph(const Graph& graph);

enum class ModelFormat : uint8_t { kTflite, kOnnx };
enum class Precision : uint8_t { kF32, kF16, kInt8, kMixed };
std::string_view to_string(ModelFormat format);
std::string_view to_string(Precision precision);

// Facts about the model as it was in its file, before any transform.
struct ModelInfo {
  std::string path;
  std::string name;  // file name without directory
  ModelFormat format = ModelFormat::kTflite;
  size_t size_bytes = 0;
  Precision weight_precision = Precision::kF32;
  int source_nodes = 0;  // node count in the file
  int64_t params = 0;     // elements of constant weight tensors
  int64_t param_bytes = 0;  // bytes of those, as stored in the file
  int folded_nodes = 0;     // removed by load-time transforms
  int qdq_fused_ops = 0;    // ops QDQ fusion made int8 (fuse_qdq.h)
  int qdq_kept_nodes = 0;   // QUANTIZE/DEQUANTIZE nodes it left, with reasons
};

// A loaded model: the graph plus what keeps its constant data alive.
struct Model {
  Graph graph;
  ModelInfo info;
  // Backing storage of constants that point into the file (e.g. a mapping).
  std::shared_ptr<const void> storage;
};

}  // namespace opscope

// Internal to the ONNX reader: the state its translation steps share.
//
// The reader runs: parse -> check opsets -> read initializers and inputs ->
// sort nodes topologically -> translate each node (onnx_ops_*.cc) ->
// graph outputs -> drop dead nodes -> validate_graph. Translation emits
// engine nodes one at a time; each is prepared with its reference kernel
// right away, which resolves its output shapes (so later nodes see final
// shapes, as Session will), and a node whose inputs are all constant is
// evaluated at once and replaced by its result (constant folding).
#pragma once

#include <cstdint>
#include <memory>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <onnx/onnx_pb.h>

#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::onnx {

// How the engine tensor of an ONNX value orders its dims.
enum class Layout : uint8_t {
  kNatural,       // as ONNX: NCHW for images
  kChannelsLast,  // ONNX dim 1 moved last: NHWC (rank >= 3)
};

// A value of the ONNX graph as the engine holds it.
struct Value {
  int tensor = -1;
  Layout layout = Layout::kNatural;
};

// Output dim i of the channels-last form is ONNX dim perm[i]:
// [0, 2, ..., rank-1, 1]. And its inverse, [0, rank-1, 1, ..., rank-2].
std::vector<int> channels_last_perm(int rank);
std::vector<int> natural_perm(int rank);
Shape permute_shape(const Shape& shape, const std::vector<int>& perm);
// The bytes of a dense row-major tensor transposed by `perm` (output dim
// i = input dim perm[i]).
std::vector<uint8_t> permute_bytes(const uint8_t* data, const Shape& shape,
                                   size_t element_size,
                                   const std::vector<int>& perm);

class Importer {
 public:
  Importer(Graph& graph, LoadNotes& notes, int opset)
      : graph_(graph), notes_(notes), opset_(opset) {}

  int opset() const { return opset_; }
  Graph& graph() { return graph_; }
  LoadNotes& notes() { return notes_; }

  // ---- The ONNX node being translated.
  void begin_node(const ::onnx::NodeProto& node, int source_index);
  const ::onnx::NodeProto& node() const { return *node_; }
  const std::string& node_name() const { return name_; }
  int source_index() const { return source_index_; }
  // "node 12 'conv1' (Conv): reason", as describe_node() words it.
  Status error(ErrorCode code, const std::string& reason) const;

  int num_inputs() const { return node_->input_size(); }
  bool has_input(int i) const {
    return i < node_->input_size() && !node_->input(i).empty();
  }
  // Input i; an error when it is absent or no value has its name.
  Result<Value> input(int i) const;
  // Input i, which must be a constant.
  Result<Value> constant_input(int i) const;
  // Input i as integers: a constant INT32/INT64 tensor of rank <= 1.
  Result<std::vector<int64_t>> int_input(int i) const;
  // Input i as a constant f32 scalar (one element).
  Result<float> float_scalar_input(int i) const;

  // ---- Attributes of the current node.
  bool has_attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name,
                          const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name) const;
  std::vector<float> attr_floats(const std::string& name) const;
  const ::onnx::AttributeProto* attr(const std::string& name) const;
  // Fails naming every attribute not in `known` (so an unhandled
  // attribute never silently changes the meaning of a node).
  Status expect_attrs(std::initializer_list<const char*> known) const;

  // ---- Values.
  const Tensor& tensor(const Value& v) const { return graph_.tensors[v.tensor]; }
  Tensor& tensor(int id) { return graph_.tensors[id]; }
  bool is_constant(const Value& v) const { return tensor(v).is_constant(); }
  int rank(const Value& v) const {
    return static_cast<int>(tensor(v).shape.size());
  }
  // The value's shape in ONNX's dim order.
  Shape onnx_shape(const Value& v) const;
  // The engine tensor holding `v` in the given layout: a transpose (or,
  // when it only moves dims of size 1, a reshape) is added once per value
  // and layout; constants are permuted at load.
  Result<int> as_natural(const Value& v);
  // Input i as as_natural() gives it, or -1 when the node leaves it out.
  Result<int> optional_natural(int i) {
    if (!has_input(i)) return -1;
    OPSCOPE_ASSIGN_OR_RETURN(const Value v, input(i));
    return as_natural(v);
  }
  Result<int> as_channels_last(const Value& v);
  Result<int> in_layout(const Value& v, Layout layout) {
    return layout == Layout::kNatural ? as_natural(v) : as_channels_last(v);
  }
  // A reshape of `tensor` to `shape`; reshapes of reshapes collapse to one,
  // and a reshape to the source's own shape is no node at all.
  Result<int> reshape(int tensor, const Shape& shape,
                      const std::string& suffix);
  // A transpose of `tensor` by `perm`; a reshape when only size-1 dims move.
  Result<int> transpose(int tensor, const std::vector<int>& perm,
                        const std::string& suffix);

  // ---- Building the engine graph.
  int new_tensor(const std::string& name, DType dtype = DType::kF32);
  int new_constant(const std::string& name, DType dtype, const Shape& shape,
                   std::vector<uint8_t> bytes);
  // A constant made at load (folded, ConstantOfShape, Gather of constants)
  // is at most kMaxMadeConstantBytes: a few bytes of a hostile file must not
  // make the loader allocate gigabytes. Errors name the node and the size.
  static constexpr int64_t kMaxMadeConstantBytes = int64_t{64} << 20;
  Status check_made_constant(const Shape& shape, DType dtype) const;
  int new_f32_constant(const std::string& name, const Shape& shape,
                       const std::vector<float>& values);
  int new_i32_constant(const std::string& name,
                       const std::vector<int32_t>& values);
  // Appends a node named after the current ONNX node and prepares it with
  // its reference kernel (output shapes). When all its inputs are constant
  // it is evaluated and removed; its outputs become constants. Returns the
  // node's index, or -1 when folded.
  Result<int> emit(OpKind op, Attributes attrs, std::vector<int> inputs,
                   std::vector<int> outputs, const std::string& suffix = "");
  // A node whose output shape the engine can only learn at run time (its
  // value operands are computed, value_operands.h): appended without shape
  // inference, its output 0 given `declared` (the model's own declaration)
  // and input 0's dtype; sessions check and re-plan it at run time.
  Result<int> emit_planned_at_run(OpKind op, Attributes attrs, std::vector<int> inputs,
                                  const Shape& declared);
  // Shapes the model declares for values (value_info, graph outputs), with
  // every dim known; null when it declares none for `name`.
  void declare_shapes(const ::onnx::GraphProto& g);
  const Shape* declared_shape(const std::string& name) const {
    const auto it = declared_shapes_.find(name);
    return it == declared_shapes_.end() ? nullptr : &it->second;
  }

  // emit() with one new output tensor named after ONNX output 0, which it
  // then defines in `layout`. Returns the output tensor.
  Result<int> emit_output(OpKind op, Attributes attrs, std::vector<int> inputs,
                          Layout layout);
  // Binds ONNX output k of the current node to `v`.
  void define_output(int k, Value v);
  // Binds a value name (graph inputs, initializers).
  void define(const std::string& name, Value v) {
    values_[name] = v;
    tensor_uses_[v.tensor] += uses(name);
  }
  bool defined(const std::string& name) const { return values_.count(name) != 0; }
  const Value* find(const std::string& name) const;

  // ---- Fusion helpers.
  // ONNX readers of value `name` (nodes and graph outputs), counted before
  // translation starts.
  void count_use(const std::string& name) { ++uses_[name]; }
  int uses(const std::string& name) const;
  // ONNX readers of every value bound to engine tensor `id` (Identity
  // makes several names share one tensor).
  int tensor_uses(int id) const {
    auto it = tensor_uses_.find(id);
    return it == tensor_uses_.end() ? 0 : it->second;
  }
  // The engine node that produces tensor `id`, or -1.
  int producer(int tensor_id) const;
  // Marks the current ONNX node as fused into engine node `node_index`:
  // its type name gains "+OpType".
  void fused_into(int node_index);

  // ---- After the last node.
  // Removes nodes none of whose outputs is read or a graph output.
  int remove_dead_nodes();

 private:
  Result<int> convert_layout(const Value& v, Layout to);

  Graph& graph_;
  LoadNotes& notes_;
  int opset_;
  const ::onnx::NodeProto* node_ = nullptr;
  int source_index_ = -1;
  std::string name_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, int> uses_;
  std::unordered_map<int, int> tensor_uses_;
  // Appends the node (named after the current ONNX node, plus `suffix`)
  // once a reference kernel exists for it; returns its index.
  Result<int> append_node(OpKind op, Attributes attrs, std::vector<int> inputs,
                          std::vector<int> outputs, const std::string& suffix);

  std::map<std::string, Shape> declared_shapes_;
  std::vector<int> producer_;       // by tensor id
  std::vector<int> reshape_source_;  // by tensor id: pre-reshape tensor or -1
  // (tensor id * 2 + target layout) -> converted tensor id
  std::unordered_map<int64_t, int> layout_cache_;
};

// Tensor data of a TensorProto as the engine stores it.
struct TensorData {
  DType dtype = DType::kF32;
  Shape shape;
  const uint8_t* data = nullptr;  // into the proto, or owned.data()
  size_t bytes = 0;
  std::vector<uint8_t> owned;
};

// The largest tensor a model may declare, as the TFLite reader's cap: no
// real model comes near it, and it keeps every element and byte count far
// from int64 overflow downstream (docs/onnx.md).
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 40;

// Checks a declared shape in checked 64-bit arithmetic: every dim >= 0 and
// the byte count (elements x the dtype's size) at most kMaxTensorBytes.
// The error (kInvalidGraph) names `what` (e.g. "tensor 'w'") and the shape.
Status check_tensor_size(const Shape& shape, DType dtype, const std::string& what);

// Reads an initializer or Constant value. External data is read from
// `base_dir` (empty: refused). Errors name the tensor.
Result<TensorData> read_tensor_proto(const ::onnx::TensorProto& proto,
                                     const std::string& base_dir);
// The engine dtype of an ONNX TensorProto.DataType, or an error.
Result<DType> dtype_from_onnx(int32_t elem_type, const std::string& what);

// Parses a ModelProto as every reader of ONNX files does: under 2 GB, a
// recursion limit of 64, a graph present. Errors (kMalformedModel) start
// with `display_name`.
Result<std::shared_ptr<::onnx::ModelProto>> parse_model_proto(
    const uint8_t* data, size_t size, const std::string& display_name);

// Marks `outputs` as the importer's graph outputs, in ONNX's layout and
// under their ONNX names (the main graph's, or an If branch's).
Status define_graph_outputs(Importer& im,
                            const google::protobuf::RepeatedPtrField<::onnx::ValueInfoProto>& outputs);

// Node indices of `g` in an order where every input is produced before use
// (names in `available_at_start` are: graph inputs, initializers, values of
// the outer scope). A node that can never run names the value it waits for.
Result<std::vector<int>> topological_order(const ::onnx::GraphProto& g,
                                           const std::unordered_set<std::string>& available_at_start);

// The opset of the default domain the model imports: kMalformedModel when
// it imports none, kUnsupportedOp when it is outside what the importer
// translates (7 to 18).
Result<int> default_opset(const ::onnx::ModelProto& model);

// A node of a graph whose op the importer does not translate at the
// model's opset, or of a domain other than the default one.
struct UnsupportedOpNode {
  int index = -1;     // in its graph, as the file orders it
  std::string name;   // the file's node name (may be empty)
  std::string op;     // "If"; "com.microsoft.FusedConv" for other domains
  bool other_domain = false;
};
// Every such node of `g` itself (not of its subgraphs), in file order: the
// one list both the load error (check_ops) and `inspect` word theirs from.
std::vector<UnsupportedOpNode> unsupported_op_nodes(const ::onnx::GraphProto& g, int opset);

// Translates the current node of `im` (onnx_ops.cc dispatches by op type).
Status translate_node(Importer& im);
// Whether `op_type` (default domain) has a translator at `opset`.
bool is_supported_op(const std::string& op_type, int opset);

// The elements and bytes of `graph`'s constant weights (f32, f16, i8, u8
// constants that nodes read) added to info.params and info.param_bytes,
// and info.weight_precision from them: for a model's graph and, each on
// its own, for the bodies of its If/Loop/Scan nodes.
void fill_weight_info(const Graph& graph, ModelInfo& info);

}  // namespace opscope::onnx

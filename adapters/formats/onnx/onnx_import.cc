// The Importer: values, layouts, node emission with shape resolution and
// constant folding.
#include "adapters/formats/onnx/onnx_import.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "engine/reference_support.h"
#include "engine/shape_inference.h"
#include "engine/transforms/fold_constants.h"

namespace opscope::onnx {

std::vector<int> channels_last_perm(int rank) {
  std::vector<int> p;
  p.push_back(0);
  for (int i = 2; i < rank; ++i) p.push_back(i);
  if (rank > 1) p.push_back(1);
  return p;
}

std::vector<int> natural_perm(int rank) {
  std::vector<int> p;
  p.push_back(0);
  if (rank > 1) p.push_back(rank - 1);
  for (int i = 1; i + 1 < rank; ++i) p.push_back(i);
  return p;
}

Shape permute_shape(const Shape& shape, const std::vector<int>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = shape[perm[i]];
  return out;
}

std::vector<uint8_t> permute_bytes(const uint8_t* data, const Shape& shape,
                                   size_t element_size,
                                   const std::vector<int>& perm) {
  const int rank = static_cast<int>(shape.size());
  const int64_t n = num_elements(shape);
  std::vector<uint8_t> out(static_cast<size_t>(n) * element_size);
  if (n == 0) return out;
  std::vector<int64_t> in_strides(rank, 1);
  for (int d = rank - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * shape[d + 1];
  const Shape out_shape = permute_shape(shape, perm);
  std::vector<int64_t> index(rank, 0);
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d) src += index[d] * in_strides[perm[d]];
    std::memcpy(out.data() + o * element_size, data + src * element_size,
                element_size);
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

void Importer::begin_node(const ::onnx::NodeProto& node, int source_index) {
  node_ = &node;
  source_index_ = source_index;
  // The node's name, else its first named output (a recurrent op's Y may
  // be unnamed), else its op type.
  name_ = node.name();
  for (int k = 0; name_.empty() && k < node.output_size(); ++k) name_ = node.output(k);
  if (name_.empty()) name_ = node.op_type();
}

Status Importer::error(ErrorCode code, const std::string& reason) const {
  return Status(code, "node " + std::to_string(source_index_) + " '" + name_ +
                          "' (" + node_->op_type() + "): " + reason);
}

const Value* Importer::find(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

Result<Value> Importer::input(int i) const {
  if (!has_input(i)) {
    return error(ErrorCode::kInvalidGraph,
                 "input " + std::to_string(i) + " is required but absent");
  }
  const Value* v = find(node_->input(i));
  if (v == nullptr) {
    return error(ErrorCode::kInvalidGraph,
                 "input " + std::to_string(i) + " '" + node_->input(i) +
                     "' is no graph input, initializer or output of an earlier "
                     "node (a dangling name, a cycle, or nodes out of "
                     "topological order)");
  }
  return *v;
}

Result<Value> Importer::constant_input(int i) const {
  OPSCOPE_ASSIGN_OR_RETURN(Value v, input(i));
  if (!is_constant(v)) {
    return error(ErrorCode::kUnsupportedOp,
                 "input " + std::to_string(i) + " '" + node_->input(i) +
                     "' must be a constant (initializer or computable at "
                     "load) for this importer");
  }
  return v;
}

Result<std::vector<int64_t>> Importer::int_input(int i) const {
  OPSCOPE_ASSIGN_OR_RETURN(Value v, constant_input(i));
  const Tensor& t = tensor(v);
  if ((t.dtype != DType::kI64 && t.dtype != DType::kI32) || t.shape.size() > 1) {
    return error(ErrorCode::kTypeMismatch,
                 "input " + std::to_string(i) + " '" + node_->input(i) +
                     "' must be int32/int64 of rank <= 1, is " +
                     std::string(to_string(t.dtype)) + " " +
                     shape_to_string(t.shape));
  }
  std::vector<int64_t> out(static_cast<size_t>(t.elements()));
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = t.dtype == DType::kI64 ? t.constant_as<int64_t>()[k]
                                    : t.constant_as<int32_t>()[k];
  }
  return out;
}

Result<float> Importer::float_scalar_input(int i) const {
  OPSCOPE_ASSIGN_OR_RETURN(Value v, constant_input(i));
  const Tensor& t = tensor(v);
  if (t.dtype != DType::kF32 || t.elements() != 1) {
    return error(ErrorCode::kTypeMismatch,
                 "input " + std::to_string(i) + " '" + node_->input(i) +
                     "' must be one f32 value, is " +
                     std::string(to_string(t.dtype)) + " " +
                     shape_to_string(t.shape));
  }
  return t.constant_as<float>()[0];
}

const ::onnx::AttributeProto* Importer::attr(const std::string& name) const {
  for (const auto& a : node_->attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

bool Importer::has_attr(const std::string& name) const {
  return attr(name) != nullptr;
}

int64_t Importer::attr_int(const std::string& name, int64_t fallback) const {
  const auto* a = attr(name);
  return a != nullptr ? a->i() : fallback;
}

float Importer::attr_float(const std::string& name, float fallback) const {
  const auto* a = attr(name);
  return a != nullptr ? a->f() : fallback;
}

std::string Importer::attr_string(const std::string& name,
                                  const std::string& fallback) const {
  const auto* a = attr(name);
  return a != nullptr ? a->s() : fallback;
}

std::vector<int64_t> Importer::attr_ints(const std::string& name) const {
  const auto* a = attr(name);
  if (a == nullptr) return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<float> Importer::attr_floats(const std::string& name) const {
  const auto* a = attr(name);
  if (a == nullptr) return {};
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

Status Importer::expect_attrs(std::initializer_list<const char*> known) const {
  for (const auto& a : node_->attribute()) {
    bool ok = false;
    for (const char* k : known) ok = ok || a.name() == k;
    if (!ok) {
      return error(ErrorCode::kUnsupportedOp,
                   "attribute '" + a.name() + "' is not supported");
    }
  }
  return Status::ok();
}

Shape Importer::onnx_shape(const Value& v) const {
  const Shape& s = tensor(v).shape;
  if (v.layout == Layout::kNatural) return s;
  return permute_shape(s, natural_perm(static_cast<int>(s.size())));
}

int Importer::uses(const std::string& name) const {
  auto it = uses_.find(name);
  return it == uses_.end() ? 0 : it->second;
}

int Importer::producer(int tensor_id) const {
  return tensor_id >= 0 && tensor_id < static_cast<int>(producer_.size())
             ? producer_[tensor_id]
             : -1;
}

void Importer::fused_into(int node_index) {
  graph_.nodes[node_index].type_name += "+" + node_->op_type();
  graph_.nodes[node_index].fused_sources.push_back(source_index_);
}

int Importer::new_tensor(const std::string& name, DType dtype) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.role = TensorRole::kIntermediate;
  return graph_.add_tensor(std::move(t));
}

int Importer::new_constant(const std::string& name, DType dtype,
                           const Shape& shape, std::vector<uint8_t> bytes) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = shape;
  t.role = TensorRole::kConstant;
  t.set_owned_data(std::move(bytes));
  return graph_.add_tensor(std::move(t));
}

namespace {

// Folding runs a reference kernel inside the loader: only for outputs
// within the made-constant limit and work that takes milliseconds.
constexpr FoldLimits kFoldLimits{Importer::kMaxMadeConstantBytes, 50'000'000};

}  // namespace

Status Importer::check_made_constant(const Shape& shape, DType dtype) const {
  const int64_t limit = kMaxMadeConstantBytes / static_cast<int64_t>(dtype_size(dtype));
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > limit / d)) {
      return error(ErrorCode::kInvalidGraph,
                   "a constant of shape " + shape_to_string(shape) + " exceeds the " +
                       std::to_string(kMaxMadeConstantBytes >> 20) +
                       " MiB limit for constants made at load");
    }
    n *= d;
  }
  return Status::ok();
}

int Importer::new_f32_constant(const std::string& name, const Shape& shape,
                               const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return new_constant(name, DType::kF32, shape, std::move(bytes));
}

int Importer::new_i32_constant(const std::string& name,
                               const std::vector<int32_t>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(int32_t));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return new_constant(name, DType::kI32,
                      Shape{static_cast<int64_t>(values.size())},
                      std::move(bytes));
}

Result<int> Importer::append_node(OpKind op, Attributes attrs, std::vector<int> inputs,
                                  std::vector<int> outputs, const std::string& suffix) {
  Node n;
  n.op = op;
  // Helpers the importer adds for layouts ("to_nhwc", "to_nchw") show the
  // engine op; everything else carries the ONNX node's op type.
  const bool layout_helper = suffix.rfind("to_", 0) == 0;
  n.type_name = layout_helper ? std::string(to_string(op)) : node_->op_type();
  n.name = suffix.empty() ? name_ : name_ + "/" + suffix;
  n.attrs = std::move(attrs);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.source_index = source_index_;
  graph_.nodes.push_back(std::move(n));
  const int index = static_cast<int>(graph_.nodes.size()) - 1;
  std::string why;
  if (!reference_supports(graph_, index, &why)) {
    graph_.nodes.pop_back();
    return error(ErrorCode::kUnsupportedOp, why);
  }
  return index;
}

Result<int> Importer::emit(OpKind op, Attributes attrs, std::vector<int> inputs,
                           std::vector<int> outputs, const std::string& suffix) {
  OPSCOPE_ASSIGN_OR_RETURN(const int index, append_node(op, std::move(attrs), std::move(inputs),
                                                        std::move(outputs), suffix));
  // The engine's shape rules check the node's structure (ranks, attributes,
  // constant parameters and indices) and set its output shapes, so a model
  // the engine cannot run fails here, naming the file. No kernel is
  // prepared: dtypes and quantization were checked above (a reference kernel
  // exists for them) and are checked again by the backend that compiles it.
  Status st = infer_shapes(graph_, index);
  if (!st.is_ok()) {
    // The rule's message names the engine node; say which ONNX node
    // instead (the engine node's name and op type are the ONNX node's, or
    // a suffix of them: naming both would say the same thing twice).
    std::string reason = st.message();
    const std::string engine_node = describe_node(graph_, index) + ": ";
    if (reason.rfind(engine_node, 0) == 0) reason.erase(0, engine_node.size());
    graph_.nodes.pop_back();
    return error(st.code(), reason);
  }
  producer_.resize(graph_.tensors.size(), -1);
  reshape_source_.resize(graph_.tensors.size(), -1);

  if (!can_fold(graph_, index, kFoldLimits)) {  // stays a node; it runs with the model
    for (int id : graph_.nodes[index].outputs) producer_[id] = index;
    return index;
  }
  // Evaluate now: the outputs become constants and the node goes.
  st = fold_node(graph_, index);
  if (!st.is_ok()) {
    graph_.nodes.pop_back();
    return error(st.code(), st.message());
  }
  return -1;
}

Result<int> Importer::emit_planned_at_run(OpKind op, Attributes attrs, std::vector<int> inputs,
                                          const Shape& declared) {
  if (node_->output_size() < 1 || node_->output(0).empty()) {
    return error(ErrorCode::kInvalidGraph, "has no output");
  }
  const int out = new_tensor(node_->output(0), graph_.tensors[inputs[0]].dtype);
  graph_.tensors[out].shape = declared;
  OPSCOPE_ASSIGN_OR_RETURN(const int index,
                           append_node(op, std::move(attrs), std::move(inputs), {out}, ""));
  producer_.resize(graph_.tensors.size(), -1);
  reshape_source_.resize(graph_.tensors.size(), -1);
  producer_[out] = index;
  define_output(0, Value{out, Layout::kNatural});
  return out;
}

void Importer::declare_shapes(const ::onnx::GraphProto& g) {
  for (const auto* list : {&g.value_info(), &g.output()}) {
    for (const auto& vi : *list) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
      Shape shape;
      bool known = true;
      for (const auto& d : vi.type().tensor_type().shape().dim()) {
        known = known && d.has_dim_value() && d.dim_value() >= 0;
        shape.push_back(d.dim_value());
      }
      if (known) declared_shapes_[vi.name()] = std::move(shape);
    }
  }
}

Result<int> Importer::emit_output(OpKind op, Attributes attrs,
                                  std::vector<int> inputs, Layout layout) {
  if (node_->output_size() < 1 || node_->output(0).empty()) {
    return error(ErrorCode::kInvalidGraph, "has no output");
  }
  const int out = new_tensor(node_->output(0));
  OPSCOPE_RETURN_IF_ERROR(
      emit(op, std::move(attrs), std::move(inputs), {out}).status());
  define_output(0, Value{out, layout});
  return out;
}

void Importer::define_output(int k, Value v) {
  if (k < node_->output_size() && !node_->output(k).empty()) {
    define(node_->output(k), v);
  }
}

Result<int> Importer::reshape(int tensor_id, const Shape& shape,
                              const std::string& suffix) {
  reshape_source_.resize(graph_.tensors.size(), -1);
  const int root = reshape_source_[tensor_id] >= 0 ? reshape_source_[tensor_id]
                                                   : tensor_id;
  if (graph_.tensors[root].shape == shape) return root;
  const int out = new_tensor(
      suffix.empty() ? name_ : graph_.tensors[tensor_id].name + "/" + suffix,
      graph_.tensors[root].dtype);
  ReshapeAttrs attrs;
  attrs.new_shape = shape;
  OPSCOPE_RETURN_IF_ERROR(
      emit(OpKind::kReshape, attrs, {root}, {out}, suffix).status());
  reshape_source_.resize(graph_.tensors.size(), -1);
  reshape_source_[out] = root;
  return out;
}

Result<int> Importer::transpose(int tensor_id, const std::vector<int>& perm,
                                const std::string& suffix) {
  const Shape& in = graph_.tensors[tensor_id].shape;
  const Shape out_shape = permute_shape(in, perm);
  // Only size-1 dims move when the other dims keep their order.
  int last = -1;
  bool order_kept = true;
  for (int p : perm) {
    if (in[p] == 1) continue;
    if (p < last) order_kept = false;
    last = p;
  }
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int>(i);
  if (identity) return tensor_id;
  if (order_kept) return reshape(tensor_id, out_shape, suffix);
  // Copies: adding tensors below may move graph_.tensors.
  const Tensor& t = graph_.tensors[tensor_id];
  const std::string name = t.name + "/" + suffix;
  const DType dtype = t.dtype;
  if (t.is_constant()) {
    return new_constant(name, dtype, out_shape,
                        permute_bytes(t.data, t.shape, dtype_size(dtype), perm));
  }
  std::vector<int32_t> p32(perm.begin(), perm.end());
  const int perm_id = new_i32_constant(name + "/perm", p32);
  const int out = new_tensor(name, dtype);
  OPSCOPE_RETURN_IF_ERROR(
      emit(OpKind::kTranspose, std::monostate{}, {tensor_id, perm_id}, {out},
           suffix)
          .status());
  return out;
}

Result<int> Importer::convert_layout(const Value& v, Layout to) {
  if (v.layout == to) return v.tensor;
  const int64_t key = static_cast<int64_t>(v.tensor) * 2 + static_cast<int>(to);
  auto it = layout_cache_.find(key);
  if (it != layout_cache_.end()) return it->second;
  const int r = rank(v);
  if (r < 3) {
    return error(ErrorCode::kInternal, "channels-last value of rank " +
                                           std::to_string(r));
  }
  OPSCOPE_ASSIGN_OR_RETURN(
      int out, to == Layout::kChannelsLast
                   ? transpose(v.tensor, channels_last_perm(r), "to_nhwc")
                   : transpose(v.tensor, natural_perm(r), "to_nchw"));
  layout_cache_[key] = out;
  return out;
}

Result<int> Importer::as_natural(const Value& v) {
  return convert_layout(v, Layout::kNatural);
}

Result<int> Importer::as_channels_last(const Value& v) {
  if (v.layout == Layout::kNatural && rank(v) < 3) {
    return error(ErrorCode::kShapeMismatch,
                 "needs an input of rank >= 3, '" + tensor(v).name + "' is " +
                     shape_to_string(tensor(v).shape));
  }
  return convert_layout(v, Layout::kChannelsLast);
}

int Importer::remove_dead_nodes() {
  std::vector<char> needed(graph_.tensors.size(), 0);
  for (int id : graph_.outputs) needed[id] = 1;
  std::vector<char> keep(graph_.nodes.size(), 0);
  for (int i = static_cast<int>(graph_.nodes.size()) - 1; i >= 0; --i) {
    const Node& n = graph_.nodes[i];
    bool used = false;
    for (int id : n.outputs) used = used || needed[id];
    if (!used) continue;
    keep[i] = 1;
    for (int id : n.inputs) {
      if (id >= 0) needed[id] = 1;
    }
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    if (keep[i]) kept.push_back(std::move(graph_.nodes[i]));
  }
  const int removed = static_cast<int>(graph_.nodes.size() - kept.size());
  graph_.nodes = std::move(kept);
  return removed;
}

}  // namespace opscope::onnx

#include "adapters/formats/onnx/onnx_reader.h"

#include <cstring>
#include <filesystem>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <google/protobuf/io/coded_stream.h>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/onnx/onnx_import.h"
#include "engine/control_flow.h"

namespace opscope::onnx {

namespace {

constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 18;

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The static shape of graph input `vi`: dims from the file, replaced by
// an override when given; a free leading dim defaults to 1.
Result<Shape> input_shape(const ::onnx::ValueInfoProto& vi,
                          const LoadOptions& options, LoadNotes& notes) {
  for (const auto& [name, shape] : options.input_shapes) {
    if (name == vi.name()) return shape;  // checked by the caller
  }
  Shape shape;
  const auto& dims = vi.type().tensor_type().shape().dim();
  if (!vi.type().tensor_type().has_shape()) {
    return Status(ErrorCode::kInvalidArgument,
                  "graph input '" + vi.name() +
                      "' has no shape in the file: give one with --shape " +
                      vi.name() + "=DIMS (e.g. 1x3x224x224)");
  }
  std::string free_dims;
  for (int i = 0; i < dims.size(); ++i) {
    const auto& d = dims.Get(i);
    if (d.has_dim_value() && d.dim_value() < 0) {
      return Status(ErrorCode::kInvalidGraph,
                    "graph input '" + vi.name() + "' has a negative dimension " +
                        std::to_string(d.dim_value()) + " at dim " + std::to_string(i));
    }
    if (d.has_dim_value()) {
      shape.push_back(d.dim_value());
    } else if (i == 0 && dims.size() > 1) {
      shape.push_back(1);
      notes.messages.push_back("graph input '" + vi.name() + "': free batch dim '" +
                               d.dim_param() + "' set to 1");
    } else {
      free_dims += (free_dims.empty() ? "" : ", ") + std::to_string(i) +
                   (d.dim_param().empty() ? "" : " ('" + d.dim_param() + "')");
      shape.push_back(-1);
    }
  }
  if (!free_dims.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "graph input '" + vi.name() + "' has free dim(s) " +
                      free_dims + ": give its shape with --shape " +
                      vi.name() + "=DIMS");
  }
  return shape;
}

// `name` is a graph input of `g` that is not an initializer; else an error
// (kInvalidArgument) saying which inputs the model has, for `flag`.
Status expect_graph_input(const ::onnx::GraphProto& g,
                          const std::unordered_set<std::string>& initializers,
                          const std::string& name, const char* flag) {
  std::string names;
  for (const auto& vi : g.input()) {
    if (initializers.count(vi.name())) continue;
    if (vi.name() == name) return Status::ok();
    names += (names.empty() ? "" : ", ") + vi.name();
  }
  return Status(ErrorCode::kInvalidArgument,
                std::string(flag) + " names input '" + name +
                    "', which the model does not have (inputs: " + names + ")");
}

// Graph input `vi` frozen to `number`: its declared type and shape, which
// must hold one element.
Result<InputValue> scalar_input_value(const ::onnx::ValueInfoProto& vi, double number,
                                      const LoadOptions& options, LoadNotes& notes) {
  const std::string what = "--freeze " + vi.name();
  if (!vi.type().has_tensor_type()) {
    return Status(ErrorCode::kTypeMismatch, what + ": the input is not a tensor");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const DType dtype,
                           dtype_from_onnx(vi.type().tensor_type().elem_type(), what));
  OPSCOPE_ASSIGN_OR_RETURN(const Shape shape, input_shape(vi, options, notes));
  if (num_elements(shape) != 1) {
    return Status(ErrorCode::kInvalidArgument,
                  what + ": the input is " + shape_to_string(shape) +
                      "; one number freezes a one-element input (give a .npy file)");
  }
  InputValue v;
  v.dtype = dtype;
  v.shape = shape;
  v.data.resize(dtype_size(dtype));
  const auto put = [&](auto x) { std::memcpy(v.data.data(), &x, sizeof(x)); };
  switch (dtype) {
    case DType::kF32: put(static_cast<float>(number)); break;
    case DType::kI32: put(static_cast<int32_t>(number)); break;
    case DType::kI64: put(static_cast<int64_t>(number)); break;
    case DType::kI8: put(static_cast<int8_t>(number)); break;
    case DType::kU8: put(static_cast<uint8_t>(number)); break;
    case DType::kBool: put(static_cast<uint8_t>(number != 0)); break;
    default:
      return Status(ErrorCode::kTypeMismatch, what + ": a " + std::string(to_string(dtype)) +
                                                  " input takes a .npy file");
  }
  return v;
}

}  // namespace

// Node indices in an order where every input is produced before use.
// A node that can never run names the value it waits for.
Result<std::vector<int>> topological_order(const ::onnx::GraphProto& g,
                                           const std::unordered_set<std::string>& available_at_start) {
  const int n = g.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const auto& out : g.node(i).output()) {
      if (out.empty()) continue;
      if (producer.count(out) || available_at_start.count(out)) {
        const auto& node = g.node(i);
        return Status(ErrorCode::kInvalidGraph,
                      "node " + std::to_string(i) + " '" + node.name() + "' (" +
                          node.op_type() + "): output '" + out +
                          "' is already defined (each value must have one "
                          "producer)");
      }
      producer[out] = i;
    }
  }
  std::vector<int> pending(n, 0);
  std::unordered_map<std::string, std::vector<int>> readers;
  for (int i = 0; i < n; ++i) {
    std::unordered_set<std::string> seen;
    for (const auto& in : g.node(i).input()) {
      if (in.empty() || available_at_start.count(in) || !seen.insert(in).second) continue;
      if (!producer.count(in)) {
        const auto& node = g.node(i);
        return Status(ErrorCode::kInvalidGraph,
                      "node " + std::to_string(i) + " '" + node.name() + "' (" +
                          node.op_type() + "): input '" + in +
                          "' is no graph input, initializer or node output "
                          "(missing initializer?)");
      }
      ++pending[i];
      readers[in].push_back(i);
    }
  }
  std::vector<int> order;
  std::vector<int> ready;
  for (int i = n - 1; i >= 0; --i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  // Keeps the file's order where it is already valid: take the lowest
  // ready index first.
  while (!ready.empty()) {
    auto lowest = std::min_element(ready.begin(), ready.end());
    const int i = *lowest;
    ready.erase(lowest);
    order.push_back(i);
    for (const auto& out : g.node(i).output()) {
      auto it = readers.find(out);
      if (it == readers.end()) continue;
      for (int r : it->second) {
        if (--pending[r] == 0) ready.push_back(r);
      }
    }
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i) {
      if (pending[i] == 0) continue;
      const auto& node = g.node(i);
      return Status(ErrorCode::kInvalidGraph,
                    "node " + std::to_string(i) + " '" + node.name() + "' (" +
                        node.op_type() +
                        "): its inputs depend on its own outputs (the graph "
                        "has a cycle)");
    }
  }
  return order;
}

namespace {

// Unsupported ops, all of them in one message (each op named once),
// before any translation.
Status check_ops(const ::onnx::GraphProto& g, int opset) {
  const std::vector<UnsupportedOpNode> nodes = unsupported_op_nodes(g, opset);
  if (nodes.empty()) return Status::ok();
  std::string list;
  std::unordered_set<std::string> seen;
  for (const UnsupportedOpNode& n : nodes) {
    if (!seen.insert(n.op).second) continue;
    if (!list.empty()) list += "; ";
    list += "node " + std::to_string(n.index) + " '" + n.name + "' (" + n.op + ")";
  }
  return Status(ErrorCode::kUnsupportedOp,
                std::to_string(nodes.size()) + " node(s) with ops the importer does not "
                "support at opset " + std::to_string(opset) + ": " + list);
}

}  // namespace

void fill_weight_info(const Graph& graph, ModelInfo& info) {
  std::vector<char> weight(graph.tensors.size(), 0);
  for (const Node& node : graph.nodes) {
    for (int id : node.inputs) {
      if (id < 0) continue;
      const Tensor& t = graph.tensors[id];
      if (t.is_constant() && (t.dtype == DType::kF32 || t.dtype == DType::kF16 ||
                              t.dtype == DType::kI8 || t.dtype == DType::kU8)) {
        weight[id] = 1;
      }
    }
  }
  int64_t f32 = 0, other = 0;
  for (size_t id = 0; id < graph.tensors.size(); ++id) {
    if (!weight[id]) continue;
    const Tensor& t = graph.tensors[id];
    info.params += t.elements();
    info.param_bytes += static_cast<int64_t>(t.bytes());
    (t.dtype == DType::kF32 ? f32 : other) += t.elements();
  }
  info.weight_precision = other == 0 ? Precision::kF32
                          : f32 == 0 ? Precision::kInt8
                                     : Precision::kMixed;
}

// The graph's outputs in ONNX's layout and under their ONNX names: a value
// that is an input, a constant or already another output gets a copy of
// its own.
Status define_graph_outputs(Importer& im,
                            const google::protobuf::RepeatedPtrField<::onnx::ValueInfoProto>& outputs) {
  Graph& graph = im.graph();
  std::unordered_set<int> taken;
  for (const auto& vi : outputs) {
    const Value* v = im.find(vi.name());
    if (v == nullptr) {
      return Status(ErrorCode::kInvalidGraph,
                    "graph output '" + vi.name() + "' is never produced");
    }
    OPSCOPE_ASSIGN_OR_RETURN(int id, im.as_natural(*v));
    Tensor& t = graph.tensors[id];
    if (t.role != TensorRole::kIntermediate || taken.count(id)) {
      // An input, constant or second output: give the output its own copy.
      const int copy = im.new_tensor(vi.name(), t.dtype);
      ReshapeAttrs attrs;
      attrs.new_shape = graph.tensors[id].shape;
      Node n;
      n.op = OpKind::kReshape;
      n.type_name = "Identity";
      n.name = vi.name();
      n.attrs = attrs;
      n.inputs = {id};
      n.outputs = {copy};
      graph.tensors[copy].shape = graph.tensors[id].shape;
      graph.nodes.push_back(std::move(n));
      id = copy;
    }
    graph.tensors[id].name = vi.name();
    graph.tensors[id].role = TensorRole::kOutput;
    graph.outputs.push_back(id);
    taken.insert(id);
  }
  return Status::ok();
}

namespace {

// Counts every read of a value by the nodes of `g` and of their subgraphs
// (an If branch reading a value counts as a use: it must not be fused away).
void count_uses(Importer& im, const ::onnx::GraphProto& g) {
  for (const auto& node : g.node()) {
    for (const auto& in : node.input()) {
      if (!in.empty()) im.count_use(in);
    }
    for (const auto& a : node.attribute()) {
      if (a.has_g()) count_uses(im, a.g());
      for (const auto& sub : a.graphs()) count_uses(im, sub);
    }
  }
}

Status read_graph(const ::onnx::ModelProto& model, const LoadOptions& options,
                  const std::string& base_dir, Model& out, LoadNotes& notes) {
  OPSCOPE_ASSIGN_OR_RETURN(const int opset, default_opset(model));
  const ::onnx::GraphProto& g = model.graph();
  OPSCOPE_RETURN_IF_ERROR(check_ops(g, opset));
  Graph& graph = out.graph;
  Importer im(graph, notes, opset);
  im.declare_shapes(g);

  std::unordered_set<std::string> available;
  for (const auto& init : g.initializer()) {
    OPSCOPE_ASSIGN_OR_RETURN(TensorData d, read_tensor_proto(init, base_dir));
    Tensor t;
    t.name = init.name();
    t.dtype = d.dtype;
    t.shape = d.shape;
    t.role = TensorRole::kConstant;
    if (!d.owned.empty()) {
      t.set_owned_data(std::move(d.owned));
    } else {
      t.data = d.data;  // into the ModelProto, kept alive by Model::storage
      t.data_bytes = d.bytes;
    }
    im.define(init.name(), Value{graph.add_tensor(std::move(t))});
    available.insert(init.name());
  }
  for (const auto& [name, shape] : options.input_shapes) {
    OPSCOPE_RETURN_IF_ERROR(expect_graph_input(g, available, name, "--shape"));
  }
  for (const auto& [name, value] : options.scalar_inputs) {
    OPSCOPE_RETURN_IF_ERROR(expect_graph_input(g, available, name, "--freeze"));
  }
  for (const auto& vi : g.input()) {
    if (available.count(vi.name())) continue;  // initializer listed as input
    const InputValue* frozen = nullptr;
    for (const auto& [name, value] : options.constant_inputs) {
      if (name == vi.name()) frozen = &value;
    }
    InputValue scalar;
    for (const auto& [name, number] : options.scalar_inputs) {
      if (name != vi.name()) continue;
      OPSCOPE_ASSIGN_OR_RETURN(scalar, scalar_input_value(vi, number, options, notes));
      frozen = &scalar;
    }
    if (frozen != nullptr) {
      Tensor t;
      t.name = vi.name();
      t.dtype = frozen->dtype;
      t.shape = frozen->shape;
      t.role = TensorRole::kConstant;
      OPSCOPE_RETURN_IF_ERROR(check_tensor_size(t.shape, t.dtype, "graph input '" + vi.name() + "'"));
      t.set_owned_data(frozen->data);
      if (t.data_bytes != t.bytes()) {
        return Status(ErrorCode::kInvalidArgument,
                      "value for graph input '" + vi.name() + "' has " +
                          std::to_string(t.data_bytes) + " bytes, its shape needs " +
                          std::to_string(t.bytes()));
      }
      im.define(vi.name(), Value{graph.add_tensor(std::move(t))});
      available.insert(vi.name());
      continue;
    }
    const std::string what = "graph input '" + vi.name() + "'";
    if (!vi.type().has_tensor_type()) {
      return Status(ErrorCode::kTypeMismatch, what + " is not a tensor");
    }
    OPSCOPE_ASSIGN_OR_RETURN(DType dtype,
                             dtype_from_onnx(vi.type().tensor_type().elem_type(), what));
    OPSCOPE_ASSIGN_OR_RETURN(Shape shape, input_shape(vi, options, notes));
    OPSCOPE_RETURN_IF_ERROR(check_tensor_size(shape, dtype, what));
    Tensor t;
    t.name = vi.name();
    t.dtype = dtype;
    t.shape = shape;
    t.role = TensorRole::kInput;
    const int id = graph.add_tensor(std::move(t));
    graph.inputs.push_back(id);
    im.define(vi.name(), Value{id});
    available.insert(vi.name());
  }

  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> order, topological_order(g, available));
  count_uses(im, g);
  for (const auto& vi : g.output()) im.count_use(vi.name());

  for (int i : order) {
    im.begin_node(g.node(i), i);
    OPSCOPE_RETURN_IF_ERROR(translate_node(im));
  }

  OPSCOPE_RETURN_IF_ERROR(define_graph_outputs(im, g.output()));
  const int removed = im.remove_dead_nodes();
  (void)removed;

  out.info.source_nodes = g.node_size();
  out.info.folded_nodes = g.node_size() - static_cast<int>(graph.nodes.size());
  if (out.info.folded_nodes < 0) out.info.folded_nodes = 0;
  fill_weight_info(graph, out.info);
  count_bodies_in_info(out);  // If/Loop/Scan bodies' nodes and weights
  return validate_graph(graph);
}

Result<std::shared_ptr<Model>> read_model(const uint8_t* data, size_t size,
                                          const std::string& display_name,
                                          const LoadOptions& options,
                                          LoadNotes* notes,
                                          const std::string& base_dir) {
  LoadNotes local;
  LoadNotes& out_notes = notes != nullptr ? *notes : local;
  out_notes = LoadNotes{};
  OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<::onnx::ModelProto> proto,
                           parse_model_proto(data, size, display_name));
  auto model = std::make_shared<Model>();
  model->storage = proto;
  model->info.path = display_name;
  model->info.name = base_name(display_name);
  model->info.format = ModelFormat::kOnnx;
  model->info.size_bytes = size;
  Status status = read_graph(*proto, options, base_dir, *model, out_notes);
  if (!status.is_ok()) return status.with_prefix(display_name);
  return model;
}

}  // namespace

// The default domain's opset; other domains may be imported (tf2onnx adds
// ai.onnx.ml) as long as no node uses them.
Result<int> default_opset(const ::onnx::ModelProto& model) {
  int opset = -1;
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      opset = static_cast<int>(std::min<int64_t>(o.version(), 1 << 20));
    }
  }
  if (opset < 0) {
    return Status(ErrorCode::kMalformedModel,
                  "model imports no opset of the default ONNX domain");
  }
  if (opset < kMinOpset || opset > kMaxOpset) {
    return Status(ErrorCode::kUnsupportedOp,
                  "model uses opset " + std::to_string(opset) +
                      " of the default domain; supported: " +
                      std::to_string(kMinOpset) + " to " +
                      std::to_string(kMaxOpset));
  }
  return opset;
}

std::vector<UnsupportedOpNode> unsupported_op_nodes(const ::onnx::GraphProto& g, int opset) {
  std::vector<UnsupportedOpNode> out;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& node = g.node(i);
    const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
    if (default_domain && is_supported_op(node.op_type(), opset)) continue;
    out.push_back({i, node.name(), (default_domain ? "" : node.domain() + ".") + node.op_type(),
                   !default_domain});
  }
  return out;
}

Result<std::shared_ptr<::onnx::ModelProto>> parse_model_proto(const uint8_t* data, size_t size,
                                                              const std::string& display_name) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status(ErrorCode::kMalformedModel,
                  display_name + ": file is 2 GB or larger; keep weights in "
                                 "external data files");
  }
  auto proto = std::make_shared<::onnx::ModelProto>();
  google::protobuf::io::CodedInputStream stream(data, static_cast<int>(size));
  stream.SetRecursionLimit(64);
  if (!proto->ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    return Status(ErrorCode::kMalformedModel,
                  display_name + ": not a valid ONNX ModelProto (protobuf "
                                 "parsing failed: truncated or corrupt file)");
  }
  if (!proto->has_graph()) {
    return Status(ErrorCode::kMalformedModel, display_name + ": model has no graph");
  }
  return proto;
}

Result<std::shared_ptr<Model>> load_onnx_file(const std::string& path,
                                              const LoadOptions& options,
                                              LoadNotes* notes) {
  // Refuses directories, FIFOs and devices before reading (the message
  // names the path). The protobuf copies what it keeps, so the mapping
  // ends with this call.
  auto mapped = formats::MappedFile::open(path);
  if (!mapped.is_ok()) return mapped.status();
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return read_model((*mapped)->data(), (*mapped)->size(), path, options, notes,
                    dir.empty() ? "." : dir);
}

Result<std::shared_ptr<Model>> load_onnx_buffer(const uint8_t* data, size_t size,
                                                const std::string& display_name,
                                                const LoadOptions& options,
                                                LoadNotes* notes,
                                                const std::string& base_dir) {
  return read_model(data, size, display_name, options, notes, base_dir);
}

Result<std::pair<std::string, Shape>> parse_shape_override(const std::string& text) {
  const size_t eq = text.rfind('=');
  const auto bad = [&](const std::string& why) {
    return Status(ErrorCode::kInvalidArgument,
                  "--shape '" + text + "': " + why +
                      " (expected NAME=DIMS, e.g. input=1x3x224x224)");
  };
  if (eq == std::string::npos || eq == 0) return bad("no NAME=");
  const std::string dims = text.substr(eq + 1);
  Shape shape;
  size_t pos = 0;
  while (pos <= dims.size()) {
    const size_t x = dims.find('x', pos);
    const std::string part = dims.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos ||
        part.size() > 12) {
      return bad("dim '" + part + "' is not a non-negative integer");
    }
    shape.push_back(std::stoll(part));
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return std::make_pair(text.substr(0, eq), shape);
}

}  // namespace opscope::onnx

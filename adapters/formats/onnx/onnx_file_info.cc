#include "adapters/formats/onnx/onnx_file_info.h"

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/onnx/onnx_import.h"

namespace opscope::onnx {

namespace {

using formats::FileDim;
using formats::FileGraph;
using formats::FileTensor;
using formats::ModelFileInfo;
using formats::UnrunnableNode;
using TP = ::onnx::TensorProto;

std::string type_name(int32_t elem_type) {
  return TP::DataType_IsValid(elem_type)
             ? TP::DataType_Name(static_cast<TP::DataType>(elem_type))
             : "type " + std::to_string(elem_type);
}

// Bytes per element of an ONNX data type; 0 where it has no fixed size
// (STRING, UNDEFINED, a code this libonnx does not know).
int64_t element_bytes(int32_t elem_type) {
  switch (elem_type) {
    case TP::BOOL: case TP::INT8: case TP::UINT8: return 1;
    case TP::INT16: case TP::UINT16: case TP::FLOAT16: case TP::BFLOAT16: return 2;
    case TP::FLOAT: case TP::INT32: case TP::UINT32: return 4;
    case TP::DOUBLE: case TP::INT64: case TP::UINT64: case TP::COMPLEX64: return 8;
    case TP::COMPLEX128: return 16;
    default: return 0;
  }
}

FileTensor describe_value(const ::onnx::ValueInfoProto& vi) {
  FileTensor t;
  t.name = vi.name();
  const ::onnx::TypeProto& type = vi.type();
  if (!type.has_tensor_type()) {
    t.type = type.has_sequence_type()        ? "sequence"
             : type.has_map_type()           ? "map"
             : type.has_optional_type()      ? "optional"
             : type.has_sparse_tensor_type() ? "sparse_tensor"
                                             : "UNDEFINED";
    t.has_shape = false;
    return t;
  }
  t.type = type_name(type.tensor_type().elem_type());
  t.has_shape = type.tensor_type().has_shape();
  for (const auto& d : type.tensor_type().shape().dim()) {
    FileDim dim;
    dim.has_value = d.has_dim_value();
    dim.value = d.dim_value();
    dim.symbol = d.dim_param();
    t.shape.push_back(std::move(dim));
  }
  return t;
}

// Elements and bytes of an initializer from its stated dims, in checked
// arithmetic; nullopt when they cannot be counted (a negative dim, an
// overflow, a type of no fixed size).
std::optional<std::pair<int64_t, int64_t>> tensor_size(const TP& t) {
  int64_t elements = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || __builtin_mul_overflow(elements, d, &elements)) return std::nullopt;
  }
  const int64_t size = element_bytes(t.data_type());
  int64_t bytes = 0;
  if (size == 0 || __builtin_mul_overflow(elements, size, &bytes)) return std::nullopt;
  return std::make_pair(elements, bytes);
}

class Describer {
 public:
  Describer(ModelFileInfo& info, int opset) : info_(info), opset_(opset) {}

  // Adds `g` and, depth-first, every graph its nodes' attributes hold.
  void walk(const ::onnx::GraphProto& g, FileGraph self) {
    const int index = static_cast<int>(info_.graphs.size());
    self.name = g.name();
    self.nodes = g.node_size();
    for (const auto& node : g.node()) {
      const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
      ++self.op_histogram[(default_domain ? "" : node.domain() + ".") + node.op_type()];
    }
    const std::string path = self.path;
    const int depth = self.depth;
    info_.graphs.push_back(std::move(self));
    count_initializers(g);
    unsupported_ops(g, index);
    unsupported_types(g, index);
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& node = g.node(i);
      for (const auto& a : node.attribute()) {
        const std::string prefix = (depth == 0 ? "" : path + "/") + node.op_type() + "." + a.name();
        if (a.has_g()) walk(a.g(), child(index, i, node, a.name(), prefix, depth));
        for (int k = 0; k < a.graphs_size(); ++k) {
          walk(a.graphs(k), child(index, i, node, a.name(),
                                  prefix + "[" + std::to_string(k) + "]", depth));
        }
      }
    }
  }

 private:
  static FileGraph child(int parent, int node_index, const ::onnx::NodeProto& node,
                         const std::string& attribute, const std::string& path, int depth) {
    FileGraph c;
    c.path = path;
    c.parent = parent;
    c.owner_node = node_index;
    c.owner_name = node.name();
    c.owner_op = node.op_type();
    c.attribute = attribute;
    c.depth = depth + 1;
    return c;
  }

  void count_initializers(const ::onnx::GraphProto& g) {
    for (const TP& t : g.initializer()) {
      const auto size = tensor_size(t);
      if (!size || __builtin_add_overflow(info_.params, size->first, &info_.params) ||
          __builtin_add_overflow(info_.param_bytes, size->second, &info_.param_bytes)) {
        ++info_.uncounted_constants;
      }
    }
  }

  // The importer's own list (unsupported_op_nodes), for every graph: a
  // subgraph's nodes would be translated with the node that holds it.
  void unsupported_ops(const ::onnx::GraphProto& g, int graph) {
    if (opset_ < 0) return;  // an opset the importer refuses: the import error says so
    for (const UnsupportedOpNode& u : unsupported_op_nodes(g, opset_)) {
      UnrunnableNode n;
      n.graph = graph;
      n.index = u.index;
      n.name = u.name;
      n.op = u.op;
      n.reason = u.other_domain
                     ? "ops of domain '" + g.node(u.index).domain() +
                           "' are not supported by the importer"
                     : "the importer does not support " + u.op + " at opset " +
                           std::to_string(opset_);
      info_.unrunnable.push_back(std::move(n));
    }
  }

  // Values whose element type the engine has no dtype for, each named once:
  // graph inputs and initializers, types set by node attributes (Cast's
  // `to`, a `dtype`, a Constant's value), then typed outputs and value_info.
  void unsupported_types(const ::onnx::GraphProto& g, int graph) {
    std::unordered_set<std::string> seen;
    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < g.node_size(); ++i) {
      for (const auto& out : g.node(i).output()) producer.emplace(out, i);
    }
    const auto add = [&](int32_t elem_type, const std::string& tensor, const std::string& what,
                         int node) {
      if (elem_type == TP::UNDEFINED || tensor.empty() || seen.count(tensor)) return;
      Result<DType> dtype = dtype_from_onnx(elem_type, what);
      if (dtype.is_ok()) return;
      seen.insert(tensor);
      UnrunnableNode n;
      n.graph = graph;
      n.index = node;
      if (node >= 0) {
        n.name = g.node(node).name();
        n.op = g.node(node).op_type();
      }
      n.reason = dtype.status().message();
      n.tensor = tensor;
      n.tensor_type = type_name(elem_type);
      info_.unrunnable.push_back(std::move(n));
    };
    std::unordered_set<std::string> initializers;
    for (const TP& t : g.initializer()) {
      initializers.insert(t.name());
      add(t.data_type(), t.name(), "initializer '" + t.name() + "'", -1);
    }
    for (const auto& vi : g.input()) {
      if (initializers.count(vi.name()) || !vi.type().has_tensor_type()) continue;
      add(vi.type().tensor_type().elem_type(), vi.name(), "graph input '" + vi.name() + "'", -1);
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& node = g.node(i);
      const std::string out = node.output_size() > 0 ? node.output(0) : "";
      for (const auto& a : node.attribute()) {
        const bool type_attr = (a.name() == "to" || a.name() == "dtype") &&
                               a.type() == ::onnx::AttributeProto::INT;
        if (type_attr && a.i() >= 0 && a.i() <= INT32_MAX) {
          add(static_cast<int32_t>(a.i()), out, "output '" + out + "'", i);
        } else if (a.has_t()) {
          add(a.t().data_type(), out, "output '" + out + "'", i);
        }
      }
    }
    for (const auto* list : {&g.output(), &g.value_info()}) {
      for (const auto& vi : *list) {
        if (!vi.type().has_tensor_type()) continue;
        auto it = producer.find(vi.name());
        add(vi.type().tensor_type().elem_type(), vi.name(), "value '" + vi.name() + "'",
            it == producer.end() ? -1 : it->second);
      }
    }
  }

  ModelFileInfo& info_;
  int opset_;
};

}  // namespace

Result<formats::ModelFileInfo> describe_onnx_buffer(const uint8_t* data, size_t size,
                                                    const std::string& display_name) {
  OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<::onnx::ModelProto> proto,
                           parse_model_proto(data, size, display_name));
  ModelFileInfo info;
  info.format = "onnx";
  info.producer = proto->producer_name();
  info.producer_version = proto->producer_version();
  info.ir_version = proto->ir_version();
  for (const auto& o : proto->opset_import()) {
    info.opset_imports.emplace_back(o.domain(), o.version());
  }
  const ::onnx::GraphProto& g = proto->graph();
  std::unordered_set<std::string> initializers;
  for (const TP& t : g.initializer()) initializers.insert(t.name());
  for (const auto& vi : g.input()) {
    if (!initializers.count(vi.name())) info.inputs.push_back(describe_value(vi));
  }
  for (const auto& vi : g.output()) info.outputs.push_back(describe_value(vi));

  Result<int> opset = default_opset(*proto);
  FileGraph main;
  main.path = "main";
  Describer(info, opset.is_ok() ? *opset : -1).walk(g, std::move(main));
  return info;
}

Result<formats::ModelFileInfo> describe_onnx_file(const std::string& path) {
  auto mapped = formats::MappedFile::open(path);
  if (!mapped.is_ok()) return mapped.status();
  return describe_onnx_buffer((*mapped)->data(), (*mapped)->size(), path);
}

}  // namespace opscope::onnx

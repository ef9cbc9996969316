#include "adapters/formats/tflite/tflite_file_info.h"

#include <memory>
#include <unordered_set>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/tflite/tflite_read_context.h"

namespace opscope::tflite {

namespace {

using formats::FileDim;
using formats::FileGraph;
using formats::FileTensor;
using formats::ModelFileInfo;
using formats::UnrunnableNode;

std::string type_name(fb::TensorType type) {
  const char* name = fb::EnumNameTensorType(type);
  if (name != nullptr && name[0] != '\0') return name;
  return "type " + std::to_string(static_cast<int>(type));
}

std::string tensor_name(const fb::Tensor& t, int index) {
  return t.name() != nullptr && t.name()->size() > 0 ? t.name()->str()
                                                      : "tensor_" + std::to_string(index);
}

// Tensor `id` of subgraph `sg`, or nullptr when the index is out of range.
const fb::Tensor* tensor_at(const fb::SubGraph& sg, int64_t id) {
  const auto* tensors = sg.tensors();
  if (tensors == nullptr || id < 0 || id >= static_cast<int64_t>(tensors->size())) return nullptr;
  return tensors->Get(static_cast<uint32_t>(id));
}

FileTensor describe_tensor(const fb::SubGraph& sg, int64_t id) {
  FileTensor out;
  const fb::Tensor* t = tensor_at(sg, id);
  if (t == nullptr) {
    out.name = "tensor " + std::to_string(id) + " (out of range)";
    out.type = "?";
    out.has_shape = false;
    return out;
  }
  out.name = tensor_name(*t, static_cast<int>(id));
  out.type = type_name(t->type());
  // shape_signature marks the dims the converter left dynamic with -1.
  const auto* shape = t->shape();
  const auto* signature = t->shape_signature();
  const bool use_signature =
      signature != nullptr && shape != nullptr && signature->size() == shape->size();
  if (shape != nullptr) {
    for (uint32_t k = 0; k < shape->size(); ++k) {
      FileDim d;
      d.has_value = !(use_signature && signature->Get(k) < 0);
      d.value = shape->Get(k);
      out.shape.push_back(d);
    }
  }
  return out;
}

// The op type of operator `op`: the builtin's name or the custom code.
std::string op_type(const fb::Model& model, const fb::Operator& op) {
  const auto* codes = model.operator_codes();
  if (codes == nullptr || op.opcode_index() >= codes->size()) {
    return "opcode " + std::to_string(op.opcode_index()) + " (out of range)";
  }
  const fb::OperatorCode& code = *codes->Get(op.opcode_index());
  const int32_t builtin = resolve_builtin_code(code);
  if (builtin == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)) {
    return code.custom_code() != nullptr && code.custom_code()->size() > 0
               ? code.custom_code()->str()
               : "CUSTOM";
  }
  return builtin_name(builtin);
}

// A node's name as the reader gives it: its first output tensor's.
std::string node_name(const fb::SubGraph& sg, const fb::Operator& op) {
  if (op.outputs() == nullptr || op.outputs()->size() == 0) return "";
  const fb::Tensor* t = tensor_at(sg, op.outputs()->Get(0));
  return t == nullptr ? "" : tensor_name(*t, op.outputs()->Get(0));
}

// Elements and bytes of the constant buffers tensors point to, each buffer
// counted once (subgraphs may share one).
void count_constants(const fb::Model& model, size_t file_size, ModelFileInfo& info) {
  const auto* buffers = model.buffers();
  const auto* subgraphs = model.subgraphs();
  if (buffers == nullptr || subgraphs == nullptr) return;
  std::unordered_set<uint32_t> counted;
  for (const fb::SubGraph* sg : *subgraphs) {
    if (sg->tensors() == nullptr) continue;
    for (const fb::Tensor* t : *sg->tensors()) {
      const uint32_t b = t->buffer();
      if (b == 0 || b >= buffers->size() || !counted.insert(b).second) continue;
      const fb::Buffer& buffer = *buffers->Get(b);
      uint64_t bytes = buffer.data() != nullptr ? buffer.data()->size() : 0;
      if (bytes == 0 && buffer.offset() > 1) bytes = buffer.size();  // stored after the flatbuffer
      if (bytes == 0) continue;
      int64_t elements = 1;
      bool countable = bytes <= file_size;
      if (t->shape() != nullptr) {
        for (int32_t d : *t->shape()) {
          countable = countable && d >= 0 && !__builtin_mul_overflow(elements, d, &elements);
        }
      }
      if (!countable || __builtin_add_overflow(info.params, elements, &info.params) ||
          __builtin_add_overflow(info.param_bytes, static_cast<int64_t>(bytes), &info.param_bytes)) {
        ++info.uncounted_constants;
      }
    }
  }
}

// Nodes of subgraph 0 that read or write a tensor of a type the engine
// lacks (the tensor once, at its first node); such tensors no node touches
// (an unused graph input) with index -1.
void unsupported_types(const fb::SubGraph& sg, ModelFileInfo& info, const fb::Model& model) {
  const auto* tensors = sg.tensors();
  if (tensors == nullptr) return;
  std::unordered_set<int64_t> named;
  const auto check = [&](int64_t id, int node, const fb::Operator* op, const char* how) {
    const fb::Tensor* t = tensor_at(sg, id);
    if (t == nullptr || map_dtype(t->type()).has_value() || !named.insert(id).second) return;
    UnrunnableNode n;
    n.graph = 0;
    n.index = node;
    if (op != nullptr) {
      n.name = node_name(sg, *op);
      n.op = op_type(model, *op);
    }
    n.tensor = tensor_name(*t, static_cast<int>(id));
    n.tensor_type = type_name(t->type());
    n.reason = std::string(how) + " tensor " + std::to_string(id) + " '" + n.tensor +
               "' of element type " + n.tensor_type +
               ", which opscope does not support (supported: FLOAT32, FLOAT16, INT8, UINT8, "
               "INT32, INT64, BOOL)";
    info.unrunnable.push_back(std::move(n));
  };
  if (sg.operators() != nullptr) {
    for (uint32_t i = 0; i < sg.operators()->size(); ++i) {
      const fb::Operator& op = *sg.operators()->Get(i);
      if (op.inputs() != nullptr) {
        for (int32_t id : *op.inputs()) check(id, static_cast<int>(i), &op, "reads");
      }
      if (op.outputs() != nullptr) {
        for (int32_t id : *op.outputs()) check(id, static_cast<int>(i), &op, "writes");
      }
    }
  }
  for (uint32_t id = 0; id < tensors->size(); ++id) check(id, -1, nullptr, "has");
}

}  // namespace

Result<formats::ModelFileInfo> describe_tflite_buffer(const uint8_t* data, size_t size,
                                                      const std::string& display_name) {
  auto checked = check_flatbuffer(data, size);
  if (!checked.is_ok()) return checked.status().with_prefix(display_name);
  const fb::Model& model = **checked;
  ModelFileInfo info;
  info.format = "tflite";
  info.schema_version = model.version();
  if (model.description() != nullptr) info.producer = model.description()->str();

  const auto* subgraphs = model.subgraphs();
  const uint32_t num_subgraphs = subgraphs == nullptr ? 0 : subgraphs->size();
  for (uint32_t s = 0; s < num_subgraphs; ++s) {
    const fb::SubGraph& sg = *subgraphs->Get(s);
    FileGraph g;
    g.path = "subgraph " + std::to_string(s);
    if (sg.name() != nullptr) g.name = sg.name()->str();
    g.nodes = sg.operators() == nullptr ? 0 : static_cast<int>(sg.operators()->size());
    for (int i = 0; i < g.nodes; ++i) ++g.op_histogram[op_type(model, *sg.operators()->Get(i))];
    info.graphs.push_back(std::move(g));
  }
  if (num_subgraphs > 0) {
    const fb::SubGraph& main = *subgraphs->Get(0);
    if (main.inputs() != nullptr) {
      for (int32_t id : *main.inputs()) info.inputs.push_back(describe_tensor(main, id));
    }
    if (main.outputs() != nullptr) {
      for (int32_t id : *main.outputs()) info.outputs.push_back(describe_tensor(main, id));
    }
    unsupported_types(main, info, model);
  }
  count_constants(model, size, info);
  return info;
}

Result<formats::ModelFileInfo> describe_tflite_file(const std::string& path) {
  auto mapped = formats::MappedFile::open(path);
  if (!mapped.is_ok()) return mapped.status();
  return describe_tflite_buffer((*mapped)->data(), (*mapped)->size(), path);
}

}  // namespace opscope::tflite

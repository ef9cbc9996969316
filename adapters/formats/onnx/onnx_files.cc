#include "adapters/formats/onnx/onnx_files.h"

#include <set>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/onnx/onnx_import.h"

namespace opscope::onnx {

namespace {

// Non-regular files (directories, FIFOs, devices) are refused unread.
Result<std::string> slurp(const std::string& path) {
  OPSCOPE_ASSIGN_OR_RETURN(auto file, formats::MappedFile::open(path));
  return std::string(reinterpret_cast<const char*>(file->data()), file->size());
}

}  // namespace

Result<TensorFile> read_tensor_file(const std::string& path) {
  OPSCOPE_ASSIGN_OR_RETURN(std::string bytes, slurp(path));
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) {
    return Status(ErrorCode::kMalformedModel, path + ": not a TensorProto");
  }
  auto data = read_tensor_proto(proto, "");
  if (!data.is_ok()) return data.status().with_prefix(path);
  TensorFile out;
  out.name = proto.name();
  out.dtype = data->dtype;
  out.shape = data->shape;
  out.data.assign(data->data, data->data + data->bytes);
  return out;
}

Result<ModelSummary> summarize_model(const std::string& path) {
  OPSCOPE_ASSIGN_OR_RETURN(std::string bytes, slurp(path));
  ::onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    return Status(ErrorCode::kMalformedModel, path + ": not a ModelProto");
  }
  ModelSummary s;
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") s.opset = static_cast<int>(o.version());
  }
  std::set<std::string> seen;
  for (const auto& n : model.graph().node()) {
    const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
    const std::string op = (default_domain ? "" : n.domain() + ".") + n.op_type();
    if (seen.insert(op).second) s.ops.push_back(op);
  }
  const auto type_name = [](const ::onnx::ValueInfoProto& vi) -> std::string {
    if (!vi.type().has_tensor_type()) return "non-tensor";
    const int t = vi.type().tensor_type().elem_type();
    return ::onnx::TensorProto::DataType_IsValid(t)
               ? ::onnx::TensorProto::DataType_Name(static_cast<::onnx::TensorProto::DataType>(t))
               : "type " + std::to_string(t);
  };
  std::set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  for (const auto& vi : model.graph().input()) {
    if (!initializers.count(vi.name())) s.input_types.push_back(type_name(vi));
  }
  for (const auto& vi : model.graph().output()) s.output_types.push_back(type_name(vi));
  return s;
}

}  // namespace opscope::onnx

#include "harness/inspect_file.h"

#include <filesystem>
#include <regex>
#include <string>
#include <system_error>

#include "adapters/formats/model_file_info.h"
#include "adapters/formats/onnx/onnx_file_info.h"
#include "adapters/formats/tflite/tflite_file_info.h"
#include "result/utf8.h"

namespace opscope::harness {
namespace {

using nlohmann::json;
using formats::FileTensor;
using formats::ModelFileInfo;

json tensor_json(const FileTensor& t) {
  json shape = json(nullptr);  // the file states no shape
  if (t.has_shape) {
    shape = json::array();
    for (const formats::FileDim& d : t.shape) {
      if (d.has_value) {
        shape.push_back(d.value);
      } else if (!d.symbol.empty()) {
        shape.push_back(d.symbol);
      } else {
        shape.push_back(nullptr);
      }
    }
  }
  return {{"name", t.name}, {"dtype", t.type}, {"shape", shape}};
}

json describe(const ModelFileInfo& info, const std::string& path, const Status& import_error) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  json j;
  j["described_from"] = "file";
  j["runnable"] = false;
  j["import_error"] = {{"code", std::string(to_string(import_error.code()))},
                       {"message", import_error.message()}};
  int64_t source_nodes = 0;  // every graph's, as a loaded model's ModelInfo counts them
  for (const formats::FileGraph& g : info.graphs) source_nodes += g.nodes;
  json& m = j["model"];
  m = {{"path", path},
       {"name", std::filesystem::path(path).filename().string()},
       {"format", info.format},
       {"size_bytes", ec ? 0 : static_cast<int64_t>(size)},
       {"producer", info.producer},
       {"params", info.params},
       {"param_bytes", info.param_bytes},
       {"uncounted_constants", info.uncounted_constants},
       {"source_nodes", source_nodes}};
  if (info.format == "onnx") {
    m["producer_version"] = info.producer_version;
    m["ir_version"] = info.ir_version;
    m["opset_imports"] = json::array();
    for (const auto& [domain, version] : info.opset_imports) {
      m["opset_imports"].push_back({{"domain", domain}, {"version", version}});
    }
  } else {
    m["schema_version"] = info.schema_version;
  }
  j["inputs"] = json::array();
  for (const FileTensor& t : info.inputs) j["inputs"].push_back(tensor_json(t));
  j["outputs"] = json::array();
  for (const FileTensor& t : info.outputs) j["outputs"].push_back(tensor_json(t));
  j["op_histogram"] = info.graphs.empty() ? json::object() : json(info.graphs[0].op_histogram);
  j["graphs"] = json::array();
  for (size_t g = 0; g < info.graphs.size(); ++g) {
    const formats::FileGraph& fg = info.graphs[g];
    json e = {{"index", g},           {"path", fg.path},   {"name", fg.name},
              {"parent", fg.parent},  {"depth", fg.depth}, {"nodes", fg.nodes},
              {"op_histogram", fg.op_histogram}};
    if (fg.owner_node >= 0) {
      e["owner"] = {{"index", fg.owner_node},
                    {"name", fg.owner_name},
                    {"type", fg.owner_op},
                    {"attribute", fg.attribute}};
    }
    j["graphs"].push_back(std::move(e));
  }
  // The keys of the engine's "unsupported" entries, plus the graph and, for
  // element types, the tensor.
  j["unsupported"] = json::array();
  for (const formats::UnrunnableNode& u : info.unrunnable) {
    json e = {{"graph", u.graph},
              {"graph_path", info.graphs.at(u.graph).path},
              {"index", u.index},
              {"source_index", u.index},
              {"name", u.name},
              {"type", u.op},
              {"reason", u.reason}};
    if (!u.tensor.empty()) {
      e["tensor"] = u.tensor;
      e["tensor_type"] = u.tensor_type;
    }
    j["unsupported"].push_back(std::move(e));
  }
  escape_invalid_utf8(j);
  return j;
}

// The node the import error names ("node N 'NAME' (OP): REASON", as
// describe_node words it), added to the file's list when the list lacks it:
// a node whose op the importer translates but not in this form (an If whose
// condition is computed at run time) fails only when it is translated.
void add_failing_node(ModelFileInfo& info, const Status& import_error) {
  static const std::regex kNode(R"(node (\d+) '([^']*)' \(([^)]*)\): (.*))");
  std::smatch m;
  const std::string& message = import_error.message();
  if (!std::regex_search(message, m, kNode)) return;
  formats::UnrunnableNode u;
  u.index = std::stoi(m[1].str());
  u.name = m[2].str();
  u.op = m[3].str();
  u.reason = m[4].str();
  for (const formats::UnrunnableNode& known : info.unrunnable) {
    if (known.graph == 0 && known.index == u.index) return;
  }
  info.unrunnable.insert(info.unrunnable.begin(), std::move(u));
}

}  // namespace

Result<json> inspect_unimportable(const std::string& path, const Status& import_error) {
  if (import_error.code() == ErrorCode::kIoError) return import_error;
  const std::string ext = std::filesystem::path(path).extension().string();
  Result<ModelFileInfo> info = ext == ".onnx"     ? onnx::describe_onnx_file(path)
                               : ext == ".tflite" ? tflite::describe_tflite_file(path)
                                                  : Result<ModelFileInfo>(import_error);
  if (!info.is_ok()) return import_error;
  add_failing_node(*info, import_error);
  return describe(*info, path, import_error);
}

}  // namespace opscope::harness

#include "harness/inspect_pytorch.h"

#include <filesystem>
#include <map>
#include <memory>

#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "harness/run_pytorch_case.h"

namespace opscope::harness {

using nlohmann::json;

Result<json> inspect_pytorch(const std::string& path, const std::vector<std::string>& shapes,
                             uint64_t seed) {
  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<pytorch::Module> module,
                           pytorch::Module::load(path, pytorch::LoadOptions{}));
  const std::vector<std::string> operators = module->operator_names();
  std::string precision = "f32";
  for (const std::string& op : operators) {
    if (op.rfind("quantized::", 0) == 0) precision = "int8";
  }
  std::error_code ec;
  json j;
  j["runtime"] = "pytorch";
  j["model"] = {{"path", path},
                {"name", std::filesystem::path(path).filename().string()},
                {"format", module->format()},
                {"size_bytes", static_cast<int64_t>(std::filesystem::file_size(path, ec))},
                {"params", module->params()},
                {"precision", precision}};
  j["methods"] = module->methods();
  j["operators"] = operators;
  if (const int64_t calls = module->static_operator_calls(); calls >= 0) {
    j["operator_calls_in_code"] = calls;
  }
  j["bundled_inputs"] = module->has_bundled_inputs();
  j["shapes_given"] = !shapes.empty();
  if (shapes.empty() && !module->has_bundled_inputs()) return j;

  OPSCOPE_RETURN_IF_ERROR(feed_pytorch_inputs(*module, path, {}, shapes, seed));
  OPSCOPE_ASSIGN_OR_RETURN(const PyTorchCalls calls, discover_pytorch_calls(*module));
  j["inputs"] = json::array();
  const std::vector<std::string> given = module->input_shapes();
  for (size_t k = 0; k < given.size(); ++k) {
    j["inputs"].push_back({{"name", "input_" + std::to_string(k)}, {"shape", given[k]}});
  }
  std::map<std::string, int> histogram, categories;
  j["calls"] = json::array();
  for (size_t k = 0; k < calls.types.size(); ++k) {
    ++histogram[calls.types[k]];
    ++categories[calls.categories[k]];
    j["calls"].push_back(
        {{"index", k}, {"type", calls.types[k]}, {"category", calls.categories[k]}});
  }
  j["op_histogram"] = histogram;
  j["categories"] = categories;
  return j;
}

}  // namespace opscope::harness

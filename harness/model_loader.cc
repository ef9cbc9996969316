#include "harness/model_loader.h"

#include <filesystem>

#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/transforms/fold_constant_dequantize.h"

namespace opscope::harness {

Result<std::shared_ptr<Model>> load_model(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".tflite") {
    return Status(ErrorCode::kInvalidArgument,
                  path + ": unknown model format '" + ext +
                      "' (supported: .tflite)");
  }
  OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<Model> model,
                           tflite::load_tflite_file(path));
  model->info.folded_nodes += fold_constant_dequantize(model->graph);
  return model;
}

}  // namespace opscope::harness

#include "harness/model_loader.h"

#include <filesystem>

#include "adapters/formats/onnx/onnx_reader.h"
#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/transforms/fold_constant_dequantize.h"
#include "engine/transforms/qdq/fuse_qdq.h"

namespace opscope::harness {

Result<std::shared_ptr<Model>> load_model(const std::string& path,
                                          const ModelLoadOptions& options) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".onnx") {
    onnx::LoadOptions onnx_options;
    for (const std::string& s : options.shapes) {
      OPSCOPE_ASSIGN_OR_RETURN(auto parsed, onnx::parse_shape_override(s));
      onnx_options.input_shapes.push_back(std::move(parsed));
    }
    OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<Model> model,
                             onnx::load_onnx_file(path, onnx_options));
    // QDQ groups run as the engine's int8 ops (fuse_qdq.h).
    const QdqFusionStats qdq = fuse_qdq(model->graph);
    model->info.folded_nodes += qdq.removed_nodes;
    model->info.qdq_fused_ops = qdq.fused_ops;
    model->info.qdq_kept_nodes = qdq.kept_qdq;
    return model;
  }
  if (ext != ".tflite") {
    return Status(ErrorCode::kInvalidArgument,
                  path + ": unknown model format '" + ext +
                      "' (supported: .tflite, .onnx)");
  }
  if (!options.shapes.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  path + ": --shape applies to ONNX models; TFLite models have "
                         "static input shapes");
  }
  OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<Model> model,
                           tflite::load_tflite_file(path));
  model->info.folded_nodes += fold_constant_dequantize(model->graph);
  return model;
}

}  // namespace opscope::harness

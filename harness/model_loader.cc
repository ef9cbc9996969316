#include "harness/model_loader.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "adapters/formats/onnx/onnx_reader.h"
#include "adapters/formats/tflite/tflite_reader.h"
#include "datasets/npy.h"
#include "engine/transforms/fold_constant_dequantize.h"
#include "engine/transforms/qdq/fuse_qdq.h"
#include "result/utf8.h"

namespace opscope::harness {
namespace {

// One --freeze spec into the ONNX load options: NAME=FILE.npy (its dtype
// and shape) or NAME=NUMBER (the input's declared type).
Status add_frozen_input(const std::string& spec, onnx::LoadOptions& options) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  "--freeze '" + escape_invalid_utf8(spec) + "': write NAME=NUMBER or NAME=FILE.npy");
  }
  const std::string name = spec.substr(0, eq), value = spec.substr(eq + 1);
  if (value.size() > 4 && value.compare(value.size() - 4, 4, ".npy") == 0) {
    OPSCOPE_ASSIGN_OR_RETURN(datasets::NpyArray a, datasets::read_npy(value));
    options.constant_inputs.push_back({name, {a.dtype, a.shape, std::move(a.data)}});
    return Status::ok();
  }
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (end != value.c_str() + value.size() || !std::isfinite(number) ||
      std::fabs(number) > 9.0e18) {
    return Status(ErrorCode::kInvalidArgument, "--freeze '" + escape_invalid_utf8(spec) +
                                                   "': '" + escape_invalid_utf8(value) +
                                                   "' is not a finite number or a .npy file");
  }
  options.scalar_inputs.push_back({name, number});
  return Status::ok();
}

}  // namespace

Result<std::shared_ptr<Model>> load_model(const std::string& path,
                                          const ModelLoadOptions& options) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".onnx") {
    onnx::LoadOptions onnx_options;
    for (const std::string& s : options.shapes) {
      OPSCOPE_ASSIGN_OR_RETURN(auto parsed, onnx::parse_shape_override(s));
      onnx_options.input_shapes.push_back(std::move(parsed));
    }
    for (const std::string& spec : options.freeze) {
      OPSCOPE_RETURN_IF_ERROR(add_frozen_input(spec, onnx_options));
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
  if (!options.freeze.empty()) {
    return Status(ErrorCode::kInvalidArgument, path + ": --freeze applies to ONNX models");
  }
  OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<Model> model,
                           tflite::load_tflite_file(path));
  model->info.folded_nodes += fold_constant_dequantize(model->graph);
  return model;
}

}  // namespace opscope::harness

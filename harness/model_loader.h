// Loads a model file by its format and applies the load-time transforms.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::harness {

struct ModelLoadOptions {
  // "NAME=1x3x224x224" (--shape): static dims for free input dims (ONNX).
  std::vector<std::string> shapes;
  // "NAME=NUMBER" or "NAME=FILE.npy" (--freeze): graph inputs made constants
  // at load (ONNX), so what depends only on them folds: an If on a sample
  // rate input takes its branch at load.
  std::vector<std::string> freeze;
};

// By extension: .tflite (fold_constant_dequantize applied, its count in
// ModelInfo::folded_nodes) or .onnx (imported NHWC; see
// adapters/formats/onnx/onnx_reader.h). --shape applies to ONNX models
// only; a TFLite model with shapes given is an error.
Result<std::shared_ptr<Model>> load_model(const std::string& path,
                                          const ModelLoadOptions& options = {});

}  // namespace opscope::harness

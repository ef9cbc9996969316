// Loads a model file by its format and applies the load-time transforms.
#pragma once

#include <memory>
#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::harness {

// .tflite files for now. Applies fold_constant_dequantize and records the
// folded count in ModelInfo.
Result<std::shared_ptr<Model>> load_model(const std::string& path);

}  // namespace opscope::harness

// Reading ONNX protobuf files outside a model load: the backend node
// tests' input_N.pb / output_N.pb (TensorProto) and a model's op list.
// For tests and tools; the reader itself does not use these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/tensor.h"

namespace opscope::onnx {

struct TensorFile {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;
  std::vector<uint8_t> data;  // dense, row-major, little-endian
};

// Reads a serialized TensorProto.
Result<TensorFile> read_tensor_file(const std::string& path);

// What a model file holds, read without importing it.
struct ModelSummary {
  int opset = -1;  // of the default domain; -1 when not imported
  // Op types of the main graph ("domain.Op" outside the default domain),
  // in node order with repeats removed.
  std::vector<std::string> ops;
  // Element types (TensorProto.DataType names, "FLOAT", "INT64", ...) of
  // the graph inputs that are not initializers, and of the outputs;
  // "non-tensor" for sequences, maps and optionals.
  std::vector<std::string> input_types, output_types;
};

Result<ModelSummary> summarize_model(const std::string& path);

}  // namespace opscope::onnx

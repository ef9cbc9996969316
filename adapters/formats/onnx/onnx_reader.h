// Reads ONNX models (.onnx, protobuf ModelProto) into the engine's IR.
//
// Contract:
// - Opsets 7 to 18 of the default domain; a node of any other domain, or
//   an op the importer does not translate, fails the load with a message
//   naming the node, its op and the reason (kUnsupportedOp).
// - NCHW graphs are imported into the engine's NHWC layout once:
//   convolution and pooling run channels-last, their weights repacked at
//   load; transposes are added only where a graph input or output (or an
//   op that needs the ONNX order, such as Reshape) demands one, and a
//   transpose that only moves dims of size 1 becomes a reshape that folds
//   into its neighbours. Graph inputs and outputs keep ONNX's shapes.
// - Load-time transforms: BatchNormalization folds into the preceding
//   convolution, Relu/Clip fuse into the op before them, HardSigmoid(x)*x
//   becomes HardSwish, and subgraphs whose inputs are all constant (shape
//   arithmetic: Shape -> Gather -> Unsqueeze -> Concat -> Reshape) are
//   evaluated at load.
// - Every graph input needs static dims: a free (symbolic or unknown) dim
//   comes from LoadOptions::input_shapes, except a free leading batch dim,
//   which defaults to 1 (noted in LoadNotes). A free dim left over fails
//   with a message naming the input.
// - Every error message starts with the file's display name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::onnx {

// A value for a graph input that is known at load time.
struct InputValue {
  DType dtype = DType::kF32;
  Shape shape;
  std::vector<uint8_t> data;  // dense, row-major
};

struct LoadOptions {
  // Full shapes of graph inputs by name (--shape NAME=1x3x224x224).
  std::vector<std::pair<std::string, Shape>> input_shapes;
  // Graph inputs to freeze into constants, by name: for inputs the
  // importer needs constant (a Conv's weights, a Reshape's shape), as the
  // ONNX backend node tests feed them.
  std::vector<std::pair<std::string, InputValue>> constant_inputs;
  // Graph inputs to freeze to one number each (--freeze sr=16000), of the
  // input's declared type and shape (which must hold one element).
  std::vector<std::pair<std::string, double>> scalar_inputs;
};

struct LoadNotes {
  std::vector<std::string> messages;  // one line each, for logs
};

// Reads `path`; external data files are looked up next to it.
// Errors: kIoError (cannot read), kMalformedModel (not a ModelProto, bad
// tensor data), kInvalidGraph (missing values, cycles), kUnsupportedOp,
// kShapeMismatch, kTypeMismatch, kInvalidArgument (unresolved input dims,
// unknown --shape input).
Result<std::shared_ptr<Model>> load_onnx_file(const std::string& path,
                                              const LoadOptions& options = {},
                                              LoadNotes* notes = nullptr);

// Reads a model held in memory (tests, fuzzing). External data is refused
// unless `base_dir` is given. `display_name` starts every error message.
Result<std::shared_ptr<Model>> load_onnx_buffer(
    const uint8_t* data, size_t size, const std::string& display_name,
    const LoadOptions& options = {}, LoadNotes* notes = nullptr,
    const std::string& base_dir = "");

// Parses "NAME=1x3x224x224" (the --shape flag): NAME, then 'x'-separated
// non-negative dims. The name may itself contain '='; the last one splits.
Result<std::pair<std::string, Shape>> parse_shape_override(
    const std::string& text);

}  // namespace opscope::onnx

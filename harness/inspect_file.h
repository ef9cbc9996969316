// `opscope inspect` of a model the engine cannot import: what the file
// itself says (adapters/formats/model_file_info.h), so that a model that
// parses is always described, even one that cannot run.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/status.h"

namespace opscope::harness {

// The description of the .onnx or .tflite file at `path` read straight from
// its format, for when loading it failed with `import_error`:
//   "described_from": "file", "runnable": false,
//   "import_error": {"code", "message"}, "model" {..., "producer",
//   "opset_imports" / "schema_version"}, "inputs", "outputs" (types as the
//   file names them, dims as numbers, symbols or null), "op_histogram" (the
//   main graph), "graphs" (every graph with its own histogram: ONNX
//   subgraphs as "If.then_branch", TFLite subgraphs), "unsupported" (every
//   node that cannot run, with its reason; for element types the tensor
//   and its type).
// Every string is valid UTF-8 (other bytes escaped as \xNN, result/utf8.h).
// Returns `import_error` itself when there is nothing to describe: the file
// cannot be read, is of no format we read, or does not parse.
Result<nlohmann::json> inspect_unimportable(const std::string& path, const Status& import_error);

}  // namespace opscope::harness

// An ONNX file described from its protobuf alone, with no import: inputs
// and outputs as the file types them, the op histogram of the main graph
// and of every subgraph that If/Loop/Scan attributes hold, opsets, producer,
// initializer sizes, and every node the importer cannot translate or whose
// element type the engine lacks (formats/model_file_info.h).
//
// `opscope inspect` falls back to it when load_onnx_file fails on a file
// that parses. It never fails on what the importer would refuse; only a
// file that does not parse is an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/formats/model_file_info.h"
#include "engine/status.h"

namespace opscope::onnx {

// Errors: kIoError (cannot read `path`), kMalformedModel (not a ModelProto),
// both worded as load_onnx_file words them.
Result<formats::ModelFileInfo> describe_onnx_file(const std::string& path);
Result<formats::ModelFileInfo> describe_onnx_buffer(const uint8_t* data, size_t size,
                                                    const std::string& display_name);

}  // namespace opscope::onnx

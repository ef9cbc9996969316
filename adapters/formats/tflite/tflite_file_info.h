// A TFLite file described from its flatbuffer alone, with no engine graph:
// subgraph 0's inputs and outputs as the file types them (shape_signature's
// -1 as an unknown dim), every subgraph with its node count and op
// histogram, the schema version and description, the size of the constant
// buffers, and the nodes that read or write a tensor of an element type the
// engine lacks (formats/model_file_info.h).
//
// `opscope inspect` falls back to it when load_tflite_file fails on a file
// that passes the verifier. Every index inside the tables is checked here
// too: a bad one is described, never followed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/formats/model_file_info.h"
#include "engine/status.h"

namespace opscope::tflite {

// Errors: kIoError (cannot read `path`), kMalformedModel (fails the size,
// identifier or verifier checks), worded as load_tflite_file words them.
Result<formats::ModelFileInfo> describe_tflite_file(const std::string& path);
Result<formats::ModelFileInfo> describe_tflite_buffer(const uint8_t* data, size_t size,
                                                      const std::string& display_name);

}  // namespace opscope::tflite

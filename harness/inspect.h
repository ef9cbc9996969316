// `opscope inspect`: what a model is, without running it.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/status.h"

namespace opscope::harness {

// Loads the model and describes it: inputs and outputs, op histogram,
// parameters, weight precision, MACs per node and in total, the planned
// backend of every node, and every node no backend supports (with reasons).
// Shapes are the ones the engine resolves when it can prepare the model,
// else the ones stated in the file. "runnable" says whether every node has
// a backend and the engine could prepare the model.
// When the engine cannot import the model at all (an op the importer lacks,
// an element type it has no dtype for) but the file parses, the result is
// the file's own description with "runnable": false and "import_error"
// (harness/inspect_file.h); the error is returned only when the file cannot
// be read or does not parse.
Result<nlohmann::json> inspect_model(const std::string& path,
                                     const std::vector<std::string>& backends,
                                     int min_partition_size = 1);

}  // namespace opscope::harness

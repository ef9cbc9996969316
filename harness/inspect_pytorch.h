// `opscope inspect` of a PyTorch file (.ptl, .pt): its methods, parameter
// count and the operators its code calls, read from the file; with input
// shapes, also the operator calls of one forward() in order, with their
// categories (what `run` makes rows of).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/status.h"

namespace opscope::harness {

// `shapes`: one "1x3x224x224" (or "NAME=1x3x224x224") per forward()
// argument; empty: the calls are not listed.
Result<nlohmann::json> inspect_pytorch(const std::string& path,
                                       const std::vector<std::string>& shapes, uint64_t seed);

}  // namespace opscope::harness

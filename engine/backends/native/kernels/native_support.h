// Shared checks of the native kernels' supports functions.
#pragma once

#include <string>
#include <string_view>

#include "engine/graph.h"

namespace opscope::native {

// Whether tensor `id` of `graph` is an int8 activation quantized per tensor
// (one scale; a zero point within [-128, 127]); otherwise sets *why_not
// (may be nullptr), naming it `what`.
bool is_int8_per_tensor(const Graph& graph, int id, std::string_view what, std::string* why_not);

// Sets *why_not (may be nullptr) to `reason` and returns false.
bool decline(std::string* why_not, std::string reason);

}  // namespace opscope::native

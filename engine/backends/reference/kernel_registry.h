// Lookup of the reference backend's kernels.
#pragma once

#include <string>

#include "engine/graph.h"
#include "engine/kernel.h"

namespace opscope::reference {

// The kernel factory for `node`, chosen by op and by the dtype of its first
// input; nullptr when the reference backend has none, with the reason in
// `why_not` (if given).
KernelFactory find_kernel(const Graph& graph, const Node& node,
                          std::string* why_not);

}  // namespace opscope::reference

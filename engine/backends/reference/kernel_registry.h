// Lookup of the reference backend's kernels.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "engine/graph.h"
#include "engine/kernel.h"

namespace opscope::reference {

// The kernel factory for `node`, chosen by op and by the dtype of its first
// input; nullptr when the reference backend has none, with the reason in
// `why_not` (if given).
KernelFactory find_kernel(const Graph& graph, const Node& node,
                          std::string* why_not);

// The kernel of graph.nodes[node_index], prepared (shapes set, weights
// packed); its scratch bytes go to `scratch_bytes`. kUnsupportedOp naming
// the node when there is none, or prepare's error. A control-flow node's
// bodies run on `body_backends` (null: the reference backend).
Result<std::unique_ptr<Kernel>> prepare_kernel(Graph& graph, int node_index,
                                               size_t* scratch_bytes,
                                               const std::vector<std::string>* body_backends = nullptr);

}  // namespace opscope::reference

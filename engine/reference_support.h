// What the reference backend can run, asked without its kernel registry:
// for format readers that refuse at load, naming the file, a model the
// engine cannot run (the ONNX importer, with infer_shapes for the node's
// structure), and for tools that explain placements.
#pragma once

#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope {

// Whether the reference backend has a kernel for graph.nodes[node_index] (by
// op and first input's dtype); if not, the reason goes to `why_not`.
bool reference_supports(const Graph& graph, int node_index, std::string* why_not);

}  // namespace opscope

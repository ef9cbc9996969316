// What the reference backend can run, asked without its kernel registry:
// for format readers that refuse at load, naming the file, a model the
// engine cannot run (the ONNX importer), and for tools that explain
// placements.
#pragma once

#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope {

// Whether the reference backend has a kernel for graph.nodes[node_index] (by
// op and first input's dtype); if not, the reason goes to `why_not`.
bool reference_supports(const Graph& graph, int node_index, std::string* why_not);

// Runs every check the reference kernel of graph.nodes[node_index] makes
// before it can run (dtypes, quantization, constant inputs such as GATHER's
// indices) and sets the node's output shapes, as a session's prepare would;
// the error names the node. Costs one kernel prepare (constant weights are
// packed, then dropped): where only shapes are needed, call infer_shapes
// (shape_inference.h) instead.
Status reference_check(Graph& graph, int node_index);

}  // namespace opscope

// Constant folding: a node whose inputs are all constant is evaluated once,
// at load, and its outputs become constants of the graph.
//
// The node runs on the reference kernels (prepare, then run into owned
// buffers), so it folds exactly what the reference backend would compute.
// What is cheap enough to fold is the caller's policy (FoldLimits): a reader
// folds while it builds the graph, node by node, after the node's output
// shapes are resolved.
#pragma once

#include <cstdint>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope {

struct FoldLimits {
  int64_t max_output_bytes = 0;  // per output tensor
  int64_t max_macs = 0;          // of the node (macs.h)
};

// Whether graph.nodes[node_index] has only constant (or absent) inputs,
// outputs of known shape within max_output_bytes each, and at most
// max_macs multiply-accumulates.
bool can_fold(const Graph& graph, int node_index, const FoldLimits& limits);

// Evaluates graph.nodes[node_index], whose inputs must all be constant: its
// outputs become owned constants and the node is erased from graph.nodes
// (later node indices shift down by one). Fails, naming the node, when the
// reference backend cannot run it; the graph is then unchanged.
Status fold_node(Graph& graph, int node_index);

}  // namespace opscope

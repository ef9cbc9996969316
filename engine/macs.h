// Multiply-accumulate counts per node, from the tensor shapes.
//
// Convolutions, fully-connected and matmuls count their multiply-adds;
// pooling and reductions count one per input element read per output; plain
// elementwise ops and data movement count 0 (they are memory-bound and a MAC
// figure would mislead).
#pragma once

#include <cstdint>

#include "engine/graph.h"

namespace opscope {

int64_t node_macs(const Graph& graph, const Node& node);
int64_t graph_macs(const Graph& graph);

}  // namespace opscope

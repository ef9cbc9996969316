// Graph transform: a standalone RELU or RELU6 whose input is the only use
// of a CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL or 2D
// pool output (with no fused activation yet) becomes that op's fused
// activation. The float results are identical; the int8 graph needs it,
// since int8 kernels apply the clamp through the output's range and there
// is no int8 RELU kernel.
#pragma once

#include "engine/graph.h"

namespace opscope {

// Returns the number of RELU/RELU6 nodes folded. The producer then writes
// the activation node's output tensor (so consumers and names are kept);
// its old output tensor is left unused.
int fuse_activations(Graph& graph);

}  // namespace opscope

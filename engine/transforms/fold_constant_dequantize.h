// Load-time transform: DEQUANTIZE of a constant f16 tensor becomes a constant
// f32 tensor.
//
// MediaPipe models store weights as f16 behind DEQUANTIZE nodes; TFLite's
// runtimes fold them once at load, and so do we, so the per-op table shows
// the ops that run each invoke. The model's original weight precision stays
// in ModelInfo; the removed nodes are counted in ModelInfo::folded_nodes.
#pragma once

#include "engine/graph.h"

namespace opscope {

// Returns the number of nodes folded. Nodes whose output is a graph output
// are kept (the output must stay a produced tensor).
int fold_constant_dequantize(Graph& graph);

}  // namespace opscope

// Shape inference: the engine's statement of every op's output shapes.
//
// infer_shapes(graph, i) checks what the output shapes of graph.nodes[i]
// depend on (input ranks and sizes, attributes, constant shape / axes / size
// / paddings inputs) and sets the shape of every output. Outputs of the
// data-movement ops (which copy bytes of any dtype) also get their input's
// dtype and, when they have none, its quantization; outputs of float ops on
// f32 inputs get f32. Nothing else: dtypes, quantization and constant index
// values are the kernels' checks (a backend's compile), not shape rules.
//
// It needs the shapes of the node's inputs to be final, so call it in
// topological order. It allocates nothing that outlives the call and runs no
// kernel: backends that only need shapes (XNNPACK's compile) call it instead
// of a reference kernel's prepare. The reference kernels set the same shapes
// (tests/engine/shape_inference_test.cc holds both to it on every kernel
// graph and on the real models). Errors name the node and op:
// "node 3 'x' (CONV_2D): reason".
#pragma once

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope {

Status infer_shapes(Graph& graph, int node_index);

}  // namespace opscope

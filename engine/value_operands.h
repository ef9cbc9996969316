// Operands whose values set a node's output shape (ONNX lets Slice's starts
// and ends, Tile's repeats, Expand's shape and Pad's pads come from other
// nodes). When such an operand is computed at run
// time, the session plans with values it assumes (Graph::planned_values),
// learns them from a run, and re-plans whenever a run brings others:
//
//   - a node whose value operands have no planned values yet ends the plan:
//     the session plans and runs only the nodes before it, reads the
//     operands, and plans again (once per such node);
//   - the node's kernel compares the operands with the planned values every
//     run and fails with kShapeChanged when they differ; the session then
//     reads the new values, forgets the planned values of every later node
//     (they may depend on these) and runs again from the start.
//
// Value operand tensors get buffers of their own (never shared in the
// arena), so the session can read them after a run stops.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/graph.h"

namespace opscope {

// The input positions of `node` whose values determine its output shape;
// empty for ops whose shapes follow from the input shapes alone.
std::vector<int> value_operand_positions(const Node& node);

// The tensor ids of the node's value operands that are computed at run
// time (not constants): empty when its shape is known at load.
std::vector<int> runtime_value_operands(const Graph& graph, const Node& node);

// The values in a run-time tensor's buffer (i32 or i64, at most
// `elements`), for the session to learn planned values from.
std::vector<int64_t> read_int_buffer(const Tensor& tensor, const void* data);
// The same into `out`, reusing its storage: what kernels call in run(),
// which never allocates once `out` has held that many values.
void read_int_buffer_into(const Tensor& tensor, const void* data, std::vector<int64_t>* out);

// Writes `values` into the tensor's buffer in its dtype (i32 or i64), so
// that the buffer of a value operand always holds its planned values
// before a run.
void write_int_buffer(const Tensor& tensor, const std::vector<int64_t>& values, void* data);

}  // namespace opscope

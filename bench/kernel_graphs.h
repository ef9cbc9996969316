// One-node models for kernel microbenchmarks.
//
// A KernelSpec names an op, its attributes and its inputs; build_kernel_model()
// turns it into an opscope::Model holding exactly that node, ready for
// Session::create. The model owns everything it points to: constants (weights
// seeded random, or the integer operands the spec states) live in the
// tensors' owned storage. The output's shape is left empty: Session::create
// resolves it through the reference kernel's prepare, as for a real model.
//
//   KernelSpec s{OpKind::kConv2D, Conv2DAttrs{...},
//                {activation({1, 256, 256, 3}), weights({16, 3, 3, 3}),
//                 weights({16})}};
//   auto model = build_kernel_model(s);
//
// Graph inputs carry no data in the model; fill_inputs() writes seeded values
// into a session's input buffers once, before timing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/graph.h"
#include "engine/op_kind.h"
#include "engine/session.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace opscope::bench {

// What kind of tensor an input of the node is.
enum class InputKind : uint8_t {
  kActivation,  // a graph input, filled by fill_inputs()
  kWeights,     // a constant of seeded random values
  kValues,      // a constant with the values stated in InputSpec::values
  kAbsent,      // an absent optional input (tensor id -1)
};

struct InputSpec {
  InputKind kind = InputKind::kActivation;
  Shape shape;
  DType dtype = DType::kF32;
  Quantization quantization;  // integer tensors only
  // kValues: the constant's elements, converted to `dtype` (i32 or i64).
  std::vector<int64_t> values;
};

// A graph input of `shape`.
InputSpec activation(Shape shape, DType dtype = DType::kF32, Quantization q = {});
// A constant of seeded random values (f32 in [-1, 1], integers over their range).
InputSpec weights(Shape shape, DType dtype = DType::kF32, Quantization q = {});
// An i32 constant with the given elements (axes, paddings, sizes).
InputSpec i32_values(Shape shape, std::vector<int64_t> values);
InputSpec absent();

struct KernelSpec {
  OpKind op = OpKind::kUnknown;
  Attributes attrs;
  std::vector<InputSpec> inputs;
  DType output_dtype = DType::kF32;
  Quantization output_quantization;
  uint32_t seed = 1;  // seeds the weights; the same spec builds the same model
};

// The one-node model of `spec`. Fails (kInvalidArgument, kInvalidGraph) only
// on a malformed spec: the graph is checked with validate_graph().
Result<std::shared_ptr<Model>> build_kernel_model(const KernelSpec& spec);

// Writes seeded values into every input buffer of `session`: f32 uniform in
// [-1, 1], integers uniform over their range. Called once per session.
void fill_inputs(Session& session, uint32_t seed);

// Bytes one run of node 0 of `graph` touches: every input (constants
// included) plus every output, at their resolved shapes.
int64_t node_bytes(const Graph& graph);

}  // namespace opscope::bench

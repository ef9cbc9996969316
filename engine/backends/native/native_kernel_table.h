// The native backend's kernel table: one entry per op, each with its
// support check (why_not names the reason a node is declined; `opscope
// inspect` shows it) and its factory. The table lives in
// register_native_kernels.cc; adding an op is one line there.
//
// Every kernel follows engine/kernel.h (prepare once: checks, shapes,
// packed weights, scratch bytes; run: never allocates) and is bit-exact
// with the reference backend's int8 kernel of its op (the one float kernel,
// TRANSPOSE_CONV without overlapping windows, agrees within float rounding).
#pragma once

#include <memory>
#include <string>

#include "engine/backends/native/native_env.h"
#include "engine/graph.h"
#include "engine/kernel.h"
#include "engine/op_kind.h"

namespace opscope::native {

using NativeSupportsFn = bool (*)(const Graph& graph, const Node& node, std::string* why_not);
using NativeFactory = std::unique_ptr<Kernel> (*)(const NativeEnv& env);

struct NativeKernelEntry {
  OpKind op;
  NativeSupportsFn supports;
  NativeFactory make;
};

// The entry of `op`, or nullptr when the native backend has no kernel for it.
const NativeKernelEntry* find_native_kernel(OpKind op);

// Shared checks for support functions: whether input `i` of `node` is
// present with dtype i8 (false with the reason, naming the input, in
// why_not). The other checks of quantization are prepare()'s, the same as
// the reference kernel's, so a node the native backend takes fails
// nowhere the reference would not.
bool native_expect_i8_io(const Graph& graph, const Node& node, std::string* why_not);
bool native_expect_constant_i8_weights(const Graph& graph, const Node& node, int i,
                                       std::string* why_not);

// conv2d_i8.cc: CONV_2D with int8 activations and weights (per tensor or
// per channel), GEMM on the NHWC input for 1x1 stride 1, im2col otherwise.
bool native_supports_conv2d_i8(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_conv2d_i8(const NativeEnv& env);

// fully_connected_i8.cc: FULLY_CONNECTED with int8 activations and weights.
bool native_supports_fully_connected_i8(const Graph& graph, const Node& node,
                                        std::string* why_not);
std::unique_ptr<Kernel> make_native_fully_connected_i8(const NativeEnv& env);

}  // namespace opscope::native

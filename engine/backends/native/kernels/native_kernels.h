// The native backend's int8 kernels for the ops around the convolutions:
// one (supports, factory) pair per op, for the backend's table.
//
// native_supports_<op>() says whether the kernel takes a node, from the
// node's dtypes, quantization and attributes (cheap: no prepare), and when
// it does not, why (for `inspect`). make_native_<op>_i8() makes the kernel;
// its prepare() then makes the full checks of the reference int8 kernel of
// the op, with the same messages.
//
// Every kernel is bit-exact with the reference int8 kernel of its op
// (engine/backends/reference/kernels/int8/) on every Isa: env.isa picks the
// microkernels (files *_avx2.cc, *_avx512.cc), never the result. A kernel
// falls back to the portable path where its ISA has no microkernel.
#pragma once

#include <memory>
#include <string>

#include "engine/backends/native/native_env.h"
#include "engine/graph.h"
#include "engine/kernel.h"

namespace opscope::native {

// RESIZE_BILINEAR int8, NHWC, every align_corners / half_pixel_centers
// combination (resize_bilinear_i8.cc).
bool native_supports_resize_bilinear(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_resize_bilinear_i8(const NativeEnv& env);

// HARD_SWISH and LOGISTIC int8: the reference's 256-entry table, applied
// with AVX-512 VBMI byte permutes where the CPU has them (lut_i8.cc).
bool native_supports_hard_swish(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_hard_swish_i8(const NativeEnv& env);
bool native_supports_logistic(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_logistic_i8(const NativeEnv& env);

// DEPTHWISE_CONV_2D int8, depth multiplier 1, any window, stride, dilation
// and padding, per-tensor or per-channel weights, fused clamp activations
// (depthwise_conv2d_i8.cc).
bool native_supports_depthwise_conv2d(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_depthwise_conv2d_i8(const NativeEnv& env);

// ADD and MUL int8 with numpy broadcasting and fused clamp activations
// (binary_i8.cc).
bool native_supports_add(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_add_i8(const NativeEnv& env);
bool native_supports_mul(const Graph& graph, const Node& node, std::string* why_not);
std::unique_ptr<Kernel> make_native_mul_i8(const NativeEnv& env);

// TRANSPOSE_CONV and Convolution2DTransposeBias in f32, for windows that do
// not overlap (kernel = stride): the one float kernel of the native backend,
// equal to the reference within float rounding (transpose_conv_f32.cc).
bool native_supports_transpose_conv_f32(const Graph& graph, const Node& node,
                                        std::string* why_not);
std::unique_ptr<Kernel> make_native_transpose_conv_f32(const NativeEnv& env);

}  // namespace opscope::native

// Factories of the reference backend's int8 kernels (TFLite's int8
// semantics: per-tensor activations with zero points, per-channel symmetric
// int8 weights, int32 bias), and their table.
//
// Registered in ../../register_int8_kernels.cc; find_kernel() consults
// find_int8_kernel() first for nodes whose first input is i8. Ops whose
// dtype-generic kernel already serves int8 (PAD pads with the zero point,
// RESHAPE, SQUEEZE, TRANSPOSE, ... move bytes; DEQUANTIZE) are not listed.
#pragma once

#include <memory>

#include "engine/kernel.h"
#include "engine/op_kind.h"

namespace opscope::reference {

// The int8 kernel of `op`, or nullptr when the int8 table has none.
KernelFactory find_int8_kernel(OpKind op);

namespace int8 {

// conv_int8.cc, depthwise_conv_int8.cc, fully_connected_int8.cc
std::unique_ptr<Kernel> make_conv2d_i8();
std::unique_ptr<Kernel> make_depthwise_conv2d_i8();
std::unique_ptr<Kernel> make_fully_connected_i8();

// binary_int8.cc: numpy broadcasting, fused clamp activations
std::unique_ptr<Kernel> make_add_i8();
std::unique_ptr<Kernel> make_sub_i8();
std::unique_ptr<Kernel> make_mul_i8();

// pool_int8.cc, mean_int8.cc
std::unique_ptr<Kernel> make_average_pool2d_i8();
std::unique_ptr<Kernel> make_max_pool2d_i8();
std::unique_ptr<Kernel> make_mean_i8();

// concatenation_int8.cc, resize_bilinear_int8.cc
std::unique_ptr<Kernel> make_concatenation_i8();
std::unique_ptr<Kernel> make_resize_bilinear_i8();

// lut_int8.cc (256-entry tables), softmax_int8.cc
std::unique_ptr<Kernel> make_logistic_i8();
std::unique_ptr<Kernel> make_hard_swish_i8();
std::unique_ptr<Kernel> make_softmax_i8();

// requantize_int8.cc: QUANTIZE i8 -> i8
std::unique_ptr<Kernel> make_requantize_i8();

}  // namespace int8
}  // namespace opscope::reference

// Factories of the reference backend's kernels, one per (op, dtype).
// Registered explicitly in ../register_kernels.cc.
#pragma once

#include <memory>

#include "engine/kernel.h"

namespace opscope::reference {

// conv.cc, depthwise_conv.cc, transpose_conv.cc, fully_connected.cc,
// batch_matmul.cc (blocked GEMM in gemm.h)
std::unique_ptr<Kernel> make_conv2d_f32();
std::unique_ptr<Kernel> make_depthwise_conv2d_f32();
std::unique_ptr<Kernel> make_transpose_conv_f32();
std::unique_ptr<Kernel> make_fully_connected_f32();
std::unique_ptr<Kernel> make_batch_matmul_f32();

// elementwise_binary.cc
std::unique_ptr<Kernel> make_add_f32();
std::unique_ptr<Kernel> make_sub_f32();
std::unique_ptr<Kernel> make_mul_f32();
std::unique_ptr<Kernel> make_maximum_f32();
std::unique_ptr<Kernel> make_minimum_f32();
std::unique_ptr<Kernel> make_div_f32();
std::unique_ptr<Kernel> make_pow_f32();

// elementwise_unary.cc, prelu.cc, softmax.cc
std::unique_ptr<Kernel> make_relu_f32();
std::unique_ptr<Kernel> make_relu6_f32();
std::unique_ptr<Kernel> make_leaky_relu_f32();
std::unique_ptr<Kernel> make_prelu_f32();
std::unique_ptr<Kernel> make_hard_swish_f32();
std::unique_ptr<Kernel> make_logistic_f32();
std::unique_ptr<Kernel> make_tanh_f32();
std::unique_ptr<Kernel> make_rsqrt_f32();
std::unique_ptr<Kernel> make_log_f32();
std::unique_ptr<Kernel> make_exp_f32();
std::unique_ptr<Kernel> make_sqrt_f32();
std::unique_ptr<Kernel> make_neg_f32();
std::unique_ptr<Kernel> make_abs_f32();
std::unique_ptr<Kernel> make_hard_sigmoid_f32();
// Trigonometric, hyperbolic, rounding and smooth activations (op_kind.h).
std::unique_ptr<Kernel> make_sin_f32();
std::unique_ptr<Kernel> make_cos_f32();
std::unique_ptr<Kernel> make_tan_f32();
std::unique_ptr<Kernel> make_asin_f32();
std::unique_ptr<Kernel> make_acos_f32();
std::unique_ptr<Kernel> make_atan_f32();
std::unique_ptr<Kernel> make_sinh_f32();
std::unique_ptr<Kernel> make_cosh_f32();
std::unique_ptr<Kernel> make_asinh_f32();
std::unique_ptr<Kernel> make_acosh_f32();
std::unique_ptr<Kernel> make_atanh_f32();
std::unique_ptr<Kernel> make_floor_f32();
std::unique_ptr<Kernel> make_ceil_f32();
std::unique_ptr<Kernel> make_round_f32();
std::unique_ptr<Kernel> make_reciprocal_f32();
std::unique_ptr<Kernel> make_sign_f32();
std::unique_ptr<Kernel> make_erf_f32();
std::unique_ptr<Kernel> make_softplus_f32();
std::unique_ptr<Kernel> make_softsign_f32();
std::unique_ptr<Kernel> make_elu_f32();
std::unique_ptr<Kernel> make_selu_f32();
std::unique_ptr<Kernel> make_celu_f32();
std::unique_ptr<Kernel> make_thresholded_relu_f32();
std::unique_ptr<Kernel> make_softmax_f32();
std::unique_ptr<Kernel> make_log_softmax_f32();
std::unique_ptr<Kernel> make_hardmax_f32();
std::unique_ptr<Kernel> make_layer_norm_f32();
std::unique_ptr<Kernel> make_neg_i32();
std::unique_ptr<Kernel> make_neg_i64();
std::unique_ptr<Kernel> make_arg_max_f32();
std::unique_ptr<Kernel> make_arg_min_f32();
// Comparisons (f32, i32, i64; EQUAL and NOT_EQUAL also bool), logical
// ops, LOGICAL_NOT / IS_NAN / IS_INF (one kernel), SELECT_V2 (any dtype).
std::unique_ptr<Kernel> make_equal();
std::unique_ptr<Kernel> make_not_equal();
std::unique_ptr<Kernel> make_less();
std::unique_ptr<Kernel> make_less_equal();
std::unique_ptr<Kernel> make_greater();
std::unique_ptr<Kernel> make_greater_equal();
std::unique_ptr<Kernel> make_logical_and();
std::unique_ptr<Kernel> make_logical_or();
std::unique_ptr<Kernel> make_logical_xor();
std::unique_ptr<Kernel> make_bool_unary();
std::unique_ptr<Kernel> make_select();
std::unique_ptr<Kernel> make_trilu();  // any dtype
std::unique_ptr<Kernel> make_recurrent_f32();  // LSTM, GRU, RNN
std::unique_ptr<Kernel> make_repeat();  // BROADCAST_TO, TILE; any dtype
std::unique_ptr<Kernel> make_top_k_f32();
std::unique_ptr<Kernel> make_cast();  // CAST between f32, i32, i64 and bool
std::unique_ptr<Kernel> make_if();  // IF: the branches run as sessions of their own
std::unique_ptr<Kernel> make_loop();  // LOOP: the body runs as a session of its own
std::unique_ptr<Kernel> make_scan();  // SCAN: the body runs as a session of its own
std::unique_ptr<Kernel> make_while();  // WHILE: cond and body run as sessions of their own
std::unique_ptr<Kernel> make_cumsum();   // f32, i32, i64
std::unique_ptr<Kernel> make_one_hot();  // any values dtype
std::unique_ptr<Kernel> make_einsum();   // f32, i32, i64
std::unique_ptr<Kernel> make_slice();  // any dtype; operands may come at run time
// MediaPipe's landmark-crop ops (landmark_transforms.cc), f32.
std::unique_ptr<Kernel> make_landmarks_to_transform_matrix();
std::unique_ptr<Kernel> make_transform_tensor_bilinear();
std::unique_ptr<Kernel> make_transform_landmarks();
// ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM on i32 / i64 (int_arithmetic.cc).
std::unique_ptr<Kernel> make_add_i32();
std::unique_ptr<Kernel> make_add_i64();
std::unique_ptr<Kernel> make_sub_i32();
std::unique_ptr<Kernel> make_sub_i64();
std::unique_ptr<Kernel> make_mul_i32();
std::unique_ptr<Kernel> make_mul_i64();
std::unique_ptr<Kernel> make_div_i32();
std::unique_ptr<Kernel> make_div_i64();
std::unique_ptr<Kernel> make_maximum_i32();
std::unique_ptr<Kernel> make_maximum_i64();
std::unique_ptr<Kernel> make_minimum_i32();
std::unique_ptr<Kernel> make_minimum_i64();

// quantize.cc: DEQUANTIZE from f16 / i8 / u8, QUANTIZE f32 -> i8 / u8
std::unique_ptr<Kernel> make_dequantize();
std::unique_ptr<Kernel> make_quantize();

// pool.cc, reduce.cc
std::unique_ptr<Kernel> make_average_pool2d_f32();
std::unique_ptr<Kernel> make_max_pool2d_f32();
std::unique_ptr<Kernel> make_max_pool2d_u8();
std::unique_ptr<Kernel> make_mean_f32();
std::unique_ptr<Kernel> make_reduce_max_f32();
std::unique_ptr<Kernel> make_reduce_sum_f32();
std::unique_ptr<Kernel> make_reduce_min_f32();
std::unique_ptr<Kernel> make_reduce_prod_f32();
std::unique_ptr<Kernel> make_reduce_sum_square_f32();
std::unique_ptr<Kernel> make_reduce_l1_f32();
std::unique_ptr<Kernel> make_reduce_l2_f32();
std::unique_ptr<Kernel> make_reduce_log_sum_f32();
std::unique_ptr<Kernel> make_reduce_log_sum_exp_f32();

// Data movement, dtype-generic (copy bytes): shape_ops.cc, pad.cc,
// transpose.cc, concatenation.cc, strided_slice.cc, depth_to_space.cc
std::unique_ptr<Kernel> make_pad();
std::unique_ptr<Kernel> make_reshape();
std::unique_ptr<Kernel> make_squeeze();
std::unique_ptr<Kernel> make_expand_dims();
std::unique_ptr<Kernel> make_transpose();
std::unique_ptr<Kernel> make_concatenation();
std::unique_ptr<Kernel> make_strided_slice();
std::unique_ptr<Kernel> make_depth_to_space();

// gather.cc: GATHER, any params dtype (copies bytes), i32/i64 indices
std::unique_ptr<Kernel> make_gather();
// gather_elements.cc, gather_nd.cc: likewise any data dtype, i32/i64 indices
std::unique_ptr<Kernel> make_gather_elements();
std::unique_ptr<Kernel> make_gather_nd();

// resize_bilinear.cc, resize.cc (ONNX Resize semantics)
std::unique_ptr<Kernel> make_resize_bilinear_f32();
std::unique_ptr<Kernel> make_resize_f32();

}  // namespace opscope::reference

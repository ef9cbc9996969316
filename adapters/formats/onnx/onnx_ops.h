// Internal to the ONNX reader: the per-op translators, grouped by file.
// Each translates the Importer's current node and defines its outputs.
#pragma once

#include <vector>

#include "adapters/formats/onnx/onnx_import.h"

namespace opscope::onnx {

using Translator = Status (*)(Importer& im);

// onnx_ops_conv.cc
Status translate_conv(Importer& im);
Status translate_batch_norm(Importer& im);

// onnx_ops_pool.cc
Status translate_max_pool(Importer& im);
Status translate_average_pool(Importer& im);
Status translate_global_average_pool(Importer& im);
Status translate_global_max_pool(Importer& im);

// onnx_ops_elementwise.cc
Status translate_add(Importer& im);
Status translate_sub(Importer& im);
Status translate_mul(Importer& im);
Status translate_max(Importer& im);
Status translate_min(Importer& im);
Status translate_sum(Importer& im);
Status translate_mean(Importer& im);
Status translate_prelu(Importer& im);
Status translate_relu(Importer& im);
Status translate_leaky_relu(Importer& im);
Status translate_sigmoid(Importer& im);
Status translate_tanh(Importer& im);
Status translate_log(Importer& im);
Status translate_div(Importer& im);
Status translate_pow(Importer& im);
Status translate_exp(Importer& im);
Status translate_sqrt(Importer& im);
Status translate_neg(Importer& im);
Status translate_abs(Importer& im);
Status translate_hard_sigmoid(Importer& im);
Status translate_hard_swish(Importer& im);
Status translate_sin(Importer& im);
Status translate_cos(Importer& im);
Status translate_tan(Importer& im);
Status translate_asin(Importer& im);
Status translate_acos(Importer& im);
Status translate_atan(Importer& im);
Status translate_sinh(Importer& im);
Status translate_cosh(Importer& im);
Status translate_asinh(Importer& im);
Status translate_acosh(Importer& im);
Status translate_atanh(Importer& im);
Status translate_floor(Importer& im);
Status translate_ceil(Importer& im);
Status translate_round(Importer& im);
Status translate_reciprocal(Importer& im);
Status translate_sign(Importer& im);
Status translate_erf(Importer& im);
Status translate_softplus(Importer& im);
Status translate_softsign(Importer& im);
Status translate_elu(Importer& im);
Status translate_selu(Importer& im);
Status translate_celu(Importer& im);
Status translate_thresholded_relu(Importer& im);
Status translate_clip(Importer& im);
Status translate_softmax(Importer& im);
Status translate_log_softmax(Importer& im);
Status translate_hardmax(Importer& im);
Status translate_identity(Importer& im);

// onnx_ops_shape.cc
Status translate_reshape(Importer& im);
Status translate_flatten(Importer& im);
Status translate_squeeze(Importer& im);
Status translate_unsqueeze(Importer& im);
Status translate_transpose(Importer& im);
Status translate_concat(Importer& im);
Status translate_shape(Importer& im);
Status translate_size(Importer& im);
Status translate_range(Importer& im);
// onnx_ops_control.cc
Status translate_if(Importer& im);
Status translate_loop(Importer& im);
Status translate_scan(Importer& im);
// onnx_ops_repeat.cc
Status translate_expand(Importer& im);
Status translate_tile(Importer& im);
// onnx_ops_recurrent.cc
Status translate_lstm(Importer& im);
Status translate_gru(Importer& im);
Status translate_rnn(Importer& im);
// onnx_ops_space_depth.cc
Status translate_depth_to_space(Importer& im);
Status translate_space_to_depth(Importer& im);
// onnx_ops_logical.cc
Status translate_equal(Importer& im);
Status translate_less(Importer& im);
Status translate_less_or_equal(Importer& im);
Status translate_greater(Importer& im);
Status translate_greater_or_equal(Importer& im);
Status translate_and(Importer& im);
Status translate_or(Importer& im);
Status translate_xor(Importer& im);
Status translate_not(Importer& im);
Status translate_is_nan(Importer& im);
Status translate_is_inf(Importer& im);
Status translate_where(Importer& im);
Status translate_trilu(Importer& im);
Status translate_gather(Importer& im);
Status translate_cast(Importer& im);
Status translate_constant(Importer& im);
Status translate_constant_of_shape(Importer& im);
Status translate_slice(Importer& im);
Status translate_pad(Importer& im);
Status translate_reduce_mean(Importer& im);
Status translate_reduce_max(Importer& im);
Status translate_arg_max(Importer& im);
Status translate_top_k(Importer& im);
Status translate_arg_min(Importer& im);
Status translate_reduce_sum(Importer& im);
Status translate_reduce_min(Importer& im);
Status translate_reduce_prod(Importer& im);
Status translate_reduce_sum_square(Importer& im);
Status translate_reduce_l1(Importer& im);
Status translate_reduce_l2(Importer& im);
Status translate_reduce_log_sum(Importer& im);
Status translate_reduce_log_sum_exp(Importer& im);

// onnx_ops_cumsum_onehot.cc
Status translate_cumsum(Importer& im);
Status translate_one_hot(Importer& im);
// onnx_ops_einsum.cc
Status translate_einsum(Importer& im);

// onnx_ops_gather.cc
Status translate_gather_elements(Importer& im);
Status translate_gather_nd(Importer& im);

// onnx_ops_norm.cc
Status translate_layer_norm(Importer& im);

// onnx_ops_conv_transpose.cc
Status translate_conv_transpose(Importer& im);

// onnx_ops_resize.cc
Status translate_resize(Importer& im);

// onnx_ops_split.cc
Status translate_split(Importer& im);

// onnx_ops_quant.cc
Status translate_quantize_linear(Importer& im);
Status translate_dequantize_linear(Importer& im);
Status translate_qlinear_conv(Importer& im);
Status translate_qlinear_matmul(Importer& im);

// onnx_ops_linear.cc
Status translate_gemm(Importer& im);
Status translate_matmul(Importer& im);

// Shared by the files above.
// Brings `values` to one layout for an elementwise op: channels-last when
// one of the highest-rank inputs is, natural otherwise. Lower-rank inputs
// are broadcast-aligned (leading 1s) before they are permuted.
Result<std::vector<int>> common_layout(Importer& im,
                                       const std::vector<Value>& values,
                                       Layout* layout);
// Fuses a clamp activation into the engine node that produces `x` when it
// can take one and nothing else reads `x`; then defines output 0 as `x`.
bool try_fuse_activation(Importer& im, const Value& x, Activation act);
// The axis in [0, rank), or an error naming the attribute.
Result<int> normalize_axis(Importer& im, int64_t axis, int rank,
                           const char* what);

}  // namespace opscope::onnx

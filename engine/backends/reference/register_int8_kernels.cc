// The reference backend's int8 kernel table (TFLite int8 semantics), kept
// apart from register_kernels.cc's f32 and dtype-generic table. find_kernel()
// consults it first for nodes whose first input is i8; ops not listed here
// fall through to the generic kernels (PAD, RESHAPE, DEQUANTIZE, ...).
#include "engine/backends/reference/kernels/int8/kernels_int8.h"

namespace opscope::reference {
namespace {

struct Int8Entry {
  OpKind op;
  KernelFactory factory;
};

const Int8Entry kInt8Table[] = {
    {OpKind::kConv2D, int8::make_conv2d_i8},
    {OpKind::kDepthwiseConv2D, int8::make_depthwise_conv2d_i8},
    {OpKind::kFullyConnected, int8::make_fully_connected_i8},
    {OpKind::kAdd, int8::make_add_i8},
    {OpKind::kSub, int8::make_sub_i8},
    {OpKind::kMul, int8::make_mul_i8},
    {OpKind::kAveragePool2D, int8::make_average_pool2d_i8},
    {OpKind::kMaxPool2D, int8::make_max_pool2d_i8},
    {OpKind::kMean, int8::make_mean_i8},
    {OpKind::kConcatenation, int8::make_concatenation_i8},
    {OpKind::kResizeBilinear, int8::make_resize_bilinear_i8},
    {OpKind::kLogistic, int8::make_logistic_i8},
    {OpKind::kHardSwish, int8::make_hard_swish_i8},
    {OpKind::kSoftmax, int8::make_softmax_i8},
    {OpKind::kQuantize, int8::make_requantize_i8},
};

}  // namespace

KernelFactory find_int8_kernel(OpKind op) {
  for (const Int8Entry& e : kInt8Table) {
    if (e.op == op) return e.factory;
  }
  return nullptr;
}

}  // namespace opscope::reference

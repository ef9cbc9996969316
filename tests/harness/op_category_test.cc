// op_category_of_type on the type names our engine and PyTorch write.
#include <gtest/gtest.h>

#include "result/op_category.h"

namespace opscope {
namespace {

TEST(OpCategory, ReadsEveryRuntimesTypeNames) {
  EXPECT_EQ(op_category_of_type("CONV_2D"), "conv");
  EXPECT_EQ(op_category_of_type("int8 Conv+Relu"), "conv");
  EXPECT_EQ(op_category_of_type("Convolution2DTransposeBias"), "conv");
  EXPECT_EQ(op_category_of_type("prepacked::conv2d_clamp_run"), "conv");
  EXPECT_EQ(op_category_of_type("quantized::conv2d_relu"), "conv");
  EXPECT_EQ(op_category_of_type("DEPTHWISE_CONV_2D"), "depthwise");
  EXPECT_EQ(op_category_of_type("FULLY_CONNECTED"), "linear");
  EXPECT_EQ(op_category_of_type("int8 Gemm"), "linear");
  EXPECT_EQ(op_category_of_type("aten::addmm"), "linear");
  EXPECT_EQ(op_category_of_type("prepacked::linear_clamp_run"), "linear");
  EXPECT_EQ(op_category_of_type("GlobalAveragePool"), "pooling");
  EXPECT_EQ(op_category_of_type("aten::adaptive_avg_pool2d"), "pooling");
  EXPECT_EQ(op_category_of_type("MEAN"), "pooling");
  EXPECT_EQ(op_category_of_type("HARD_SWISH"), "activation");
  EXPECT_EQ(op_category_of_type("aten::hardswish_"), "activation");
  EXPECT_EQ(op_category_of_type("LOGISTIC"), "activation");
  EXPECT_EQ(op_category_of_type("quantized::hardtanh"), "activation");
  EXPECT_EQ(op_category_of_type("ADD"), "other");
  EXPECT_EQ(op_category_of_type("aten::flatten"), "other");
  EXPECT_EQ(op_category_of_type(""), "other");
}

}  // namespace
}  // namespace opscope

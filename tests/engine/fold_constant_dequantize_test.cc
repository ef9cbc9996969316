#include "engine/transforms/fold_constant_dequantize.h"

#include <gtest/gtest.h>

#include <cstring>

namespace opscope {
namespace {

// weights(f16 const) -> DEQUANTIZE -> w32 ; x + w32 -> y
Graph make_graph() {
  Graph g;
  Tensor w;
  w.name = "w16";
  w.dtype = DType::kF16;
  w.shape = {3};
  w.role = TensorRole::kConstant;
  // 1.0, -2.0, 0.5 in binary16.
  const uint16_t halves[3] = {0x3c00, 0xc000, 0x3800};
  std::vector<uint8_t> bytes(6);
  std::memcpy(bytes.data(), halves, 6);
  w.set_owned_data(bytes);
  const int w16 = g.add_tensor(w);
  Tensor w32;
  w32.name = "w32";
  w32.shape = {3};
  const int w32_id = g.add_tensor(w32);
  Tensor x;
  x.name = "x";
  x.shape = {3};
  x.role = TensorRole::kInput;
  const int x_id = g.add_tensor(x);
  Tensor y;
  y.name = "y";
  y.shape = {3};
  y.role = TensorRole::kOutput;
  const int y_id = g.add_tensor(y);
  Node dq;
  dq.op = OpKind::kDequantize;
  dq.inputs = {w16};
  dq.outputs = {w32_id};
  dq.source_index = 0;
  Node add;
  add.op = OpKind::kAdd;
  add.attrs = ActivationAttrs{};
  add.inputs = {x_id, w32_id};
  add.outputs = {y_id};
  add.source_index = 1;
  g.nodes = {dq, add};
  g.inputs = {x_id};
  g.outputs = {y_id};
  return g;
}

TEST(FoldConstantDequantize, FoldsF16WeightsIntoF32Constants) {
  Graph g = make_graph();
  EXPECT_EQ(fold_constant_dequantize(g), 1);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kAdd);
  EXPECT_EQ(g.nodes[0].source_index, 1);  // source index survives
  const Tensor& w = g.tensors[1];
  EXPECT_TRUE(w.is_constant());
  EXPECT_EQ(w.dtype, DType::kF32);
  const float* v = w.constant_as<float>();
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1], -2.0f);
  EXPECT_EQ(v[2], 0.5f);
  EXPECT_TRUE(validate_graph(g).is_ok());
}

TEST(FoldConstantDequantize, KeepsRuntimeDequantize) {
  Graph g = make_graph();
  g.tensors[0].role = TensorRole::kInput;  // no longer a constant
  g.inputs.push_back(0);
  EXPECT_EQ(fold_constant_dequantize(g), 0);
  EXPECT_EQ(g.nodes.size(), 2u);
}

}  // namespace
}  // namespace opscope

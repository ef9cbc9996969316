// Small TFLite models with control flow (IF, WHILE, nested), built with
// tflite_model_builder.h, for the reader's tests, the LiteRT.js agreement
// test and the per-op row test. Every loop variable and condition is
// shaped [1] (TFLite's IF and WHILE want one-element conditions).
#pragma once

#include <cstdint>
#include <vector>

#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite::testing::control_flow_models {

using fb::BuiltinOperator;
using fb::TensorType;

// Adds `a op b -> out` to the current subgraph (ADD, SUB, MUL or LESS).
inline void binary(TfliteModelBuilder& b, BuiltinOperator op, int a, int c, int out) {
  b.add_op(b.add_opcode(op), {a, c}, {out});
}

// Inputs: cond (BOOL [1]), x (FLOAT32 [4]); output y (FLOAT32 [4]) =
// IF(cond, x): then subgraph 1 gives x * 3, else subgraph 2 gives x - 1.
inline std::vector<uint8_t> if_model() {
  TfliteModelBuilder b;
  const int cond = b.add_tensor("cond", TensorType::BOOL, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {4});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {4});

  const int then_index = b.begin_subgraph("then");
  {
    const int tx = b.add_tensor("then_x", TensorType::FLOAT32, {4});
    const int k = b.add_constant<float>("three", TensorType::FLOAT32, {1}, {3.0f});
    const int ty = b.add_tensor("then_y", TensorType::FLOAT32, {4});
    binary(b, BuiltinOperator::MUL, tx, k, ty);
    b.set_subgraph_io({tx}, {ty});
  }
  const int else_index = b.begin_subgraph("else");
  {
    const int ex = b.add_tensor("else_x", TensorType::FLOAT32, {4});
    const int k = b.add_constant<float>("one", TensorType::FLOAT32, {1}, {1.0f});
    const int ey = b.add_tensor("else_y", TensorType::FLOAT32, {4});
    binary(b, BuiltinOperator::SUB, ex, k, ey);
    b.set_subgraph_io({ex}, {ey});
  }
  b.use_subgraph(0);
  b.add_op(b.add_opcode(BuiltinOperator::IF), {cond, x}, {y},
           b.if_options(then_index, else_index));
  return b.finish({cond, x}, {y});
}

// The body's x update of while_model(): x * 0.5 + {1, 2, 3, 4}.
inline float while_step(float x, int lane) { return x * 0.5f + static_cast<float>(lane + 1); }

// WHILE over (i, n, x) with i starting at 0: cond (subgraph 1) is i < n;
// body (subgraph 2) gives i + 1, n unchanged (its input tensor as its
// output) and while_step(x), so the body runs max(n, 0) times. Inputs: n
// (INT32 [1]; a constant `fixed_n` instead when that is >= 0) and x
// (FLOAT32 [4]); outputs: x after the loop, then i (the runs).
inline std::vector<uint8_t> while_model(int32_t fixed_n = -1) {
  TfliteModelBuilder b;
  const int n = fixed_n >= 0 ? b.add_constant<int32_t>("n", TensorType::INT32, {1}, {fixed_n})
                             : b.add_tensor("n", TensorType::INT32, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {4});
  const int i0 = b.add_constant<int32_t>("i0", TensorType::INT32, {1}, {0});
  const int i_out = b.add_tensor("i_out", TensorType::INT32, {1});
  const int n_out = b.add_tensor("n_out", TensorType::INT32, {1});
  const int x_out = b.add_tensor("x_out", TensorType::FLOAT32, {4});

  const int cond_index = b.begin_subgraph("cond");
  {
    const int i = b.add_tensor("cond_i", TensorType::INT32, {1});
    const int cn = b.add_tensor("cond_n", TensorType::INT32, {1});
    const int cx = b.add_tensor("cond_x", TensorType::FLOAT32, {4});
    const int less = b.add_tensor("i_less_n", TensorType::BOOL, {1});
    binary(b, BuiltinOperator::LESS, i, cn, less);
    b.set_subgraph_io({i, cn, cx}, {less});
  }
  const int body_index = b.begin_subgraph("body");
  {
    const int i = b.add_tensor("body_i", TensorType::INT32, {1});
    const int bn = b.add_tensor("body_n", TensorType::INT32, {1});
    const int bx = b.add_tensor("body_x", TensorType::FLOAT32, {4});
    const int one = b.add_constant<int32_t>("one", TensorType::INT32, {1}, {1});
    const int half = b.add_constant<float>("half", TensorType::FLOAT32, {1}, {0.5f});
    const int c = b.add_constant<float>("c", TensorType::FLOAT32, {4}, {1, 2, 3, 4});
    const int i_next = b.add_tensor("i_next", TensorType::INT32, {1});
    const int halved = b.add_tensor("halved", TensorType::FLOAT32, {4});
    const int x_next = b.add_tensor("x_next", TensorType::FLOAT32, {4});
    binary(b, BuiltinOperator::ADD, i, one, i_next);
    binary(b, BuiltinOperator::MUL, bx, half, halved);
    binary(b, BuiltinOperator::ADD, halved, c, x_next);
    b.set_subgraph_io({i, bn, bx}, {i_next, bn, x_next});
  }
  b.use_subgraph(0);
  b.add_op(b.add_opcode(BuiltinOperator::WHILE), {i0, n, x}, {i_out, n_out, x_out},
           b.while_options(cond_index, body_index));
  if (fixed_n >= 0) return b.finish({x}, {x_out, i_out});
  return b.finish({n, x}, {x_out, i_out});
}

// WHILE (i, x) with i from 0 while i < 5 (cond, subgraph 1); the body
// (subgraph 2) gives i + 1 and IF(i < 2, x): then (subgraph 3) x * 2, else
// (subgraph 4) x + 1. Input x (FLOAT32 [1]); output x after the loop: for
// x = 1 that is 2, 4, 5, 6, 7.
inline std::vector<uint8_t> nested_model() {
  TfliteModelBuilder b;
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int i0 = b.add_constant<int32_t>("i0", TensorType::INT32, {1}, {0});
  const int i_out = b.add_tensor("i_out", TensorType::INT32, {1});
  const int x_out = b.add_tensor("x_out", TensorType::FLOAT32, {1});

  const int cond_index = b.begin_subgraph("cond");
  {
    const int i = b.add_tensor("i", TensorType::INT32, {1});
    const int cx = b.add_tensor("x", TensorType::FLOAT32, {1});
    const int five = b.add_constant<int32_t>("five", TensorType::INT32, {1}, {5});
    const int less = b.add_tensor("more", TensorType::BOOL, {1});
    binary(b, BuiltinOperator::LESS, i, five, less);
    b.set_subgraph_io({i, cx}, {less});
  }
  const int body_index = b.begin_subgraph("body");
  const int then_index = body_index + 1, else_index = body_index + 2;
  {
    const int i = b.add_tensor("i", TensorType::INT32, {1});
    const int bx = b.add_tensor("x", TensorType::FLOAT32, {1});
    const int one = b.add_constant<int32_t>("one", TensorType::INT32, {1}, {1});
    const int two = b.add_constant<int32_t>("two", TensorType::INT32, {1}, {2});
    const int i_next = b.add_tensor("i_next", TensorType::INT32, {1});
    const int early = b.add_tensor("early", TensorType::BOOL, {1});
    const int x_next = b.add_tensor("x_next", TensorType::FLOAT32, {1});
    binary(b, BuiltinOperator::ADD, i, one, i_next);
    binary(b, BuiltinOperator::LESS, i, two, early);
    b.add_op(b.add_opcode(BuiltinOperator::IF), {early, bx}, {x_next},
             b.if_options(then_index, else_index));
    b.set_subgraph_io({i, bx}, {i_next, x_next});
  }
  b.begin_subgraph("double");
  {
    const int tx = b.add_tensor("x", TensorType::FLOAT32, {1});
    const int ty = b.add_tensor("y", TensorType::FLOAT32, {1});
    binary(b, BuiltinOperator::ADD, tx, tx, ty);
    b.set_subgraph_io({tx}, {ty});
  }
  b.begin_subgraph("increment");
  {
    const int ex = b.add_tensor("x", TensorType::FLOAT32, {1});
    const int one = b.add_constant<float>("one", TensorType::FLOAT32, {1}, {1.0f});
    const int ey = b.add_tensor("y", TensorType::FLOAT32, {1});
    binary(b, BuiltinOperator::ADD, ex, one, ey);
    b.set_subgraph_io({ex}, {ey});
  }
  b.use_subgraph(0);
  b.add_op(b.add_opcode(BuiltinOperator::WHILE), {i0, x}, {i_out, x_out},
           b.while_options(cond_index, body_index));
  return b.finish({x}, {x_out});
}

}  // namespace opscope::tflite::testing::control_flow_models

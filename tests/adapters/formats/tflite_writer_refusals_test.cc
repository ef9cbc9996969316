// The TFLite writer refuses the engine forms TFLite has no encoding for in
// our schema subset, with kUnsupportedOp naming the node and the reason,
// instead of writing something that means another thing: RESIZE (ONNX
// Resize semantics) and PAD in edge mode.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_writer.h"
#include "tests/engine/test_tensors.h"

namespace opscope::tflite {
namespace {

using opscope::testing::add_test_tensor;
using opscope::testing::bytes_of;
using opscope::testing::one_node_graph;

// x f32 [1, 4, 4, 2] (and constant pads [4, 2] when asked) -> node 0 -> y.
Graph one_op(OpKind op, Attributes attrs, const Shape& out, bool with_pads) {
  Graph g = one_node_graph(op, std::move(attrs));
  const int x = add_test_tensor(g, "x", TensorRole::kInput, DType::kF32, {1, 4, 4, 2}, {});
  g.nodes[0].inputs.push_back(x);
  if (with_pads) {
    g.nodes[0].inputs.push_back(add_test_tensor(
        g, "pads", TensorRole::kConstant, DType::kI32, {4, 2}, {},
        bytes_of(std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0})));
  }
  const int y = add_test_tensor(g, "y", TensorRole::kOutput, DType::kF32, out, {});
  g.nodes[0].outputs.push_back(y);
  g.inputs = {x};
  g.outputs = {y};
  return g;
}

void expect_refused(const Graph& g, const std::string& why) {
  auto r = write_tflite_buffer(g);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnsupportedOp);
  EXPECT_NE(r.status().message().find("'test_node'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
}

TEST(TfliteWriterRefusals, Resize) {
  ResizeNdAttrs a;
  a.output_shape = {1, 8, 8, 2};
  a.scales = {1, 2, 2, 1};
  expect_refused(one_op(OpKind::kResize, a, {1, 8, 8, 2}, false), "RESIZE");
}

TEST(TfliteWriterRefusals, EdgePad) {
  expect_refused(one_op(OpKind::kPad, PadAttrs{PadMode::kEdge}, {1, 6, 6, 2}, true),
                 "edge mode");
}

TEST(TfliteWriterRefusals, ConstantAndMirrorPadsAreWritten) {
  for (PadMode mode : {PadMode::kConstant, PadMode::kReflect, PadMode::kSymmetric}) {
    auto r = write_tflite_buffer(one_op(OpKind::kPad, PadAttrs{mode}, {1, 6, 6, 2}, true));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
  }
}

}  // namespace
}  // namespace opscope::tflite

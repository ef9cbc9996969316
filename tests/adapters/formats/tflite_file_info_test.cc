// describe_tflite_buffer: a TFLite file described from its flatbuffer
// alone, for models the reader refuses (inspect's fallback).
#include <gtest/gtest.h>

#include <memory>

#include "adapters/formats/tflite/tflite_file_info.h"
#include "adapters/formats/tflite/tflite_reader.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite {
namespace {

using testing::TfliteModelBuilder;
using BuiltinOperator = fb::BuiltinOperator;
using TensorType = fb::TensorType;

// in -> RELU -> MyCustomOp(+ a 4-float constant) -> wide (FLOAT64) -> CAST -> out,
// and one more (empty) subgraph.
std::vector<uint8_t> float64_model() {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  const int r = b.add_tensor("relu_out", TensorType::FLOAT32, {1, 4});
  const int k = b.add_constant<float>("k", TensorType::FLOAT32, {4}, {1, 2, 3, 4});
  const int wide = b.add_tensor("wide", TensorType::FLOAT64, {1, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {r});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "MyCustomOp"), {r, k}, {wide});
  b.add_op(b.add_opcode(BuiltinOperator::CAST), {wide}, {out});
  b.set_extra_subgraphs(1);
  return b.finish({in}, {out});
}

TEST(TfliteFileInfo, DescribesAModelTheReaderRefuses) {
  auto bytes = std::make_shared<const std::vector<uint8_t>>(float64_model());
  auto loaded = load_tflite_buffer(bytes, "wide.tflite");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), ErrorCode::kTypeMismatch);

  auto info = describe_tflite_buffer(bytes->data(), bytes->size(), "wide.tflite");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->format, "tflite");
  EXPECT_EQ(info->schema_version, 3);
  EXPECT_EQ(info->producer, "opscope test");
  ASSERT_EQ(info->inputs.size(), 1u);
  EXPECT_EQ(info->inputs[0].name, "in");
  EXPECT_EQ(info->inputs[0].type, "FLOAT32");
  ASSERT_EQ(info->inputs[0].shape.size(), 2u);
  EXPECT_EQ(info->inputs[0].shape[1].value, 4);
  ASSERT_EQ(info->outputs.size(), 1u);
  EXPECT_EQ(info->outputs[0].name, "out");

  ASSERT_EQ(info->graphs.size(), 2u);
  EXPECT_EQ(info->graphs[0].path, "subgraph 0");
  EXPECT_EQ(info->graphs[0].name, "main");
  EXPECT_EQ(info->graphs[0].nodes, 3);
  EXPECT_EQ(info->graphs[0].op_histogram.at("RELU"), 1);
  EXPECT_EQ(info->graphs[0].op_histogram.at("MyCustomOp"), 1);
  EXPECT_EQ(info->graphs[0].op_histogram.at("CAST"), 1);
  EXPECT_EQ(info->graphs[1].path, "subgraph 1");
  EXPECT_EQ(info->graphs[1].nodes, 0);

  EXPECT_EQ(info->params, 4);
  EXPECT_EQ(info->param_bytes, 16);

  // The FLOAT64 tensor once, at the first node that touches it.
  ASSERT_EQ(info->unrunnable.size(), 1u);
  EXPECT_EQ(info->unrunnable[0].index, 1);
  EXPECT_EQ(info->unrunnable[0].name, "wide");
  EXPECT_EQ(info->unrunnable[0].op, "MyCustomOp");
  EXPECT_EQ(info->unrunnable[0].tensor, "wide");
  EXPECT_EQ(info->unrunnable[0].tensor_type, "FLOAT64");
}

TEST(TfliteFileInfo, OutOfRangeIndicesAreDescribedNotFollowed) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  b.add_op(7, {in, 1000}, {in});  // opcode and tensor out of range
  const std::vector<uint8_t> bytes = b.finish({in}, {1 << 30});
  auto info = describe_tflite_buffer(bytes.data(), bytes.size(), "bad.tflite");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  ASSERT_EQ(info->outputs.size(), 1u);
  EXPECT_EQ(info->outputs[0].name, "tensor 1073741824 (out of range)");
  EXPECT_EQ(info->graphs[0].op_histogram.at("opcode 7 (out of range)"), 1);
}

TEST(TfliteFileInfo, RejectsWhatFailsTheVerifier) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 4, 'X', 'Y', 'Z', 'W', 0, 0, 0, 0};
  auto info = describe_tflite_buffer(bytes.data(), bytes.size(), "junk.tflite");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), ErrorCode::kMalformedModel);
  EXPECT_NE(info.status().message().find("junk.tflite"), std::string::npos);
}

}  // namespace
}  // namespace opscope::tflite

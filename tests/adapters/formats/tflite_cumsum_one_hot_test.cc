// TFLite's CUMSUM (CumsumOptions exclusive, reverse) and ONE_HOT
// (OneHotOptions axis; indices, depth, on_value, off_value) through the
// reader to the engine's CUMSUM and ONE_HOT, run on the reference backend.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/session.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite {
namespace {

using fb::BuiltinOperator;
using fb::BuiltinOptions;
using fb::TensorType;
using testing::share;
using testing::TfliteModelBuilder;

std::unique_ptr<Session> session_of(std::vector<uint8_t> bytes, std::shared_ptr<Model>* model) {
  auto loaded = load_tflite_buffer(share(std::move(bytes)), "test.tflite", nullptr);
  EXPECT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  if (!loaded.is_ok()) return nullptr;
  *model = loaded.value();
  SessionOptions options;
  options.backends = {"cpu"};
  auto s = Session::create(*model, options);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

TEST(TfliteCumsum, ReadsExclusiveAndReverse) {
  TfliteModelBuilder b;
  const int x = b.add_tensor("x", TensorType::FLOAT32, {2, 3});
  const int axis = b.add_constant<int32_t>("axis", TensorType::INT32, {}, {1});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {2, 3});
  b.add_op(b.add_opcode(BuiltinOperator::CUMSUM), {x, axis}, {y},
           b.options(BuiltinOptions::CumsumOptions, fb::CreateCumsumOptions(b.fbb(), true, true)));
  std::shared_ptr<Model> model;
  auto s = session_of(b.finish({x}, {y}), &model);
  ASSERT_NE(s, nullptr);
  const Node& n = model->graph.nodes[0];
  EXPECT_EQ(n.op, OpKind::kCumSum);
  EXPECT_TRUE(n.attr<CumSumAttrs>().exclusive);
  EXPECT_TRUE(n.attr<CumSumAttrs>().reverse);
  const float in[6] = {1, 2, 3, 4, 5, 6};
  std::memcpy(s->input_data(0), in, sizeof(in));
  ASSERT_TRUE(s->invoke().is_ok());
  const auto* out = static_cast<const float*>(s->output_data(0));
  EXPECT_EQ(std::vector<float>(out, out + 6), (std::vector<float>{5, 3, 0, 11, 6, 0}));
}

TEST(TfliteOneHot, ReadsAxisAndLeavesNegativeIndicesOff) {
  TfliteModelBuilder b;
  const int ind = b.add_tensor("indices", TensorType::INT32, {3});
  const int depth = b.add_constant<int32_t>("depth", TensorType::INT32, {}, {3});
  const int on = b.add_constant<float>("on", TensorType::FLOAT32, {}, {5});
  const int off = b.add_constant<float>("off", TensorType::FLOAT32, {}, {-1});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {3, 3});
  b.add_op(b.add_opcode(BuiltinOperator::ONE_HOT), {ind, depth, on, off}, {y},
           b.options(BuiltinOptions::OneHotOptions, fb::CreateOneHotOptions(b.fbb(), 0)));
  std::shared_ptr<Model> model;
  auto s = session_of(b.finish({ind}, {y}), &model);
  ASSERT_NE(s, nullptr);
  const Node& n = model->graph.nodes[0];
  EXPECT_EQ(n.op, OpKind::kOneHot);
  EXPECT_EQ(n.attr<OneHotAttrs>().axis, 0);
  EXPECT_FALSE(n.attr<OneHotAttrs>().negative_wraps);
  const int32_t in[3] = {2, -1, 0};
  std::memcpy(s->input_data(0), in, sizeof(in));
  ASSERT_TRUE(s->invoke().is_ok());
  const auto* out = static_cast<const float*>(s->output_data(0));
  // axis 0: y[d][i] = indices[i] == d.
  EXPECT_EQ(std::vector<float>(out, out + 9),
            (std::vector<float>{-1, -1, 5, -1, -1, -1, 5, -1, -1}));
}

}  // namespace
}  // namespace opscope::tflite

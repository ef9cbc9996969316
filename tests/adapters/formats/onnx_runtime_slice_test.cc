// ONNX Slice whose bounds are computed at run time: the importer keeps it as
// the engine's SLICE with the model's declared output shape, sessions learn
// the bounds from runs and re-plan when they change the shape
// (engine/value_operands.h). Results against the naive slice of the input;
// a model that declares no shape for the slice's output is refused naming
// the node.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/session.h"
#include "tests/adapters/formats/onnx_loop_models.h"

namespace opscope {
namespace {

using namespace onnx_loop_models;  // NOLINT: model builders

// x f32 [2,8], length i64 [1] (a graph input: its value comes at run time);
// y = Slice(x, starts [0], ends length, axes [1]); out = Relu(y).
std::string slice_model(bool declare) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("runtime_slice");
  value(g->add_input(), "x", TP::FLOAT, {2, 8});
  value(g->add_input(), "length", TP::INT64, {1});
  int64_initializer(g, "zero", {1}, {0});
  int64_initializer(g, "axis", {1}, {1});
  node(g, "Slice", {"x", "zero", "length", "axis"}, {"y"});
  node(g, "Relu", {"y"}, {"out"});
  if (declare) value(g->add_value_info(), "y", TP::FLOAT, {2, 3});
  value(g->add_output(), "out", TP::FLOAT, {2, 3});
  return m.SerializeAsString();
}

TEST(OnnxRuntimeSlice, BoundsLearnedAtRunTimeReplanWhenTheShapeChanges) {
  auto loaded = load_bytes(slice_model(true), "runtime_slice.onnx");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  auto created = Session::create(*loaded, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[i] = static_cast<float>(i % 5) - 2.0f;
  std::memcpy(s.input_data(0), x.data(), sizeof(float) * 16);
  int replans = 0;
  for (int64_t length : {3, 3, 5, 8, 0, 3, 100, -2}) {
    SCOPED_TRACE("length " + std::to_string(length));
    std::memcpy(s.input_data(1), &length, sizeof(length));
    ASSERT_TRUE(s.invoke().is_ok());
    int64_t n = length < 0 ? length + 8 : length;
    n = std::clamp<int64_t>(n, 0, 8);
    ASSERT_EQ(s.output_tensor(0).shape, (Shape{2, n}));
    const auto* out = static_cast<const float*>(s.output_data(0));
    for (int r = 0; r < 2; ++r) {
      for (int64_t c = 0; c < n; ++c) {
        EXPECT_EQ(out[r * n + c], std::max(0.0f, x[static_cast<size_t>(r * 8 + c)]));
      }
    }
    replans = s.replans();
  }
  // Learned at the first invoke; then each new shape re-plans: 5, 8, 0, 3,
  // 100 (clamped to 8) and -2 (6). The second 3 reuses the plan.
  EXPECT_EQ(replans, 7);
}

TEST(OnnxRuntimeSlice, UndeclaredOutputShapeIsRefusedNamingTheNode) {
  expect_load_error(slice_model(false), "runtime_slice.onnx", ErrorCode::kUnsupportedOp,
                    {"'y'", "Slice", "computed at run time", "declares no shape"});
}

}  // namespace
}  // namespace opscope

// ONNX Slice whose bounds, Tile whose repeats and Expand whose shape are
// computed at run time: the importer keeps them with the model's declared
// output shapes, sessions learn the values from runs and re-plan when they
// change the shape (engine/value_operands.h). Results against the naive slice of the input;
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

// x f32 [2,3]; reps i64 [2] a graph input; y = Tile(x, reps) declared
// [2,6]; z = Expand(y, shape) with shape i64 [3] a graph input, declared
// [2,2,6]. Both shapes come from run-time values.
std::string tile_expand_model() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("runtime_tile_expand");
  value(g->add_input(), "x", TP::FLOAT, {2, 3});
  value(g->add_input(), "reps", TP::INT64, {2});
  value(g->add_input(), "shape", TP::INT64, {3});
  node(g, "Tile", {"x", "reps"}, {"y"});
  node(g, "Expand", {"y", "shape"}, {"z"});
  value(g->add_value_info(), "y", TP::FLOAT, {2, 6});
  value(g->add_output(), "z", TP::FLOAT, {2, 2, 6});
  return m.SerializeAsString();
}

TEST(OnnxRuntimeSlice, TileRepeatsAndExpandShapeLearnedAtRunTime) {
  auto loaded = load_bytes(tile_expand_model(), "runtime_tile_expand.onnx");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  auto created = Session::create(*loaded, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  std::memcpy(s.input_data(0), x.data(), sizeof(float) * 6);
  const struct {
    std::vector<int64_t> reps, shape;
    int replans;  // cumulative
  } cases[] = {
      {{1, 2}, {2, 2, 6}, 2},  // learned: Tile, then Expand
      {{1, 2}, {2, 2, 6}, 2},
      {{2, 1}, {3, 4, 3}, 4},  // Tile changes: Expand's values are learned again
      {{2, 1}, {1, 4, 3}, 5},  // only Expand changes
  };
  for (const auto& c : cases) {
    std::memcpy(s.input_data(1), c.reps.data(), sizeof(int64_t) * 2);
    std::memcpy(s.input_data(2), c.shape.data(), sizeof(int64_t) * 3);
    ASSERT_TRUE(s.invoke().is_ok());
    EXPECT_EQ(s.replans(), c.replans);
    const Shape tiled = {2 * c.reps[0], 3 * c.reps[1]};
    const Shape out = {c.shape[0], tiled[0], tiled[1]};
    ASSERT_EQ(s.output_tensor(0).shape, out);
    const auto* z = static_cast<const float*>(s.output_data(0));
    for (int64_t b = 0; b < out[0]; ++b) {
      for (int64_t r = 0; r < out[1]; ++r) {
        for (int64_t col = 0; col < out[2]; ++col) {
          EXPECT_EQ(z[(b * out[1] + r) * out[2] + col], x[static_cast<size_t>((r % 2) * 3 + col % 3)]);
        }
      }
    }
  }
}

TEST(OnnxRuntimeSlice, UndeclaredOutputShapeIsRefusedNamingTheNode) {
  expect_load_error(slice_model(false), "runtime_slice.onnx", ErrorCode::kUnsupportedOp,
                    {"'y'", "Slice", "computed at run time", "declares no shape"});
}

}  // namespace
}  // namespace opscope

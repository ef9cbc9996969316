// ONNX Slice whose bounds, Tile whose repeats and Expand whose shape are
// computed at run time: the importer keeps them with the model's declared
// output shapes, sessions learn the values from runs and re-plan when they
// change the shape (engine/value_operands.h). Results against the naive slice of the input;
// a model that declares no shape for the slice's output is refused naming
// the node. Pad whose pads are computed at run time, in each mode, against
// ONNX's definition written out.
#include <gtest/gtest.h>

#include <algorithm>
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

// x f32 [2,3]; pads i64 [4] a graph input; y = Pad(x, pads, 1.5) in
// `mode` (1.5 only in constant mode), declared [3,5]; out = Identity(y).
std::string pad_model(const std::string& mode, bool declare) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("runtime_pad");
  value(g->add_input(), "x", TP::FLOAT, {2, 3});
  value(g->add_input(), "pads", TP::INT64, {4});
  std::vector<std::string> ins = {"x", "pads"};
  if (mode == "constant") {
    float_initializer(g, "fill", {}, {1.5f});
    ins.push_back("fill");
  }
  auto* pad = node(g, "Pad", ins, {"y"});
  auto* a = pad->add_attribute();
  a->set_name("mode");
  a->set_type(::onnx::AttributeProto::STRING);
  a->set_s(mode);
  node(g, "Identity", {"y"}, {"out"});
  if (declare) value(g->add_value_info(), "y", TP::FLOAT, {3, 5});
  value(g->add_output(), "out", TP::FLOAT, {3, 5});
  return m.SerializeAsString();
}

// ONNX Pad written from its definition: pads [b0, b1, e0, e1] of a [2,3]
// input; constant fills `fill`, reflect mirrors without the edge, edge
// repeats it.
std::vector<float> naive_pad(const std::vector<float>& x, const std::vector<int64_t>& p,
                             const std::string& mode, float fill) {
  const int64_t rows = 2 + p[0] + p[2], cols = 3 + p[1] + p[3];
  const auto source = [&](int64_t i, int64_t n) -> int64_t {
    if (i >= 0 && i < n) return i;
    if (mode == "edge") return std::clamp<int64_t>(i, 0, n - 1);
    if (mode == "reflect") return i < 0 ? -i : 2 * (n - 1) - i;
    return -1;
  };
  std::vector<float> out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t sr = source(r - p[0], 2), sc = source(c - p[1], 3);
      out.push_back(sr < 0 || sc < 0 ? fill : x[static_cast<size_t>(sr * 3 + sc)]);
    }
  }
  return out;
}

TEST(OnnxRuntimePad, PadsLearnedAtRunTimeReplanWhenTheyChange) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  for (const std::string mode : {"constant", "reflect", "edge"}) {
    SCOPED_TRACE(mode);
    auto loaded = load_bytes(pad_model(mode, true), "runtime_pad.onnx");
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    auto created = Session::create(*loaded, SessionOptions{});
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    Session& s = **created;
    std::memcpy(s.input_data(0), x.data(), sizeof(float) * x.size());
    const std::vector<std::vector<int64_t>> all = {
        {1, 1, 0, 1}, {1, 1, 0, 1}, {0, 0, 1, 2}, {0, 0, 0, 0}, {1, 2, 1, 1}};
    for (const std::vector<int64_t>& pads : all) {
      SCOPED_TRACE(::testing::PrintToString(pads));
      std::memcpy(s.input_data(1), pads.data(), sizeof(int64_t) * 4);
      ASSERT_TRUE(s.invoke().is_ok());
      const Shape want{2 + pads[0] + pads[2], 3 + pads[1] + pads[3]};
      ASSERT_EQ(s.output_tensor(0).shape, want);
      const std::vector<float> expected = naive_pad(x, pads, mode, 1.5f);
      const auto* out = static_cast<const float*>(s.output_data(0));
      EXPECT_EQ(std::vector<float>(out, out + expected.size()), expected);
    }
    // Learned at the first invoke; each other set of pads re-plans (the
    // repeated first set does not).
    EXPECT_EQ(s.replans(), 4);
    // Negative pads at run time: an error naming the node, not a crash.
    const std::vector<int64_t> negative = {0, -1, 0, 0};
    std::memcpy(s.input_data(1), negative.data(), sizeof(int64_t) * 4);
    const Status bad = s.invoke();
    EXPECT_FALSE(bad.is_ok());
    EXPECT_NE(bad.message().find("negative padding"), std::string::npos) << bad.message();
  }
}

TEST(OnnxRuntimePad, UndeclaredOutputShapeIsRefusedNamingTheNode) {
  expect_load_error(pad_model("constant", false), "runtime_pad.onnx", ErrorCode::kUnsupportedOp,
                    {"'y'", "Pad", "pads are computed at run time", "declares no shape"});
}

}  // namespace
}  // namespace opscope

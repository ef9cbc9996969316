// MediaPipe's landmark-crop custom ops (version 2) through the reader:
// their FlexBuffer options become the engine's attributes, the writer
// writes them back the same, and every way the options or operands can be
// wrong is an error naming the node: version 1, bytes that are no
// FlexBuffer, a missing or mistyped option, a landmark index outside the
// input.
#include <gtest/gtest.h>
#include <flatbuffers/flexbuffers.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "adapters/formats/tflite/tflite_writer.h"
#include "engine/session.h"
#include "tests/adapters/formats/tflite_mediapipe_models.h"

namespace opscope::tflite {
namespace {

using testing::share;
namespace mediapipe_models = testing::mediapipe_models;

using mediapipe_models::crop_model;
using mediapipe_models::crop_options;
using mediapipe_models::flex_map;

Result<std::shared_ptr<Model>> load(std::vector<uint8_t> bytes) {
  return load_tflite_buffer(share(std::move(bytes)), "crop.tflite", nullptr);
}

void expect_error(std::vector<uint8_t> bytes, ErrorCode code,
                  std::initializer_list<const char*> parts) {
  auto r = load(std::move(bytes));
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  for (const char* part : parts) {
    EXPECT_NE(r.status().message().find(part), std::string::npos)
        << "missing '" << part << "' in: " << r.status().message();
  }
}

TEST(TfliteMediaPipeOps, OptionsBecomeAttributesAndTheWriterKeepsThem) {
  auto loaded = load(crop_model(flex_map(crop_options)));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kLandmarksToTransformMatrix);
  EXPECT_EQ(g.nodes[1].op, OpKind::kTransformTensorBilinear);
  EXPECT_EQ(g.nodes[2].op, OpKind::kTransformLandmarks);
  const auto& a = g.nodes[0].attr<LandmarksToMatrixAttrs>();
  EXPECT_EQ(a.subset, (std::vector<int32_t>{0, 2, 4, 5}));
  EXPECT_EQ(a.left_rotation_idx, 1);
  EXPECT_EQ(a.right_rotation_idx, 3);
  EXPECT_FLOAT_EQ(a.target_rotation_radians, 0.25f);
  EXPECT_EQ(a.output_height, 4);
  EXPECT_EQ(a.output_width, 6);
  EXPECT_FLOAT_EQ(a.scale_x, 1.5f);
  EXPECT_FLOAT_EQ(a.scale_y, 2.0f);
  const auto& t = g.nodes[1].attr<TransformTensorAttrs>();
  EXPECT_EQ(t.output_height, 4);
  EXPECT_EQ(t.output_width, 6);
  EXPECT_EQ(g.tensors[g.nodes[1].outputs[0]].shape, (Shape{1, 4, 6, 2}));

  // Written and read again: the same attributes, and the same outputs.
  auto bytes = write_tflite_buffer(g);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto again = load(std::move(*bytes));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  const Graph& h = (*again)->graph;
  ASSERT_EQ(h.nodes.size(), 3u);
  EXPECT_EQ(h.nodes[0].attr<LandmarksToMatrixAttrs>().subset, a.subset);
  EXPECT_FLOAT_EQ(h.nodes[0].attr<LandmarksToMatrixAttrs>().scale_y, 2.0f);
  EXPECT_EQ(h.nodes[1].attr<TransformTensorAttrs>().output_width, 6);
  EXPECT_EQ(h.nodes[2].op, OpKind::kTransformLandmarks);

  std::vector<std::vector<float>> results;
  for (const auto& model : {*loaded, *again}) {
    SessionOptions options;
    options.backends = {"cpu"};
    auto s = Session::create(model, options);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    for (int i = 0; i < (*s)->num_inputs(); ++i) {
      auto* p = static_cast<float*>((*s)->input_data(i));
      const size_t n = (*s)->input_tensor(i).bytes() / sizeof(float);
      for (size_t k = 0; k < n; ++k) p[k] = std::sin(0.7f * static_cast<float>(k + 3 * i)) * 3;
    }
    ASSERT_TRUE((*s)->invoke().is_ok());
    std::vector<float> all;
    for (int i = 0; i < (*s)->num_outputs(); ++i) {
      const auto* p = static_cast<const float*>((*s)->output_data(i));
      all.insert(all.end(), p, p + (*s)->output_tensor(i).bytes() / sizeof(float));
    }
    for (float v : all) EXPECT_TRUE(std::isfinite(v));
    results.push_back(std::move(all));
  }
  EXPECT_EQ(results[0], results[1]);
}

TEST(TfliteMediaPipeOps, VersionOneIsRefusedByName) {
  expect_error(crop_model(flex_map(crop_options), /*version=*/1), ErrorCode::kUnsupportedOp,
               {"node 0", "Landmarks2TransformMatrix", "version 1"});
}

TEST(TfliteMediaPipeOps, MalformedOptionsNameTheNodeAndOption) {
  expect_error(crop_model({1, 2, 3, 4, 5}), ErrorCode::kMalformedModel,
               {"node 0", "Landmarks2TransformMatrix", "not a valid FlexBuffer"});
  expect_error(crop_model({}), ErrorCode::kMalformedModel, {"node 0", "0 bytes"});
  flexbuffers::Builder vec;
  vec.Vector([&] { vec.Int(1); });
  vec.Finish();
  expect_error(crop_model(vec.GetBuffer()), ErrorCode::kMalformedModel, {"not a map"});
  expect_error(crop_model(flex_map([](flexbuffers::Builder& fbx) {
                 fbx.Int("left_rotation_idx", 1);
               })),
               ErrorCode::kMalformedModel, {"node 0", "'subset_idxs' is missing"});
  expect_error(crop_model(flex_map([](flexbuffers::Builder& fbx) {
                 fbx.Int("left_rotation_idx", 1);
                 fbx.Int("output_height", 4);
                 fbx.String("output_width", "wide");
                 fbx.Int("right_rotation_idx", 3);
                 fbx.TypedVector("subset_idxs", [&] { fbx.Int(0); });
                 fbx.Float("target_rotation_radians", 0.25f);
               })),
               ErrorCode::kMalformedModel, {"'output_width' is not a 32-bit integer"});
  expect_error(crop_model(flex_map([](flexbuffers::Builder& fbx) {
                 fbx.Int("left_rotation_idx", 1);
                 fbx.Int("output_height", 4);
                 fbx.Int("output_width", 6);
                 fbx.Int("right_rotation_idx", 3);
                 fbx.Float("scale_x", 1.5f);
                 fbx.Float("scale_y", 1.5f);
                 fbx.Vector("subset_idxs", [&] {
                   fbx.Int(0);
                   fbx.Int(int64_t{1} << 40);
                 });
                 fbx.Float("target_rotation_radians", 0.25f);
               })),
               ErrorCode::kMalformedModel, {"'subset_idxs'", "32-bit integer"});
}

// The shape rules run when a session prepares the graph.
void expect_prepare_error(std::vector<uint8_t> bytes, ErrorCode code,
                          std::initializer_list<const char*> parts) {
  auto loaded = load(std::move(bytes));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  SessionOptions options;
  options.backends = {"cpu"};
  auto s = Session::create(*loaded, options);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), code) << s.status().to_string();
  for (const char* part : parts) {
    EXPECT_NE(s.status().message().find(part), std::string::npos)
        << "missing '" << part << "' in: " << s.status().message();
  }
}

TEST(TfliteMediaPipeOps, IndicesOutsideTheLandmarksAreRefusedAtPrepare) {
  // Index 5 exists in [1,6,3] but not in [1,5,3].
  expect_prepare_error(crop_model(flex_map(crop_options), 2, {1, 5, 3}),
                       ErrorCode::kInvalidGraph,
                       {"Landmarks2TransformMatrix", "subset_idxs[3] 5", "outside the 5 landmarks"});
  expect_prepare_error(crop_model(flex_map(crop_options), 2, {1, 6, 2}),
                       ErrorCode::kShapeMismatch, {"Landmarks2TransformMatrix", "[1,N,3]"});
}

}  // namespace
}  // namespace opscope::tflite

// MediaPipe's landmark-crop custom ops in a tiny TFLite model, for the
// reader's tests and the fuzzer's seeds.
#pragma once

#include <flatbuffers/flexbuffers.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite::testing::mediapipe_models {

using MapWriter = std::function<void(flexbuffers::Builder&)>;

inline std::vector<uint8_t> flex_map(const MapWriter& body) {
  flexbuffers::Builder fbx;
  fbx.Map([&] { body(fbx); });
  fbx.Finish();
  return fbx.GetBuffer();
}

inline void crop_options(flexbuffers::Builder& fbx) {
  fbx.Int("left_rotation_idx", 1);
  fbx.Int("output_height", 4);
  fbx.Int("output_width", 6);
  fbx.Int("right_rotation_idx", 3);
  fbx.Float("scale_x", 1.5f);
  fbx.Int("scale_y", 2);  // an integer where a float is meant reads as 2.0
  fbx.TypedVector("subset_idxs", [&] {
    for (int i : {0, 2, 4, 5}) fbx.Int(i);
  });
  fbx.Float("target_rotation_radians", 0.25f);
}

// landmarks [1,6,3] -> Landmarks2TransformMatrix -> M; features [1,8,8,2]
// and M -> TransformTensorBilinear -> crop [1,4,6,2]; points [1,5,2] and M
// -> TransformLandmarks -> mapped [1,5,2].
inline std::vector<uint8_t> crop_model(std::vector<uint8_t> crop_opts, int32_t version = 2,
                                std::vector<int32_t> landmarks_shape = {1, 6, 3}) {
  TfliteModelBuilder b;
  const int landmarks = b.add_tensor("landmarks", fb::TensorType::FLOAT32, landmarks_shape);
  const int features = b.add_tensor("features", fb::TensorType::FLOAT32, {1, 8, 8, 2});
  const int points = b.add_tensor("points", fb::TensorType::FLOAT32, {1, 5, 2});
  const int m = b.add_tensor("matrix", fb::TensorType::FLOAT32, {1, 4, 4});
  const int cropped = b.add_tensor("cropped", fb::TensorType::FLOAT32, {1, 4, 6, 2});
  const int mapped = b.add_tensor("mapped", fb::TensorType::FLOAT32, {1, 5, 2});
  b.add_op(b.add_opcode(fb::BuiltinOperator::CUSTOM, "Landmarks2TransformMatrix", false, version),
           {landmarks}, {m}, {}, std::move(crop_opts));
  b.add_op(b.add_opcode(fb::BuiltinOperator::CUSTOM, "TransformTensorBilinear", false, 2),
           {features, m}, {cropped}, {},
           flex_map([](flexbuffers::Builder& fbx) {
             fbx.Int("output_height", 4);
             fbx.Int("output_width", 6);
           }));
  b.add_op(b.add_opcode(fb::BuiltinOperator::CUSTOM, "TransformLandmarks", false, 2),
           {points, m}, {mapped}, {}, flex_map([](flexbuffers::Builder&) {}));
  return b.finish({landmarks, features, points}, {m, cropped, mapped});
}

}  // namespace opscope::tflite::testing::mediapipe_models

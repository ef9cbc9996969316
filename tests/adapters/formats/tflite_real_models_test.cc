// The TFLite reader on the real models from OPSCOPE_MODEL_DIR (fetched by
// datasets/fetch_models.sh). Skipped where the directory or a file is
// missing, so the suite runs without network access.
#include <gtest/gtest.h>

#include <cstdio>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <string>

#include "adapters/formats/tflite/tflite_reader.h"

namespace opscope::tflite {
namespace {

struct RealModel {
  const char* file;
  Precision precision;
};

// The models opscope benchmarks; see docs/tflite-ops-in-models.md.
constexpr RealModel kModels[] = {
    {"selfie_segmentation.tflite", Precision::kF16},
    {"selfie_segmentation_landscape.tflite", Precision::kF16},
    {"face_detection_short_range.tflite", Precision::kF16},
    {"face_detection_full_range.tflite", Precision::kF16},
    {"hand_landmark_lite.tflite", Precision::kF16},
    {"hand_landmark_full.tflite", Precision::kF16},
    {"embedding_model.tflite", Precision::kF32},
    {"alexa_v0.1.tflite", Precision::kF32},
    {"hey_mycroft_v0.1.tflite", Precision::kF32},
    {"face_landmark_with_attention.tflite", Precision::kF16},
};

std::string model_path(const char* file) {
  const char* dir = std::getenv("OPSCOPE_MODEL_DIR");
  if (dir == nullptr || dir[0] == '\0') return "";
  const std::string path = std::string(dir) + "/" + file;
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? path : "";
}

class TfliteRealModel : public ::testing::TestWithParam<RealModel> {};

TEST_P(TfliteRealModel, LoadsWithKnownOpsOnly) {
  const RealModel& rm = GetParam();
  const std::string path = model_path(rm.file);
  if (path.empty()) GTEST_SKIP() << rm.file << " not in OPSCOPE_MODEL_DIR";

  LoadNotes notes;
  auto result = load_tflite_file(path, &notes);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  const Model& m = *result.value();
  EXPECT_GT(m.graph.nodes.size(), 0u);
  EXPECT_EQ(m.info.source_nodes, static_cast<int>(m.graph.nodes.size()));
  EXPECT_EQ(m.info.name, rm.file);
  EXPECT_GT(m.info.params, 0);
  EXPECT_EQ(m.info.weight_precision, rm.precision)
      << to_string(m.info.weight_precision);
  EXPECT_FALSE(m.graph.inputs.empty());
  EXPECT_FALSE(m.graph.outputs.empty());
  for (const Node& n : m.graph.nodes) {
    EXPECT_NE(n.op, OpKind::kUnknown)
        << describe_node(m.graph, n.source_index) << " in " << rm.file;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, TfliteRealModel, ::testing::ValuesIn(kModels),
    [](const ::testing::TestParamInfo<RealModel>& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find(".tflite"));
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(TfliteRealModels, SelfieSegmentationEndsInTransposeConvBias) {
  const std::string path = model_path("selfie_segmentation.tflite");
  if (path.empty()) GTEST_SKIP() << "selfie_segmentation.tflite missing";
  auto result = load_tflite_file(path);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  const Graph& g = result.value()->graph;
  int found = 0;
  for (const Node& n : g.nodes) {
    if (n.type_name != "Convolution2DTransposeBias") continue;
    ++found;
    EXPECT_EQ(n.op, OpKind::kTransposeConv);
    EXPECT_EQ(n.inputs.size(), 3u);
    const auto& a = n.attr<TransposeConvAttrs>();
    EXPECT_EQ(a.stride_h, 2);
    EXPECT_EQ(a.stride_w, 2);
    EXPECT_EQ(g.tensors[n.inputs[1]].shape, (Shape{1, 2, 2, 16}));
  }
  EXPECT_EQ(found, 1);
}

// MediaPipe's attention face mesh crops lips, eyes and irises with its
// landmark-crop custom ops; what their options hold is in
// docs/tflite-ops-in-models.md.
TEST(TfliteRealModels, FaceMeshAttentionCropsWithLandmarkOps) {
  const std::string path = model_path("face_landmark_with_attention.tflite");
  if (path.empty()) GTEST_SKIP() << "face_landmark_with_attention.tflite missing";
  auto result = load_tflite_file(path);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  const Graph& g = result.value()->graph;
  int matrices = 0, crops = 0, maps = 0;
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::kLandmarksToTransformMatrix) {
      ++matrices;
      const auto& a = n.attr<LandmarksToMatrixAttrs>();
      std::printf("[ options  ] %s: subset %zu landmarks, rotation %d -> %d at %.4f rad, "
                  "output %dx%d, scale %.3f x %.3f\n",
                  n.name.c_str(), a.subset.size(), a.left_rotation_idx, a.right_rotation_idx,
                  a.target_rotation_radians, a.output_height, a.output_width, a.scale_x,
                  a.scale_y);
      EXPECT_EQ(g.tensors[n.inputs[0]].shape, (Shape{1, 468, 3}));
    } else if (n.op == OpKind::kTransformTensorBilinear) {
      ++crops;
      const auto& a = n.attr<TransformTensorAttrs>();
      EXPECT_EQ(g.tensors[n.outputs[0]].shape, (Shape{1, a.output_height, a.output_width, 32}));
    } else if (n.op == OpKind::kTransformLandmarks) {
      ++maps;
    }
  }
  EXPECT_EQ(matrices, 3);
  EXPECT_EQ(crops, 3);
  EXPECT_EQ(maps, 5);
}

// The sparse variant stores weights sparsely behind 46 DENSIFY ops; the
// reader expands them and folds the DENSIFY ops away.
TEST(TfliteRealModels, SparseFaceDetectionIsDensified) {
  const std::string path = model_path("face_detection_full_range_sparse.tflite");
  if (path.empty()) GTEST_SKIP() << "sparse face detection model missing";
  auto result = load_tflite_file(path);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  const Model& m = *result.value();
  EXPECT_EQ(m.info.folded_nodes, 46);
  EXPECT_EQ(m.info.source_nodes,
            static_cast<int>(m.graph.nodes.size()) + m.info.folded_nodes);
  for (const Node& n : m.graph.nodes) {
    EXPECT_NE(n.op, OpKind::kUnknown) << describe_node(m.graph, n.source_index);
  }
}

}  // namespace
}  // namespace opscope::tflite

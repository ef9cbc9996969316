// infer_shapes agrees with the reference kernels' prepare on every node of
// every real TFLite model present (skipped when none is).
#include <gtest/gtest.h>

#include "adapters/formats/tflite/tflite_reader.h"
#include "tests/engine/shape_agreement.h"

namespace opscope {
namespace {

TEST(TfliteShapeInference, AgreesWithReferencePrepareOnRealModels) {
  const auto paths = testing::real_models(".tflite");
  if (paths.empty()) GTEST_SKIP() << "no .tflite model in the model directory";
  for (const std::string& path : paths) {
    auto model = tflite::load_tflite_file(path);
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    EXPECT_GT(testing::expect_shapes_agree((*model)->graph, path), 0) << path;
  }
}

}  // namespace
}  // namespace opscope

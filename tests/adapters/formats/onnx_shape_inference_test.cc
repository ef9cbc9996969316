// infer_shapes agrees with the reference kernels' prepare on every node of
// every real ONNX model present (skipped when none is).
#include <gtest/gtest.h>

#include "adapters/formats/onnx/onnx_reader.h"
#include "tests/engine/shape_agreement.h"

namespace opscope {
namespace {

TEST(OnnxShapeInference, AgreesWithReferencePrepareOnRealModels) {
  const auto paths = testing::real_models(".onnx");
  if (paths.empty()) GTEST_SKIP() << "no .onnx model in the model directory";
  for (const std::string& path : paths) {
    auto model = onnx::load_onnx_file(path);
    if (!model.is_ok()) continue;  // models the importer refuses have no graph
    EXPECT_GT(testing::expect_shapes_agree((*model)->graph, path), 0) << path;
  }
}

}  // namespace
}  // namespace opscope

// ONNX models agree with ONNX Runtime 1.30 (onnxruntime-node, CPU): the same
// seeded inputs go through tools/ort/run_ort.mjs once and through opscope's
// runner (in process) on every backend configuration (reference cpu;
// xnnpack,cpu with 1 and 2 threads); every output must satisfy
//   max |ours - ort| <= 1e-4 * max |ort| + 1e-5.
// And the same model in both formats agrees inside opscope:
// openWakeWord's embedding_model.tflite and embedding_model.onnx.
//
// Models come from $OPSCOPE_MODEL_DIR (datasets/fetch_models.sh for the
// openWakeWord models, datasets/export_torchvision.sh for the torchvision
// ones), ORT from $OPSCOPE_NODE_DIR/ort (tools/ort/install.sh). Missing ones
// skip, unless OPSCOPE_REQUIRE_ORACLE=1 (scripts/test.sh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "datasets/npy.h"
#include "harness/model_loader.h"
#include "harness/run_case.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers

class OrtAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(OrtAgreement, OutputsMatchOnnxRuntime) {
  const fs::path model = model_dir() / (GetParam() + ".onnx");
  const fs::path oracle = source_dir() / "tools/ort/run_ort.mjs";
  if (!fs::exists(model) || !fs::exists(node_dir() / "ort/node_modules/onnxruntime-node")) {
    if (oracle_required()) FAIL() << "missing " << model << " or onnxruntime-node in " << node_dir();
    GTEST_SKIP() << "model or onnxruntime-node not installed";
  }
  const fs::path work = fresh_dir("opscope-ort", GetParam());
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  harness::RunRequest req;
  req.model_path = model.string();
  req.config.runs = 1;
  req.config.warmup_runs = 0;
  req.config.min_secs = 0;
  std::vector<std::string> oracle_args = {"node", oracle.string(), "--model", model.string()};
  const std::vector<fs::path> inputs = write_smooth_inputs(g, work);
  for (size_t i = 0; i < inputs.size(); ++i) {
    req.config.inputs.push_back(g.tensors[g.inputs[i]].name + "=" + inputs[i].string());
    oracle_args.push_back("--input");
    oracle_args.push_back(g.tensors[g.inputs[i]].name + "=" + inputs[i].string());
  }
  oracle_args.push_back("--out-dir");
  oracle_args.push_back((work / "ort").string());
  oracle_args.push_back("--node-dir");
  oracle_args.push_back((node_dir() / "ort").string());
  auto outcome = devices::run_local_process("/usr/bin/env", oracle_args);
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  ASSERT_FALSE(outcome->signaled);
  ASSERT_EQ(outcome->exit_code, 0) << "run_ort.mjs failed";

  for (const BackendConfig& config : backend_configs()) {
    req.config.backends = config.backends;
    req.config.threads = config.threads;
    const fs::path out_dir = work / ("ours_" + std::to_string(config.threads) + "_" +
                                     config.backends[0]);
    req.save_outputs_dir = out_dir.string();
    const harness::ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const std::string file = "output_" + std::to_string(i) + ".npy";
      expect_within_tolerance(out_dir / file, work / "ort" / file,
              GetParam() + " " + config.label + " out " + std::to_string(i));
    }
  }
  fs::remove_all(work);
}

// torchvision_*: datasets/export_torchvision.py (weights=None, seed 0, each
// layer rescaled so activations stay O(1); see that script). shufflenet
// brings Split and the channel shuffle's 5-D Reshape/Transpose, regnet
// grouped convolutions, lraspp a bilinear Resize to the input size.
INSTANTIATE_TEST_SUITE_P(
    Models, OrtAgreement,
    ::testing::Values("embedding_model", "alexa_v0.1", "torchvision_mobilenet_v2",
                      "torchvision_mobilenet_v3_small", "torchvision_resnet18",
                      "torchvision_shufflenet_v2_x0_5", "torchvision_regnet_x_400mf",
                      "torchvision_lraspp_mobilenet_v3_large"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string name = info.param;
      std::replace(name.begin(), name.end(), '.', '_');
      return name;
    });

// The same network as .tflite and as .onnx (tf2onnx, NHWC input) gives the
// same outputs in opscope on the reference kernels.
TEST(FormatTwins, EmbeddingModelTfliteAndOnnxAgree) {
  const fs::path tfl = model_dir() / "embedding_model.tflite";
  const fs::path onx = model_dir() / "embedding_model.onnx";
  if (!fs::exists(tfl) || !fs::exists(onx)) {
    if (oracle_required()) FAIL() << "missing " << tfl << " or " << onx;
    GTEST_SKIP() << "models not fetched";
  }
  const fs::path work = fresh_dir("opscope-ort", "twins");
  auto loaded = harness::load_model(tfl.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const std::vector<fs::path> inputs = write_smooth_inputs((*loaded)->graph, work);
  ASSERT_EQ(inputs.size(), 1u);
  for (const fs::path& model : {tfl, onx}) {
    harness::RunRequest req;
    req.model_path = model.string();
    req.config.runs = 1;
    req.config.warmup_runs = 0;
    req.config.min_secs = 0;
    req.config.inputs = {inputs[0].string()};
    req.save_outputs_dir = (work / model.extension().string().substr(1)).string();
    const harness::ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << model << ": " << doc.error.message;
  }
  expect_within_tolerance(work / "onnx/output_0.npy", work / "tflite/output_0.npy",
          "embedding_model onnx vs tflite (cpu)");
  fs::remove_all(work);
}

}  // namespace
}  // namespace opscope

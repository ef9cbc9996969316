// Every visible model agrees with LiteRT.js, the official TFLite runtime:
// the same seeded inputs go through tools/litert/run_litert.mjs once and
// through opscope's runner (in process) on every backend configuration
// (reference cpu; xnnpack,cpu with 1 and 2 threads); every output must
// satisfy  max |ours - litert| <= 1e-4 * max |litert| + 1e-5.
//
// Models come from $OPSCOPE_MODEL_DIR (datasets/fetch_models.sh), LiteRT.js
// from $OPSCOPE_NODE_DIR (tools/litert/install.sh). When either is missing
// the test is skipped, unless OPSCOPE_REQUIRE_ORACLE=1 (set by
// scripts/test.sh, so CI can never pass by skipping).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "harness/model_loader.h"
#include "harness/run_case.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers

class LiteRtAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(LiteRtAgreement, OutputsMatchLiteRtJs) {
  const fs::path model = model_dir() / (GetParam() + ".tflite");
  const fs::path oracle = source_dir() / "tools/litert/run_litert.mjs";
  const bool have = fs::exists(model) && fs::exists(node_dir() / "node_modules/@litertjs/core") &&
                    fs::exists(oracle);
  if (!have) {
    if (oracle_required()) FAIL() << "missing " << model << " or LiteRT.js in " << node_dir();
    GTEST_SKIP() << "model or LiteRT.js not installed";
  }
  const fs::path work = fresh_dir("opscope-agree", GetParam());

  // Seeded inputs, written as .npy for both runtimes.
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
    oracle_args.push_back(inputs[i].string());
  }
  oracle_args.push_back("--out-dir");
  oracle_args.push_back((work / "litert").string());
  oracle_args.push_back("--node-dir");
  oracle_args.push_back(node_dir().string());

  auto outcome = devices::run_local_process("/usr/bin/env", oracle_args);
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  ASSERT_FALSE(outcome->signaled);
  ASSERT_EQ(outcome->exit_code, 0) << "run_litert.mjs failed";

  for (const BackendConfig& config : backend_configs()) {
    req.config.backends = config.backends;
    req.config.threads = config.threads;
    const std::string out_dir = (work / ("ours_" + std::to_string(config.threads) +
                                         "_" + config.backends[0])).string();
    req.save_outputs_dir = out_dir;
    const harness::ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const std::string file = "output_" + std::to_string(i) + ".npy";
      expect_within_tolerance(fs::path(out_dir) / file, work / "litert" / file,
                              GetParam() + " " + config.label + " output " + std::to_string(i),
                              /*same_count_only=*/true);
    }
  }
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(
    VisibleModels, LiteRtAgreement,
    ::testing::Values("selfie_segmentation", "selfie_segmentation_landscape",
                      "face_detection_short_range", "face_detection_full_range",
                      "hand_landmark_lite", "hand_landmark_full", "embedding_model",
                      "alexa_v0.1", "hey_mycroft_v0.1"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string name = info.param;
      std::replace(name.begin(), name.end(), '.', '_');
      return name;
    });

}  // namespace
}  // namespace opscope

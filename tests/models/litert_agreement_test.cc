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
#include "adapters/formats/tflite/tflite_writer.h"
#include "harness/model_loader.h"
#include "harness/run_case.h"
#include "tests/engine/test_tensors.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers

fs::path litert_script() { return source_dir() / "tools/litert/run_litert.mjs"; }

bool have_litert() {
  return fs::exists(node_dir() / "node_modules/@litertjs/core") && fs::exists(litert_script());
}

// Seeded inputs go through LiteRT.js once and through opscope's runner on
// every backend configuration; every output must be within tolerance.
void expect_agrees_with_litert(const fs::path& model, const fs::path& work,
                               const std::string& tag) {
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  harness::RunRequest req;
  req.model_path = model.string();
  req.config.runs = 1;
  req.config.warmup_runs = 0;
  req.config.min_secs = 0;
  std::vector<std::string> oracle_args = {"node", litert_script().string(), "--model",
                                          model.string()};
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
    const ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const std::string file = "output_" + std::to_string(i) + ".npy";
      expect_within_tolerance(fs::path(out_dir) / file, work / "litert" / file,
                              tag + " " + config.label + " output " + std::to_string(i),
                              /*same_count_only=*/true);
    }
  }
}

class LiteRtAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(LiteRtAgreement, OutputsMatchLiteRtJs) {
  const fs::path model = model_dir() / (GetParam() + ".tflite");
  if (!fs::exists(model) || !have_litert()) {
    if (oracle_required()) FAIL() << "missing " << model << " or LiteRT.js in " << node_dir();
    GTEST_SKIP() << "model or LiteRT.js not installed";
  }
  const fs::path work = fresh_dir("opscope-agree", GetParam());
  expect_agrees_with_litert(model, work, GetParam());
  fs::remove_all(work);
}

// TFLite's MIRROR_PAD, which no visible model uses: a graph of a REFLECT and
// a SYMMETRIC pad (pads up to the largest each mode allows) written by our
// writer, run by LiteRT.js and by opscope (XNNPACK declines mirror pads, so
// they run on the reference backend in every configuration).
TEST(LiteRtMirrorPad, ReflectAndSymmetricMatchLiteRtJs) {
  if (!have_litert()) {
    if (oracle_required()) FAIL() << "missing LiteRT.js in " << node_dir();
    GTEST_SKIP() << "LiteRT.js not installed";
  }
  Graph g;
  const auto pads = [&](std::vector<int32_t> v) {
    return add_test_tensor(g, "pads", TensorRole::kConstant, DType::kI32, {4, 2}, {},
                           bytes_of(v));
  };
  const int in = add_test_tensor(g, "in", TensorRole::kInput, DType::kF32, {1, 4, 5, 3}, {});
  const int reflect_pads = pads({0, 0, 3, 1, 2, 4, 0, 0});
  const int mid = add_test_tensor(g, "mid", TensorRole::kIntermediate, DType::kF32,
                                  {1, 8, 11, 3}, {});
  const int symmetric_pads = pads({0, 0, 8, 2, 0, 11, 0, 0});
  const int out = add_test_tensor(g, "out", TensorRole::kOutput, DType::kF32, {1, 18, 22, 3}, {});
  const auto add_pad = [&](PadMode mode, int x, int p, int y) {
    Node n;
    n.op = OpKind::kPad;
    n.type_name = "MIRROR_PAD";
    n.name = g.tensors[y].name;
    n.attrs = PadAttrs{mode};
    n.inputs = {x, p};
    n.outputs = {y};
    n.source_index = static_cast<int>(g.nodes.size());
    g.nodes.push_back(std::move(n));
  };
  add_pad(PadMode::kReflect, in, reflect_pads, mid);
  add_pad(PadMode::kSymmetric, mid, symmetric_pads, out);
  g.inputs = {in};
  g.outputs = {out};

  const fs::path work = fresh_dir("opscope-agree", "mirror_pad");
  const fs::path model = work / "mirror_pad.tflite";
  ASSERT_TRUE(tflite::write_tflite_file(g, model.string()).is_ok());
  expect_agrees_with_litert(model, work, "mirror_pad");
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

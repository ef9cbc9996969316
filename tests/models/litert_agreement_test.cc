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
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "datasets/npy.h"
#include "datasets/random_input.h"
#include "harness/model_loader.h"
#include "harness/run_case.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

bool oracle_required() { return env_or("OPSCOPE_REQUIRE_ORACLE", "0") == "1"; }

struct BackendConfig {
  const char* label;
  std::vector<std::string> backends;
  int threads;
};

std::vector<BackendConfig> backend_configs() {
  std::vector<BackendConfig> configs = {{"cpu", {"cpu"}, 1}};
#if OPSCOPE_WITH_XNNPACK
  configs.push_back({"xnnpack,cpu 1t", {"xnnpack", "cpu"}, 1});
  configs.push_back({"xnnpack,cpu 2t", {"xnnpack", "cpu"}, 2});
#endif
  return configs;
}

class LiteRtAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(LiteRtAgreement, OutputsMatchLiteRtJs) {
  const std::string home = env_or("HOME", "/root");
  const fs::path model_dir = env_or("OPSCOPE_MODEL_DIR", home + "/.cache/opscope/models");
  const fs::path node_dir = env_or("OPSCOPE_NODE_DIR", home + "/.cache/opscope/node");
  const fs::path source_dir = env_or("OPSCOPE_SOURCE_DIR", ".");
  const fs::path model = model_dir / (GetParam() + ".tflite");
  const fs::path oracle = source_dir / "tools/litert/run_litert.mjs";
  const bool have = fs::exists(model) && fs::exists(node_dir / "node_modules/@litertjs/core") &&
                    fs::exists(oracle);
  if (!have) {
    if (oracle_required()) FAIL() << "missing " << model << " or LiteRT.js in " << node_dir;
    GTEST_SKIP() << "model or LiteRT.js not installed";
  }

  const fs::path work = fs::temp_directory_path() /
                        ("opscope-agree-" + GetParam() + "-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);

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
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Tensor& t = g.tensors[g.inputs[i]];
    datasets::NpyArray a;
    a.dtype = t.dtype;
    a.shape = t.shape;
    a.data.resize(t.bytes());
    // Image inputs get smooth noise (see fill_smooth_random): uniform noise
    // drives the segmentation masks to ~1e-10 everywhere.
    datasets::fill_smooth_random(t, 1000 + i, datasets::default_range(t), a.data.data());
    const fs::path path = work / ("input_" + std::to_string(i) + ".npy");
    ASSERT_TRUE(datasets::write_npy(path, a).is_ok());
    req.config.inputs.push_back(t.name + "=" + path.string());
    oracle_args.push_back("--input");
    oracle_args.push_back(path.string());
  }
  oracle_args.push_back("--out-dir");
  oracle_args.push_back((work / "litert").string());
  oracle_args.push_back("--node-dir");
  oracle_args.push_back(node_dir.string());

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
      auto ours = datasets::read_npy(fs::path(out_dir) / file);
      auto ref = datasets::read_npy(work / "litert" / file);
      ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
      ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
      ASSERT_EQ(ours->dtype, DType::kF32);
      ASSERT_EQ(ref->dtype, DType::kF32);
      ASSERT_EQ(num_elements(ours->shape), num_elements(ref->shape))
          << "output " << i << ": " << shape_to_string(ours->shape) << " vs "
          << shape_to_string(ref->shape);
      const auto* a = reinterpret_cast<const float*>(ours->data.data());
      const auto* b = reinterpret_cast<const float*>(ref->data.data());
      const int64_t n = num_elements(ref->shape);
      double max_ref = 0, max_err = 0;
      for (int64_t k = 0; k < n; ++k) {
        max_ref = std::max(max_ref, std::fabs(static_cast<double>(b[k])));
        const double err = std::fabs(static_cast<double>(a[k]) - b[k]);
        max_err = std::isnan(err) ? INFINITY : std::max(max_err, err);
      }
      const double tol = 1e-4 * max_ref + 1e-5;
      std::printf("  %-30s %-15s output %zu %-14s max|ref| %-9.4g max err %-9.3g (tol %.3g)\n",
                  GetParam().c_str(), config.label, i, shape_to_string(ref->shape).c_str(),
                  max_ref, max_err, tol);
      EXPECT_LE(max_err, tol) << GetParam() << " " << config.label << " output " << i;
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

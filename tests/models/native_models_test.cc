// The native backend on whole int8 models: selfie_segmentation,
// face_detection_full_range and hand_landmark_full (from
// $OPSCOPE_MODEL_DIR; skipped when absent), quantized here by
// engine/transforms/quantize (calibrated on two seeded random inputs: the
// check is bit-exactness, not accuracy), run on {"native", "cpu"} on every
// ISA path this CPU has, 1 and 2 threads, must give outputs byte for byte
// equal to the reference backend's ({"cpu"}). The one float kernel of the
// native backend (TRANSPOSE_CONV with kernel = stride: selfie_segmentation's
// float mask head) sums in another order than the reference: a float
// output downstream of it must agree within 1e-5 instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/backends/native/native_env.h"
#include "engine/session.h"
#include "engine/transforms/quantize/quantize_model.h"
#include "harness/model_loader.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;

void fill_random(Session& session, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  for (int i = 0; i < session.num_inputs(); ++i) {
    const Tensor& t = session.input_tensor(i);
    if (t.dtype != DType::kF32) continue;
    auto* p = static_cast<float*>(session.input_data(i));
    for (size_t k = 0; k < t.bytes() / sizeof(float); ++k) p[k] = dist(rng);
  }
}

struct Outputs {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<DType> dtypes;
  int native_nodes = 0;
  int native_float_nodes = 0;  // native nodes with a float output
};

Outputs run(std::shared_ptr<Model> model, const std::vector<std::string>& backends,
            int threads) {
  Outputs out;
  SessionOptions options;
  options.backends = backends;
  options.threads = threads;
  auto s = Session::create(model, options);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  if (!s.is_ok()) return out;
  Session& session = **s;
  fill_random(session, 5);
  EXPECT_TRUE(session.invoke().is_ok());
  for (int i = 0; i < session.num_outputs(); ++i) {
    const auto* p = static_cast<const uint8_t*>(session.output_data(i));
    out.bytes.emplace_back(p, p + session.output_tensor(i).bytes());
    out.dtypes.push_back(session.output_tensor(i).dtype);
  }
  const Graph& g = model->graph;
  const std::vector<int>& node_backend = session.partition_plan().node_backend;
  for (size_t n = 0; n < node_backend.size(); ++n) {
    const int b = node_backend[n];
    if (b < 0 || session.backend_names()[b] != "native") continue;
    ++out.native_nodes;
    out.native_float_nodes += g.tensors[g.nodes[n].outputs[0]].dtype == DType::kF32;
  }
  return out;
}

class NativeModels : public ::testing::TestWithParam<const char*> {};

TEST_P(NativeModels, Int8ModelBitExactWithReferenceOnEveryIsa) {
  const fs::path path = testing::model_dir() / (std::string(GetParam()) + ".tflite");
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent";
  auto loaded = harness::load_model(path.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  QuantizeOptions options;
  const std::vector<std::string> built = available_backends();
  if (std::find(built.begin(), built.end(), "xnnpack") != built.end()) {
    options.calibration_backends = {"xnnpack", "cpu"};
  }
  auto quantized = quantize_model(
      *loaded, 2,
      [](int sample, Session& s) {
        fill_random(s, 100 + static_cast<uint32_t>(sample));
        return Status::ok();
      },
      options);
  ASSERT_TRUE(quantized.is_ok()) << quantized.status().to_string();
  const Outputs want = run(*quantized, {"cpu"}, 1);
  ASSERT_FALSE(want.bytes.empty());
  for (native::Isa isa : {native::Isa::kPortable, native::Isa::kAvx2, native::Isa::kAvxVnni,
                          native::Isa::kAvx512Vnni, native::Isa::kNeonDot}) {
    if (!native::cpu_has(isa)) continue;
    setenv("OPSCOPE_NATIVE_ISA", std::string(native::to_string(isa)).c_str(), 1);
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::string(native::to_string(isa)) + ", threads " + std::to_string(threads));
      const Outputs got = run(*quantized, {"native", "cpu"}, threads);
      EXPECT_GT(got.native_nodes, 0);
      ASSERT_EQ(got.bytes.size(), want.bytes.size());
      for (size_t i = 0; i < want.bytes.size(); ++i) {
        if (got.native_float_nodes > 0 && want.dtypes[i] == DType::kF32) {
          ASSERT_EQ(got.bytes[i].size(), want.bytes[i].size());
          std::vector<float> a(want.bytes[i].size() / 4), b(a.size());
          std::memcpy(a.data(), want.bytes[i].data(), want.bytes[i].size());
          std::memcpy(b.data(), got.bytes[i].data(), got.bytes[i].size());
          double worst = 0;
          for (size_t k = 0; k < a.size(); ++k) {
            worst = std::max(worst, std::fabs(double{a[k]} - b[k]) / (1.0 + std::fabs(a[k])));
          }
          EXPECT_LE(worst, 1e-5) << "output " << i << " (f32, after a native float op)";
          continue;
        }
        EXPECT_TRUE(got.bytes[i] == want.bytes[i]) << "output " << i << " differs";
      }
    }
    unsetenv("OPSCOPE_NATIVE_ISA");
  }
}

INSTANTIATE_TEST_SUITE_P(Visible, NativeModels,
                         ::testing::Values("selfie_segmentation", "face_detection_full_range",
                                           "hand_landmark_full"));

}  // namespace
}  // namespace opscope

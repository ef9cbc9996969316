// The runner bundles (docs/bundles.md) are self-contained and right:
// - the aarch64 bundle runs under qemu-aarch64 with an empty environment
//   and only its own lib/ as library path (its loader, its glibc), on real
//   models with --backend xnnpack,cpu and --backend cpu; its saved outputs
//   agree with LiteRT.js within the agreement tests' tolerance
//   (oracle_test_util.h) and its result document says arch aarch64;
// - under qemu, the aarch64 runner's native int8 kernels give the same
//   output bytes as its reference kernels on int8 variants of small models,
//   both on the portable path and on the NEON dot-product one (the best ISA
//   of qemu's default CPU, which the result document must name);
// - the x86_64 bundle starts with `env -i` through its own loader.
// A missing bundle skips, unless OPSCOPE_REQUIRE_AARCH64=1 (scripts/test.sh).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/devices/local_process.h"
#include "adapters/formats/tflite/tflite_writer.h"
#include "engine/session.h"
#include "engine/transforms/quantize/quantize_model.h"
#include "harness/model_loader.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers

fs::path bundles_dir() { return env_or("OPSCOPE_BUNDLES_DIR", "cli/bundles"); }
bool aarch64_required() { return env_or("OPSCOPE_REQUIRE_AARCH64", "0") == "1"; }
fs::path litert_script() { return source_dir() / "tools/litert/run_litert.mjs"; }

TEST(X86Bundle, StartsWithEmptyEnvironmentThroughItsLoader) {
  const fs::path b = bundles_dir() / "x86_64";
  if (!fs::exists(b / "bundle.json")) GTEST_SKIP() << "no x86_64 bundle in " << b;
  auto outcome = devices::run_local_process(
      "/usr/bin/env", {"-i", (b / "lib/ld-linux-x86-64.so.2").string(), "--library-path",
                       (b / "lib").string(), (b / "bin/opscope-runner").string(), "--version"});
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(outcome->exit_code, 0);
  auto wrapped = devices::run_local_process("/usr/bin/env", {"-i", (b / "run").string(), "--version"});
  ASSERT_TRUE(wrapped.is_ok());
  EXPECT_EQ(wrapped->exit_code, 0);
}

class Aarch64Bundle : public ::testing::TestWithParam<std::string> {};

TEST_P(Aarch64Bundle, AgreesWithLiteRtJsUnderQemu) {
  const fs::path b = bundles_dir() / "aarch64";
  const fs::path model = model_dir() / (GetParam() + ".tflite");
  const bool have_all = fs::exists(b / "bundle.json") && fs::exists(model) &&
                        fs::exists(node_dir() / "node_modules/@litertjs/core") &&
                        fs::exists("/usr/bin/qemu-aarch64");
  if (!have_all) {
    if (aarch64_required()) FAIL() << "missing " << b << ", " << model << ", LiteRT.js or qemu-aarch64";
    GTEST_SKIP() << "aarch64 bundle, model, LiteRT.js or qemu-aarch64 missing";
  }
  const fs::path work = fresh_dir("opscope-bundle", GetParam());
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  const std::vector<fs::path> inputs = write_smooth_inputs(g, work);

  std::vector<std::string> oracle = {"node", litert_script().string(), "--model", model.string()};
  for (const fs::path& in : inputs) {
    oracle.push_back("--input");
    oracle.push_back(in.string());
  }
  oracle.insert(oracle.end(), {"--out-dir", (work / "litert").string(), "--node-dir",
                                node_dir().string()});
  auto ran = devices::run_local_process("/usr/bin/env", oracle);
  ASSERT_TRUE(ran.is_ok() && ran->exit_code == 0) << "run_litert.mjs failed";

  for (const std::string& backends : {std::string("xnnpack,cpu"), std::string("cpu")}) {
    const fs::path out = work / ("ours_" + backends.substr(0, backends.find(',')));
    // Nothing from this machine's environment; only the bundle's lib/.
    std::vector<std::string> args = {
        "-i", "/usr/bin/qemu-aarch64", (b / "lib/ld-linux-aarch64.so.1").string(),
        "--library-path", (b / "lib").string(), (b / "bin/opscope-runner").string(),
        model.string(), "--backend", backends, "--threads", "1", "--runs", "1",
        "--warmup", "0", "--min-secs", "0", "--save-outputs", out.string(),
        "--json", (out.string() + ".json")};
    for (size_t i = 0; i < inputs.size(); ++i) {
      args.push_back("--input");
      args.push_back(g.tensors[g.inputs[i]].name + "=" + inputs[i].string());
    }
    devices::ProcessLimits limits;
    limits.timeout_secs = 240;
    auto r = devices::run_local_process("/usr/bin/env", args, limits);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_FALSE(r->signaled) << backends << ": signal " << r->signal;
    ASSERT_EQ(r->exit_code, 0) << backends;
    std::printf("  %s %s under qemu: %.1f s\n", GetParam().c_str(), backends.c_str(),
                r->wall_secs);
    std::ifstream f(out.string() + ".json");
    const nlohmann::json doc = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(doc.is_object()) << "result document is not JSON";
    EXPECT_EQ(doc.value("status", ""), "ok");
    EXPECT_EQ(doc["device"].value("arch", ""), "aarch64");
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const std::string file = "output_" + std::to_string(i) + ".npy";
      expect_within_tolerance(out / file, work / "litert" / file,
                              GetParam() + " aarch64 " + backends + " output " +
                                  std::to_string(i),
                              /*same_count_only=*/true);
    }
  }
  fs::remove_all(work);
}

// Runs the aarch64 bundle's runner on `model` under qemu with `backends`;
// the result document, or null if the runner failed. The runner's
// environment holds only `env` (NAME=VALUE entries; qemu-user passes its
// own environment to the guest).
nlohmann::json run_under_qemu(const fs::path& b, const fs::path& model, const std::string& backends,
                              const fs::path& json, const std::vector<std::string>& env = {}) {
  std::vector<std::string> args = {"-i"};
  args.insert(args.end(), env.begin(), env.end());
  const std::vector<std::string> rest = {
      "/usr/bin/qemu-aarch64", (b / "lib/ld-linux-aarch64.so.1").string(),
      "--library-path", (b / "lib").string(), (b / "bin/opscope-runner").string(),
      model.string(), "--backend", backends, "--threads", "1", "--runs", "1",
      "--warmup", "0", "--min-secs", "0", "--json", json.string()};
  args.insert(args.end(), rest.begin(), rest.end());
  devices::ProcessLimits limits;
  limits.timeout_secs = 240;
  auto r = devices::run_local_process("/usr/bin/env", args, limits);
  if (!r.is_ok() || r->signaled || r->exit_code != 0) return nullptr;
  std::ifstream f(json);
  return nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
}

// The native backend under qemu, on an int8 variant of a model (quantized
// here from random calibration inputs), with its portable kernels and with
// the best ISA the emulated CPU has: both give the reference backend's
// output bytes. qemu-aarch64's default CPU ("max") has the dot-product
// extension, so the best ISA is neondot (qgemm_neondot.cc): checked from
// the result document's device.native_isa.
class Aarch64BundleNative : public ::testing::TestWithParam<std::string> {};

TEST_P(Aarch64BundleNative, Int8BitExactWithReferenceUnderQemu) {
  const fs::path b = bundles_dir() / "aarch64";
  const fs::path model = model_dir() / (GetParam() + ".tflite");
  if (!fs::exists(b / "bundle.json") || !fs::exists(model) ||
      !fs::exists("/usr/bin/qemu-aarch64")) {
    if (aarch64_required()) FAIL() << "missing " << b << ", " << model << " or qemu-aarch64";
    GTEST_SKIP() << "aarch64 bundle, model or qemu-aarch64 missing";
  }
  const fs::path work = fresh_dir("opscope-bundle", "native_" + GetParam());
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  auto quantized = quantize_model(
      *loaded, 2,
      [](int sample, Session& s) {
        std::mt19937 rng(100 + static_cast<uint32_t>(sample));
        std::uniform_real_distribution<float> dist(0.0f, 1.0f);
        for (int i = 0; i < s.num_inputs(); ++i) {
          auto* p = static_cast<float*>(s.input_data(i));
          for (size_t k = 0; k < s.input_tensor(i).bytes() / sizeof(float); ++k) p[k] = dist(rng);
        }
        return Status::ok();
      },
      QuantizeOptions{});
  ASSERT_TRUE(quantized.is_ok()) << quantized.status().to_string();
  const fs::path int8 = work / (GetParam() + "_int8.tflite");
  ASSERT_TRUE(tflite::write_tflite_file((*quantized)->graph, int8.string()).is_ok());

  const nlohmann::json ref = run_under_qemu(b, int8, "cpu", work / "cpu.json");
  ASSERT_TRUE(ref.is_object()) << "the runner failed under qemu (cpu)";
  ASSERT_EQ(ref.value("status", ""), "ok");
  // "" leaves OPSCOPE_NATIVE_ISA unset: the best ISA of the emulated CPU.
  for (const std::string& isa : {std::string("portable"), std::string("")}) {
    const std::vector<std::string> env =
        isa.empty() ? std::vector<std::string>{}
                    : std::vector<std::string>{"OPSCOPE_NATIVE_ISA=" + isa};
    const std::string label = GetParam() + " native " + (isa.empty() ? "best" : isa);
    const nlohmann::json nat =
        run_under_qemu(b, int8, "native,cpu", work / ("native_" + isa + ".json"), env);
    ASSERT_TRUE(nat.is_object()) << label << ": the runner failed under qemu";
    ASSERT_EQ(nat.value("status", ""), "ok") << label;
    const std::string ran = nat["device"].value("native_isa", "");
    std::printf("  %s: device.native_isa %s\n", label.c_str(), ran.c_str());
    EXPECT_EQ(ran, isa.empty() ? "neondot" : isa) << label;
    // The GEMM's ops (and the others native takes) ran on native: every
    // CONV_2D and FULLY_CONNECTED of the model.
    std::map<std::string, int> on_native, in_model;
    for (const auto& op : nat["ops"]) {
      const std::string type = op.value("type", "");
      ++in_model[type];
      if (op.value("backend", "") == "native") ++on_native[type];
    }
    std::string ran_natively;
    for (const auto& [type, count] : on_native) ran_natively += " " + type + "x" + std::to_string(count);
    std::printf("  %s: on native:%s\n", label.c_str(), ran_natively.c_str());
    EXPECT_GT(on_native["CONV_2D"] + on_native["FULLY_CONNECTED"], 0) << label;
    EXPECT_EQ(on_native["CONV_2D"], in_model["CONV_2D"]) << label;
    EXPECT_EQ(on_native["FULLY_CONNECTED"], in_model["FULLY_CONNECTED"]) << label;
    ASSERT_EQ(ref["outputs"].size(), nat["outputs"].size()) << label;
    for (size_t i = 0; i < ref["outputs"].size(); ++i) {
      EXPECT_EQ(nat["outputs"][i].value("checksum", "a"), ref["outputs"][i].value("checksum", "b"))
          << label << " output " << i;
    }
  }
  fs::remove_all(work);
}

// CONV_2D in the first three (selfie 43, face 21, hand 31); FULLY_CONNECTED
// in hand_landmark_lite (4) and alexa_v0.1 (3, its only weighted ops).
INSTANTIATE_TEST_SUITE_P(Int8Models, Aarch64BundleNative,
                         ::testing::Values("selfie_segmentation", "face_detection_short_range",
                                           "hand_landmark_lite", "alexa_v0.1"));

INSTANTIATE_TEST_SUITE_P(SmallModels, Aarch64Bundle,
                         ::testing::Values("selfie_segmentation", "face_detection_short_range"));

}  // namespace
}  // namespace opscope

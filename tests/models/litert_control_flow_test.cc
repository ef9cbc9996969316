// TFLite control flow agrees with LiteRT.js: the IF, WHILE and nested
// (IF inside a WHILE body) models of tflite_control_flow_models.h, written
// to files, run by tools/litert/run_litert.mjs and by opscope's runner (in
// process, harness::run_case) on every backend configuration, on the same
// inputs: IF with its condition true and false, WHILE with 0, 1 and 7 runs
// of its body. Float outputs satisfy the agreement rule of
// oracle_test_util.h; WHILE's run count (INT32) must be equal.
//
// Skipped when LiteRT.js is missing, unless OPSCOPE_REQUIRE_ORACLE=1.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "harness/run_case.h"
#include "tests/adapters/formats/tflite_control_flow_models.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers
namespace models = tflite::testing::control_flow_models;

fs::path litert_script() { return source_dir() / "tools/litert/run_litert.mjs"; }

bool have_litert() {
  return fs::exists(node_dir() / "node_modules/@litertjs/core") && fs::exists(litert_script());
}

struct Input {
  std::string name;
  DType dtype;
  Shape shape;
  std::vector<uint8_t> bytes;
};

template <typename T>
Input input_of(const std::string& name, DType dtype, Shape shape, const std::vector<T>& values) {
  Input in{name, dtype, std::move(shape), std::vector<uint8_t>(values.size() * sizeof(T))};
  std::memcpy(in.bytes.data(), values.data(), in.bytes.size());
  return in;
}

// Writes `bytes` as `work/tag.tflite`, runs it with `inputs` through LiteRT.js
// and through run_case on every backend configuration; output 0 (f32) must
// agree, and output `int_output` (i32), when >= 0, must be equal.
void expect_agrees(const std::vector<uint8_t>& bytes, const std::vector<Input>& inputs,
                   const std::string& tag, int int_output) {
  const fs::path work = fresh_dir("opscope-cf-agree", tag);
  const fs::path model = work / (tag + ".tflite");
  std::ofstream(model, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));

  harness::RunRequest req;
  req.model_path = model.string();
  req.config.runs = 1;
  req.config.warmup_runs = 0;
  req.config.min_secs = 0;
  std::vector<std::string> oracle_args = {"node", litert_script().string(), "--model",
                                          model.string()};
  for (size_t i = 0; i < inputs.size(); ++i) {
    datasets::NpyArray a;
    a.dtype = inputs[i].dtype;
    a.shape = inputs[i].shape;
    a.data = inputs[i].bytes;
    const fs::path path = work / ("input_" + std::to_string(i) + ".npy");
    ASSERT_TRUE(datasets::write_npy(path, a).is_ok());
    req.config.inputs.push_back(inputs[i].name + "=" + path.string());
    oracle_args.push_back("--input");
    oracle_args.push_back(path.string());
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
    const fs::path out_dir =
        work / ("ours_" + std::to_string(config.threads) + "_" + config.backends[0]);
    req.save_outputs_dir = out_dir.string();
    const ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
    expect_within_tolerance(out_dir / "output_0.npy", work / "litert" / "output_0.npy",
                            tag + " " + config.label + " output 0");
    if (int_output < 0) continue;
    const std::string file = "output_" + std::to_string(int_output) + ".npy";
    auto ours = datasets::read_npy(out_dir / file);
    auto ref = datasets::read_npy(work / "litert" / file);
    ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
    ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
    EXPECT_EQ(ours->dtype, DType::kI32);
    EXPECT_EQ(ours->shape, ref->shape) << tag;
    EXPECT_EQ(ours->data, ref->data) << tag << " " << config.label << " " << file;
  }
  fs::remove_all(work);
}

#define REQUIRE_LITERT()                                                          \
  do {                                                                            \
    if (!have_litert()) {                                                         \
      if (oracle_required()) FAIL() << "missing LiteRT.js in " << node_dir();     \
      GTEST_SKIP() << "LiteRT.js not installed";                                  \
    }                                                                             \
  } while (0)

const std::vector<float> kX4 = {1, -2, 0.5f, 4};

TEST(LiteRtControlFlow, IfTakesEachBranchAsLiteRtJs) {
  REQUIRE_LITERT();
  for (const bool cond : {true, false}) {
    const std::vector<uint8_t> c = {static_cast<uint8_t>(cond ? 1 : 0)};
    expect_agrees(models::if_model(),
                  {input_of("cond", DType::kBool, {1}, c), input_of("x", DType::kF32, {4}, kX4)},
                  cond ? "if_then" : "if_else", -1);
  }
}

TEST(LiteRtControlFlow, WhileRunsZeroOneAndManyTimesAsLiteRtJs) {
  REQUIRE_LITERT();
  for (const int32_t n : {0, 1, 7}) {
    expect_agrees(models::while_model(),
                  {input_of("n", DType::kI32, {1}, std::vector<int32_t>{n}),
                   input_of("x", DType::kF32, {4}, kX4)},
                  "while_" + std::to_string(n), 1);
  }
}

TEST(LiteRtControlFlow, IfInsideAWhileBodyAsLiteRtJs) {
  REQUIRE_LITERT();
  expect_agrees(models::nested_model(), {input_of("x", DType::kF32, {1}, std::vector<float>{1})},
                "nested", -1);
}

}  // namespace
}  // namespace opscope

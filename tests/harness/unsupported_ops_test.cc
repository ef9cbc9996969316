// A model with ops the engine does not implement: `inspect` lists each one
// with its reason, and running it fails with unsupported_op (exit code 6)
// naming the node, the op and the file, before any work is done.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/exit_codes.h"
#include "harness/inspect.h"
#include "harness/run_case.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;
using tflite::testing::TfliteModelBuilder;
using BuiltinOperator = tflite::fb::BuiltinOperator;
using TensorType = tflite::fb::TensorType;

// in -> RELU -> SIN -> MyCustomOp -> out
fs::path write_model() {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  const int a = b.add_tensor("relu_out", TensorType::FLOAT32, {1, 4});
  const int s = b.add_tensor("svdf_out", TensorType::FLOAT32, {1, 4});
  const int out = b.add_tensor("custom_out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {a});
  b.add_op(b.add_opcode(BuiltinOperator::SVDF), {a}, {s});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "MyCustomOp"), {s}, {out});
  const std::vector<uint8_t> bytes = b.finish({in}, {out});
  const fs::path path = fs::temp_directory_path() /
                        ("opscope_unsupported_" + std::to_string(::getpid()) + ".tflite");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(UnsupportedOps, InspectListsEveryUnsupportedNode) {
  const fs::path path = write_model();
  auto info = harness::inspect_model(path.string(), {"cpu"});
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  // It loads (unknown ops become nodes no backend supports): the engine's
  // description, which says it cannot run.
  EXPECT_EQ((*info)["described_from"], "engine");
  EXPECT_EQ((*info)["runnable"], false);
  const auto& unsupported = (*info)["unsupported"];
  ASSERT_EQ(unsupported.size(), 2u);
  EXPECT_EQ(unsupported[0]["type"], "SVDF");
  EXPECT_EQ(unsupported[0]["source_index"], 1);
  EXPECT_EQ(unsupported[0]["name"], "svdf_out");
  EXPECT_NE(unsupported[0]["reason"].get<std::string>().find("cpu:"), std::string::npos);
  EXPECT_EQ(unsupported[1]["type"], "MyCustomOp");
  EXPECT_EQ(unsupported[1]["source_index"], 2);
  // The supported node is still placed.
  EXPECT_EQ((*info)["nodes"][0]["backend"], "cpu");
  EXPECT_TRUE((*info)["nodes"][1]["backend"].is_null());
  fs::remove(path);
}

TEST(UnsupportedOps, RunFailsNamingTheNodesAndExitsWith6) {
  const fs::path path = write_model();
  harness::RunRequest req;
  req.model_path = path.string();
  req.config.runs = 1;
  req.config.min_secs = 0;
  const ResultDocument doc = harness::run_case(req);
  EXPECT_EQ(doc.status, "error");
  EXPECT_EQ(doc.error.code, "unsupported_op");
  EXPECT_EQ(harness::exit_code_for(doc.error.code), harness::kExitUnsupportedOp);
  const std::string& msg = doc.error.message;
  EXPECT_NE(msg.find(path.filename().string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 1 'svdf_out' (SVDF)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 2 'custom_out' (MyCustomOp)"), std::string::npos) << msg;
  fs::remove(path);
}

}  // namespace
}  // namespace opscope

// `opscope inspect` of models the engine cannot import, through the
// command itself (cli/cmd_inspect.cc): the description on stdout (text and
// --json), the import error on stderr, and the import error's exit code.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/cmd_inspect.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;
using tflite::testing::TfliteModelBuilder;
using BuiltinOperator = tflite::fb::BuiltinOperator;
using TensorType = tflite::fb::TensorType;

struct Outcome {
  int code = -1;
  std::string out, err;
};

Outcome inspect(std::vector<std::string> args) {
  CLI::App app;
  cli::CliCommand cmd = cli::add_inspect_command(app);
  args.insert(args.begin(), {"opscope", "inspect"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  Outcome o;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  o.code = cmd.run();
  std::cout.flush();
  std::fflush(nullptr);
  o.err = ::testing::internal::GetCapturedStderr();
  o.out = ::testing::internal::GetCapturedStdout();
  return o;
}

fs::path node_test(const std::string& name) {
  const char* env = std::getenv("OPSCOPE_ONNX_TESTDATA");
  return fs::path(env != nullptr ? env : "/usr/share/libonnx-testdata/data/node") / name /
         "model.onnx";
}

#define REQUIRE_NODE_TEST(path) \
  if (!fs::exists(path)) GTEST_SKIP() << path << " not installed (libonnx-testdata)"

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(InspectUnrunnableCli, OnnxIfText) {
  const fs::path path = node_test("test_if_seq");  // branches build sequences
  REQUIRE_NODE_TEST(path);
  const Outcome o = inspect({path.string()});
  EXPECT_EQ(o.code, 6);
  EXPECT_TRUE(has(o.out, "runnable   no")) << o.out;
  EXPECT_TRUE(has(o.out, "cond")) << o.out;  // the input
  EXPECT_TRUE(has(o.out, "op types (main graph, 1 node):")) << o.out;
  EXPECT_TRUE(has(o.out, "If.then_branch (of node 0")) << o.out;
  EXPECT_TRUE(has(o.out, "If.else_branch (of node 0")) << o.out;
  EXPECT_TRUE(has(o.out, "node 0 'res' (If): then_branch: node 0 'then_out' (SequenceConstruct)")) << o.out;
  EXPECT_TRUE(has(o.out, "the engine cannot import this model (unsupported_op)")) << o.out;
  EXPECT_TRUE(has(o.err, "opscope: error: ")) << o.err;
  EXPECT_FALSE(has(o.err, "op types")) << o.err;  // the description is on stdout only
}

TEST(InspectUnrunnableCli, OnnxNonMaxSuppressionJson) {
  const fs::path path = node_test("test_nonmaxsuppression_single_box");
  REQUIRE_NODE_TEST(path);
  const Outcome o = inspect({path.string(), "--json"});
  EXPECT_EQ(o.code, 6);
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["runnable"], false);
  EXPECT_EQ(j["import_error"]["code"], "unsupported_op");
  EXPECT_EQ(j["inputs"][0]["name"], "boxes");
  EXPECT_EQ(j["op_histogram"]["NonMaxSuppression"], 1);
  EXPECT_EQ(j["unsupported"][0]["type"], "NonMaxSuppression");
  EXPECT_TRUE(has(o.err, "NonMaxSuppression")) << o.err;
}

TEST(InspectUnrunnableCli, OnnxDoubleTextAndJson) {
  const fs::path path = node_test("test_cast_FLOAT_to_DOUBLE");
  REQUIRE_NODE_TEST(path);
  const Outcome text = inspect({path.string()});
  EXPECT_EQ(text.code, 8);
  EXPECT_TRUE(has(text.out, "DOUBLE")) << text.out;
  EXPECT_TRUE(has(text.out, "Cast")) << text.out;
  EXPECT_TRUE(has(text.out, "(Cast): ")) << text.out;
  const Outcome js = inspect({path.string(), "--json"});
  EXPECT_EQ(js.code, 8);
  const auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["unsupported"][0]["tensor_type"], "DOUBLE");
  EXPECT_EQ(j["op_histogram"]["Cast"], 1);
}

TEST(InspectUnrunnableCli, TfliteWithAFloat64TensorTextAndJson) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  const int wide = b.add_tensor("wide\xE9", TensorType::FLOAT64, {1, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "MyCustomOp"), {in}, {wide});
  b.add_op(b.add_opcode(BuiltinOperator::CAST), {wide}, {out});
  b.set_extra_subgraphs(1);
  const std::vector<uint8_t> bytes = b.finish({in}, {out});
  const fs::path path =
      fs::temp_directory_path() / ("opscope_cli_" + std::to_string(::getpid()) + ".tflite");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));

  const Outcome text = inspect({path.string()});
  EXPECT_EQ(text.code, 8);
  EXPECT_TRUE(has(text.out, "op types (subgraph 0 'main', 2 nodes):")) << text.out;
  EXPECT_TRUE(has(text.out, "MyCustomOp")) << text.out;
  EXPECT_TRUE(has(text.out, "subgraph 1 (0 nodes):")) << text.out;
  EXPECT_TRUE(has(text.out, "node 0 'wide\\xE9' (MyCustomOp): writes tensor 1")) << text.out;
  EXPECT_TRUE(has(text.err, "FLOAT64")) << text.err;

  const Outcome js = inspect({path.string(), "--json"});
  EXPECT_EQ(js.code, 8);
  const auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["inputs"][0]["name"], "in");
  EXPECT_EQ(j["unsupported"][0]["name"], "wide\\xE9");
  fs::remove(path);
}

TEST(InspectUnrunnableCli, AFileThatDoesNotParsePrintsOnlyTheError) {
  const fs::path path =
      fs::temp_directory_path() / ("opscope_cli_junk_" + std::to_string(::getpid()) + ".onnx");
  std::ofstream(path, std::ios::binary) << "\x0a\xff\xff\xff\xff\x0f junk";
  const Outcome o = inspect({path.string()});
  EXPECT_EQ(o.code, 4);
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_TRUE(has(o.err, "not a valid ONNX ModelProto")) << o.err;
  fs::remove(path);
}

}  // namespace
}  // namespace opscope

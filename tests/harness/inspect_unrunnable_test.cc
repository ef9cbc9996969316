// inspect_model on models the engine cannot import: the description read
// from the file ("described_from": "file"), "runnable": false and the
// import error, whose code is the exit code `opscope inspect` keeps. Files
// that do not parse still fail.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness/exit_codes.h"
#include "harness/inspect.h"
#include "result/utf8.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tflite::testing::TfliteModelBuilder;
using BuiltinOperator = tflite::fb::BuiltinOperator;
using TensorType = tflite::fb::TensorType;

fs::path node_test(const std::string& name) {
  const char* env = std::getenv("OPSCOPE_ONNX_TESTDATA");
  return fs::path(env != nullptr ? env : "/usr/share/libonnx-testdata/data/node") / name /
         "model.onnx";
}

#define REQUIRE_NODE_TEST(path) \
  if (!fs::exists(path)) GTEST_SKIP() << path << " not installed (libonnx-testdata)"

fs::path write_file(const std::string& name, const std::vector<uint8_t>& bytes) {
  const fs::path path = fs::temp_directory_path() /
                        ("opscope_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

json inspect(const fs::path& path) {
  auto info = harness::inspect_model(path.string(), {"cpu"});
  EXPECT_TRUE(info.is_ok()) << info.status().to_string();
  return info.is_ok() ? *info : json();
}

int exit_code(const json& j) {
  return harness::exit_code_for(j["import_error"]["code"].get<std::string>());
}

// An If whose branches build sequences, which the engine does not have.
TEST(InspectUnrunnable, OnnxIfDescribesBothBranches) {
  const fs::path path = node_test("test_if_seq");
  REQUIRE_NODE_TEST(path);
  const json j = inspect(path);
  EXPECT_EQ(j["described_from"], "file");
  EXPECT_EQ(j["runnable"], false);
  EXPECT_EQ(j["import_error"]["code"], "unsupported_op");
  EXPECT_EQ(exit_code(j), harness::kExitUnsupportedOp);
  EXPECT_EQ(j["model"]["format"], "onnx");
  EXPECT_EQ(j["inputs"][0]["name"], "cond");
  EXPECT_EQ(j["op_histogram"]["If"], 1);
  // The branches in the file's attribute order.
  std::set<std::string> paths;
  for (const json& g : j["graphs"]) paths.insert(g["path"]);
  EXPECT_EQ(paths, (std::set<std::string>{"main", "If.then_branch", "If.else_branch"}));
  EXPECT_EQ(j["graphs"][0]["path"], "main");
  EXPECT_EQ(j["graphs"][1]["owner"]["type"], "If");
  EXPECT_EQ(j["graphs"][1]["owner"]["index"], 0);
  ASSERT_FALSE(j["unsupported"].empty());
  EXPECT_EQ(j["unsupported"][0]["type"], "If");
  EXPECT_EQ(j["unsupported"][0]["source_index"], 0);
  EXPECT_NE(j["unsupported"][0]["reason"].get<std::string>().find(
                "then_branch: node 0 'then_out' (SequenceConstruct)"),
            std::string::npos);
  // The file's own scan names the op inside each branch.
  ASSERT_EQ(j["unsupported"].size(), 3u);
  EXPECT_EQ(j["unsupported"][1]["type"], "SequenceConstruct");
  EXPECT_EQ(j["unsupported"][1]["graph_path"], "If.else_branch");
}

TEST(InspectUnrunnable, OnnxNonMaxSuppression) {
  const fs::path path = node_test("test_nonmaxsuppression_single_box");
  REQUIRE_NODE_TEST(path);
  const json j = inspect(path);
  EXPECT_EQ(j["runnable"], false);
  EXPECT_EQ(exit_code(j), harness::kExitUnsupportedOp);
  EXPECT_EQ(j["inputs"].size(), 5u);
  EXPECT_EQ(j["op_histogram"]["NonMaxSuppression"], 1);
  ASSERT_EQ(j["unsupported"].size(), 1u);
  EXPECT_EQ(j["unsupported"][0]["type"], "NonMaxSuppression");
}

TEST(InspectUnrunnable, OnnxDoubleNamesTheTensorAndType) {
  const fs::path path = node_test("test_cast_FLOAT_to_DOUBLE");
  REQUIRE_NODE_TEST(path);
  const json j = inspect(path);
  EXPECT_EQ(j["import_error"]["code"], "type_mismatch");
  EXPECT_EQ(exit_code(j), harness::kExitTypeMismatch);
  EXPECT_EQ(j["outputs"][0]["dtype"], "DOUBLE");
  EXPECT_EQ(j["op_histogram"]["Cast"], 1);
  ASSERT_EQ(j["unsupported"].size(), 1u);
  EXPECT_EQ(j["unsupported"][0]["type"], "Cast");
  EXPECT_EQ(j["unsupported"][0]["tensor_type"], "DOUBLE");
  EXPECT_EQ(j["unsupported"][0]["tensor"], j["outputs"][0]["name"]);
}

// in -> RELU -> MyCustomOp -> "wide\xE9" (FLOAT64) -> CAST -> out, plus an
// empty second subgraph: the reader refuses the FLOAT64 tensor.
fs::path write_float64_tflite() {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  const int r = b.add_tensor("relu_out", TensorType::FLOAT32, {1, 4});
  const int wide = b.add_tensor("wide\xE9", TensorType::FLOAT64, {1, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {r});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "MyCustomOp"), {r}, {wide});
  b.add_op(b.add_opcode(BuiltinOperator::CAST), {wide}, {out});
  b.set_extra_subgraphs(1);
  return write_file("wide.tflite", b.finish({in}, {out}));
}

TEST(InspectUnrunnable, TfliteWithAnUnsupportedTypeAndOp) {
  const fs::path path = write_float64_tflite();
  const json j = inspect(path);
  fs::remove(path);
  EXPECT_EQ(j["described_from"], "file");
  EXPECT_EQ(j["import_error"]["code"], "type_mismatch");
  EXPECT_EQ(exit_code(j), harness::kExitTypeMismatch);
  EXPECT_EQ(j["model"]["schema_version"], 3);
  EXPECT_EQ(j["inputs"][0]["name"], "in");
  EXPECT_EQ(j["inputs"][0]["shape"], json::array({1, 4}));
  EXPECT_EQ(j["op_histogram"]["MyCustomOp"], 1);
  ASSERT_EQ(j["graphs"].size(), 2u);
  EXPECT_EQ(j["graphs"][1]["nodes"], 0);
  ASSERT_EQ(j["unsupported"].size(), 1u);
  // Latin-1 bytes come back as \xNN: the JSON dumps without throwing.
  EXPECT_EQ(j["unsupported"][0]["name"], "wide\\xE9");
  EXPECT_EQ(j["unsupported"][0]["type"], "MyCustomOp");
  EXPECT_EQ(j["unsupported"][0]["tensor_type"], "FLOAT64");
  EXPECT_NO_THROW(j.dump());
  EXPECT_TRUE(is_valid_utf8(j["import_error"]["message"].get<std::string>()));
}

TEST(InspectUnrunnable, AModelThatLoadsIsDescribedByTheEngine) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {out});
  const fs::path path = write_file("relu.tflite", b.finish({in}, {out}));
  const json j = inspect(path);
  fs::remove(path);
  EXPECT_EQ(j["described_from"], "engine");
  EXPECT_EQ(j["runnable"], true);
  EXPECT_FALSE(j.contains("import_error"));
}

TEST(InspectUnrunnable, FilesThatDoNotParseStillFail) {
  const fs::path onnx = write_file("junk.onnx", {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2});
  const fs::path tfl = write_file("junk.tflite", {1, 2, 3, 4, 'X', 'Y', 'Z', 'W', 0, 0, 0, 0});
  for (const fs::path& p : {onnx, tfl}) {
    auto info = harness::inspect_model(p.string(), {"cpu"});
    ASSERT_FALSE(info.is_ok()) << p;
    EXPECT_EQ(info.status().code(), ErrorCode::kMalformedModel) << info.status().to_string();
    fs::remove(p);
  }
  auto missing = harness::inspect_model("/nonexistent/model.onnx", {"cpu"});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace opscope

// describe_onnx_file: an ONNX file described from its protobuf alone, for
// models the importer refuses (inspect's fallback). The backend node tests
// of Debian's libonnx-testdata (skipped when absent) and a model built here
// with subgraphs nested two deep.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <onnx/onnx_pb.h>

#include "adapters/formats/onnx/onnx_file_info.h"
#include "adapters/formats/onnx/onnx_reader.h"

namespace opscope::onnx {
namespace {

namespace fs = std::filesystem;
using formats::ModelFileInfo;
using formats::UnrunnableNode;

fs::path node_test(const std::string& name) {
  const char* env = std::getenv("OPSCOPE_ONNX_TESTDATA");
  return fs::path(env != nullptr ? env : "/usr/share/libonnx-testdata/data/node") / name /
         "model.onnx";
}

#define REQUIRE_NODE_TEST(path) \
  if (!fs::exists(path)) GTEST_SKIP() << path << " not installed (libonnx-testdata)"

const formats::FileGraph* graph_at(const ModelFileInfo& info, const std::string& path) {
  for (const auto& g : info.graphs) {
    if (g.path == path) return &g;
  }
  return nullptr;
}

TEST(OnnxFileInfo, IfListsBothBranchesAndTheUnsupportedNode) {
  const fs::path path = node_test("test_if");
  REQUIRE_NODE_TEST(path);
  auto info = describe_onnx_file(path.string());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->format, "onnx");
  ASSERT_EQ(info->inputs.size(), 1u);
  EXPECT_EQ(info->inputs[0].name, "cond");
  EXPECT_EQ(info->inputs[0].type, "BOOL");
  ASSERT_EQ(info->graphs.size(), 3u);
  EXPECT_EQ(info->graphs[0].path, "main");
  EXPECT_EQ(info->graphs[0].op_histogram.at("If"), 1);
  const auto* then_branch = graph_at(*info, "If.then_branch");
  const auto* else_branch = graph_at(*info, "If.else_branch");
  ASSERT_NE(then_branch, nullptr);
  ASSERT_NE(else_branch, nullptr);
  EXPECT_EQ(then_branch->parent, 0);
  EXPECT_EQ(then_branch->owner_node, 0);
  EXPECT_EQ(then_branch->owner_op, "If");
  EXPECT_EQ(then_branch->depth, 1);
  EXPECT_GE(then_branch->nodes, 1);
  // If is an op the importer translates (when its condition is known at
  // load), so the file alone lists nothing; the import's error names the
  // node (harness/inspect_file.cc, tested there).
  EXPECT_TRUE(info->unrunnable.empty());
  ASSERT_FALSE(info->opset_imports.empty());
}

TEST(OnnxFileInfo, NonMaxSuppressionIsListedWithItsInputs) {
  const fs::path path = node_test("test_nonmaxsuppression_single_box");
  REQUIRE_NODE_TEST(path);
  auto info = describe_onnx_file(path.string());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  ASSERT_EQ(info->inputs.size(), 5u);
  EXPECT_EQ(info->inputs[0].name, "boxes");
  EXPECT_EQ(info->inputs[0].type, "FLOAT");
  EXPECT_EQ(info->graphs[0].op_histogram.at("NonMaxSuppression"), 1);
  ASSERT_EQ(info->unrunnable.size(), 1u);
  EXPECT_EQ(info->unrunnable[0].op, "NonMaxSuppression");
  EXPECT_EQ(info->unrunnable[0].index, 0);
}

TEST(OnnxFileInfo, DoubleNamesTheTensorItsTypeAndItsNode) {
  const fs::path path = node_test("test_cast_FLOAT_to_DOUBLE");
  REQUIRE_NODE_TEST(path);
  auto info = describe_onnx_file(path.string());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  ASSERT_EQ(info->outputs.size(), 1u);
  EXPECT_EQ(info->outputs[0].type, "DOUBLE");
  ASSERT_EQ(info->unrunnable.size(), 1u);
  const UnrunnableNode& u = info->unrunnable[0];
  EXPECT_EQ(u.index, 0);
  EXPECT_EQ(u.op, "Cast");
  EXPECT_EQ(u.tensor, info->outputs[0].name);
  EXPECT_EQ(u.tensor_type, "DOUBLE");
  EXPECT_NE(u.reason.find("DOUBLE"), std::string::npos) << u.reason;
}

// x[N,4] -> Relu -> Loop(body: If(then: com.example.Frobnicate, else: Identity)),
// with a DOUBLE initializer and a node name in Latin-1.
std::string nested_model() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("opscope-test");
  m.set_producer_version("1.0");
  m.add_opset_import()->set_version(13);
  auto* custom = m.add_opset_import();
  custom->set_domain("com.example");
  custom->set_version(1);
  ::onnx::GraphProto* g = m.mutable_graph();
  auto* x = g->add_input();
  x->set_name("x");
  auto* tt = x->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(::onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("N");
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::DOUBLE);
  w->add_dims(3);
  w->add_dims(4);
  for (int i = 0; i < 12; ++i) w->add_double_data(i);
  auto* relu = g->add_node();
  relu->set_name("relu\xE9");
  relu->set_op_type("Relu");
  relu->add_input("x");
  relu->add_output("r");

  ::onnx::GraphProto then_branch, else_branch, body;
  auto* frob = then_branch.add_node();
  frob->set_name("frob");
  frob->set_domain("com.example");
  frob->set_op_type("Frobnicate");
  frob->add_input("r");
  frob->add_output("t");
  auto* id = else_branch.add_node();
  id->set_op_type("Identity");
  id->add_input("r");
  id->add_output("e");
  auto* iff = body.add_node();
  iff->set_name("branch");
  iff->set_op_type("If");
  iff->add_input("cond_in");
  iff->add_output("y");
  auto* a = iff->add_attribute();
  a->set_name("then_branch");
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = then_branch;
  a = iff->add_attribute();
  a->set_name("else_branch");
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = else_branch;

  auto* loop = g->add_node();
  loop->set_name("loop");
  loop->set_op_type("Loop");
  loop->add_input("");
  loop->add_input("");
  loop->add_output("out");
  a = loop->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = body;
  auto* out = g->add_output();
  out->set_name("out");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
  return m.SerializeAsString();
}

TEST(OnnxFileInfo, NestedSubgraphsSymbolicDimsAndEveryUnrunnableNode) {
  const std::string bytes = nested_model();
  auto info = describe_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                   "nested.onnx");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->producer, "opscope-test");
  EXPECT_EQ(info->ir_version, 8);
  ASSERT_EQ(info->opset_imports.size(), 2u);
  ASSERT_EQ(info->inputs.size(), 1u);
  ASSERT_EQ(info->inputs[0].shape.size(), 2u);
  EXPECT_FALSE(info->inputs[0].shape[0].has_value);
  EXPECT_EQ(info->inputs[0].shape[0].symbol, "N");
  EXPECT_EQ(info->inputs[0].shape[1].value, 4);
  EXPECT_FALSE(info->outputs[0].has_shape);
  EXPECT_EQ(info->params, 12);
  EXPECT_EQ(info->param_bytes, 96);

  ASSERT_EQ(info->graphs.size(), 4u);
  EXPECT_EQ(info->graphs[1].path, "Loop.body");
  EXPECT_EQ(info->graphs[1].owner_name, "loop");
  EXPECT_EQ(info->graphs[2].path, "Loop.body/If.then_branch");
  EXPECT_EQ(info->graphs[2].parent, 1);
  EXPECT_EQ(info->graphs[2].depth, 2);
  EXPECT_EQ(info->graphs[2].op_histogram.at("com.example.Frobnicate"), 1);
  EXPECT_EQ(info->graphs[3].path, "Loop.body/If.else_branch");

  // Main graph first (ops, then types), then each subgraph depth-first.
  // (Loop and If run; the If in the Loop body is translated when its
  // condition is known.)
  ASSERT_EQ(info->unrunnable.size(), 2u);
  EXPECT_EQ(info->unrunnable[0].index, -1);
  EXPECT_EQ(info->unrunnable[0].tensor, "w");
  EXPECT_EQ(info->unrunnable[0].tensor_type, "DOUBLE");
  EXPECT_EQ(info->unrunnable[1].graph, 2);
  EXPECT_EQ(info->unrunnable[1].op, "com.example.Frobnicate");
  EXPECT_NE(info->unrunnable[1].reason.find("domain 'com.example'"), std::string::npos);

  // The importer's error comes from the same list.
  auto loaded = load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                 "nested.onnx");
  ASSERT_FALSE(loaded.is_ok());
  // The first of them: the DOUBLE initializer.
  EXPECT_EQ(loaded.status().code(), ErrorCode::kTypeMismatch);
  EXPECT_NE(loaded.status().message().find("tensor 'w' has element type DOUBLE"), std::string::npos)
      << loaded.status().message();
}

TEST(OnnxFileInfo, RejectsBytesThatDoNotParse) {
  const std::string bytes = "\x0a\xff\xff\xff\xff\x0f not a model";
  auto info = describe_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                   "junk.onnx");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), ErrorCode::kMalformedModel);
  EXPECT_NE(info.status().message().find("junk.onnx"), std::string::npos);
}

}  // namespace
}  // namespace opscope::onnx

// Bad ONNX input gets a clear error: the right code, and a message that
// names the file, and where a node is at fault its index, name and op.
// Models are built here with ONNX's own protobuf classes (Debian's
// libonnx), so what the reader sees is a genuine ModelProto.
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"

namespace {

using opscope::ErrorCode;

// A valid little model: y = Relu(x + b), x f32 [1,4], b an initializer.
::onnx::ModelProto relu_add_model(int opset = 13) {
  ::onnx::ModelProto m;
  m.set_ir_version(7);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto add_value = [](::onnx::ValueInfoProto* vi, const std::string& name) {
    vi->set_name(name);
    auto* t = vi->mutable_type()->mutable_tensor_type();
    t->set_elem_type(::onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_value(1);
    t->mutable_shape()->add_dim()->set_dim_value(4);
  };
  add_value(g->add_input(), "x");
  add_value(g->add_output(), "y");
  auto* b = g->add_initializer();
  b->set_name("b");
  b->set_data_type(::onnx::TensorProto::FLOAT);
  b->add_dims(4);
  for (float v : {1.f, -2.f, 3.f, -4.f}) b->add_float_data(v);
  auto* add = g->add_node();
  add->set_name("the_add");
  add->set_op_type("Add");
  add->add_input("x");
  add->add_input("b");
  add->add_output("s");
  auto* relu = g->add_node();
  relu->set_name("the_relu");
  relu->set_op_type("Relu");
  relu->add_input("s");
  relu->add_output("y");
  return m;
}

opscope::Status load(const ::onnx::ModelProto& m) {
  std::string bytes;
  EXPECT_TRUE(m.SerializeToString(&bytes));
  auto r = opscope::onnx::load_onnx_buffer(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "bad.onnx");
  return r.is_ok() ? opscope::Status::ok() : r.status();
}

void expect_error(const opscope::Status& s, ErrorCode code,
                  const std::vector<std::string>& words) {
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(s.message().find("bad.onnx"), std::string::npos) << s.message();
  for (const auto& w : words) {
    EXPECT_NE(s.message().find(w), std::string::npos)
        << "'" << w << "' missing from: " << s.message();
  }
}

TEST(OnnxReaderErrors, TheValidModelLoads) {
  EXPECT_TRUE(load(relu_add_model()).is_ok());
}

TEST(OnnxReaderErrors, NotAProtobuf) {
  const std::string junk = "this is not a protobuf \xff\xff\xff\xff";
  auto r = opscope::onnx::load_onnx_buffer(
      reinterpret_cast<const uint8_t*>(junk.data()), junk.size(), "bad.onnx");
  expect_error(r.status(), ErrorCode::kMalformedModel, {});
}

TEST(OnnxReaderErrors, TruncatedProtobuf) {
  std::string bytes;
  ASSERT_TRUE(relu_add_model().SerializeToString(&bytes));
  bytes.resize(bytes.size() / 2);
  auto r = opscope::onnx::load_onnx_buffer(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "bad.onnx");
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().code() == ErrorCode::kMalformedModel ||
              r.status().code() == ErrorCode::kInvalidGraph)
      << r.status().message();
}

TEST(OnnxReaderErrors, MissingInitializerNamesTheNode) {
  auto m = relu_add_model();
  m.mutable_graph()->clear_initializer();
  expect_error(load(m), ErrorCode::kInvalidGraph, {"the_add", "Add", "'b'"});
}

TEST(OnnxReaderErrors, CycleNamesTheNode) {
  auto m = relu_add_model();
  // the_add now reads the_relu's output, which reads the_add's: a cycle.
  m.mutable_graph()->mutable_node(0)->set_input(0, "y");
  expect_error(load(m), ErrorCode::kInvalidGraph, {"the_add", "Add", "cycle"});
}

TEST(OnnxReaderErrors, UnknownOpNamesTheNodeAndOp) {
  auto m = relu_add_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("FrobnicateV9");
  expect_error(load(m), ErrorCode::kUnsupportedOp, {"the_relu", "FrobnicateV9"});
}

TEST(OnnxReaderErrors, OpsetsOutOfRange) {
  expect_error(load(relu_add_model(6)), ErrorCode::kUnsupportedOp, {"opset 6"});
  expect_error(load(relu_add_model(19)), ErrorCode::kUnsupportedOp, {"opset 19"});
}

TEST(OnnxReaderErrors, NoDefaultDomainOpset) {
  auto m = relu_add_model();
  m.mutable_opset_import(0)->set_domain("com.example");
  const auto s = load(m);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("opset"), std::string::npos) << s.message();
}

TEST(OnnxReaderErrors, InitializerWithTooFewValues) {
  auto m = relu_add_model();
  m.mutable_graph()->mutable_initializer(0)->mutable_float_data()->RemoveLast();
  const auto s = load(m);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("'b'"), std::string::npos) << s.message();
}

TEST(OnnxReaderErrors, MissingFileIsAnIoError) {
  auto r = opscope::onnx::load_onnx_file("/nonexistent/dir/model.onnx");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIoError);
  EXPECT_NE(r.status().message().find("/nonexistent/dir/model.onnx"), std::string::npos);
}

}  // namespace

namespace {

// Found by the fuzzer: a Shape node without outputs was read past its end.
TEST(OnnxReaderErrors, NodeWithoutOutputsNamesTheNode) {
  auto m = relu_add_model();
  m.mutable_graph()->mutable_node(1)->clear_output();
  expect_error(load(m), ErrorCode::kInvalidGraph, {"the_relu", "Relu", "output"});
}

}  // namespace

// Bad ONNX input gets a clear error: the right code, and a message that
// names the file, and where a node is at fault its index, name and op.
// Models are built here with ONNX's own protobuf classes (Debian's
// libonnx), so what the reader sees is a genuine ModelProto.
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <limits>
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

namespace {

// A model whose only node makes a constant from a constant: y = OP(c).
::onnx::ModelProto one_constant_node(const std::string& op, ::onnx::TensorProto c,
                                     int to = 0) {
  ::onnx::ModelProto m;
  m.set_ir_version(7);
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* g = m.mutable_graph();
  c.set_name("c");
  *g->add_initializer() = c;
  auto* n = g->add_node();
  n->set_name("the_node");
  n->set_op_type(op);
  n->add_input("c");
  n->add_output("y");
  if (to != 0) {
    auto* a = n->add_attribute();
    a->set_name("to");
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(to);
  }
  g->add_output()->set_name("y");
  return m;
}

// A few bytes must not make the loader allocate terabytes.
TEST(OnnxReaderErrors, HugeConstantOfShapeIsRefused) {
  ::onnx::TensorProto shape;
  shape.set_data_type(::onnx::TensorProto::INT64);
  shape.add_dims(2);
  shape.add_int64_data(int64_t{1} << 20);
  shape.add_int64_data(int64_t{1} << 20);
  expect_error(load(one_constant_node("ConstantOfShape", shape)), ErrorCode::kInvalidGraph,
               {"the_node", "ConstantOfShape", "MiB limit"});
}

// Found by the fuzzer's UBSan: an out-of-range float cast to an integer.
TEST(OnnxReaderErrors, CastOfAHugeFloatSaturates) {
  ::onnx::TensorProto c;
  c.set_data_type(::onnx::TensorProto::FLOAT);
  c.add_dims(3);
  c.add_float_data(1e30f);
  c.add_float_data(-1e30f);
  c.add_float_data(std::numeric_limits<float>::quiet_NaN());
  auto r = [&] {
    std::string bytes;
    EXPECT_TRUE(one_constant_node("Cast", c, ::onnx::TensorProto::INT32).SerializeToString(&bytes));
    return opscope::onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size(), "bad.onnx");
  }();
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const auto& g = r.value()->graph;
  // A constant graph output is copied out by one identity node.
  ASSERT_EQ(g.nodes.size(), 1u);
  const auto& y = g.tensors.at(g.nodes[0].inputs.at(0));
  ASSERT_TRUE(y.is_constant());
  const int32_t* v = y.constant_as<int32_t>();
  EXPECT_EQ(v[0], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(v[1], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(v[2], 0);
}

}  // namespace

namespace {

// Found by the fuzzer's UBSan: Reshape target dims whose product overflows.
TEST(OnnxReaderErrors, ReshapeDimsOverflowingInt64AreRefused) {
  auto m = relu_add_model();
  auto* g = m.mutable_graph();
  auto* shape = g->add_initializer();
  shape->set_name("huge_shape");
  shape->set_data_type(::onnx::TensorProto::INT64);
  shape->add_dims(2);
  shape->add_int64_data(int64_t{6557241057451442175});
  shape->add_int64_data(76);
  auto* reshape = g->add_node();
  reshape->set_name("the_reshape");
  reshape->set_op_type("Reshape");
  reshape->add_input("y");
  reshape->add_input("huge_shape");
  reshape->add_output("z");
  g->mutable_output(0)->set_name("z");
  expect_error(load(m), ErrorCode::kShapeMismatch, {"the_reshape", "Reshape", "int64"});
}

// Found by the fuzzer: an axis of a scalar (rank-0) value indexed the empty
// shape. A scalar has no axes, so every axis attribute of one is refused.
TEST(OnnxReaderErrors, AxisOfAScalarIsRefused) {
  auto m = relu_add_model();
  auto* g = m.mutable_graph();
  auto* scalar = g->add_initializer();
  scalar->set_name("two");
  scalar->set_data_type(::onnx::TensorProto::FLOAT);
  scalar->add_float_data(2.0f);
  auto* split = g->add_node();
  split->set_name("the_split");
  split->set_op_type("Split");
  split->add_input("two");
  split->add_output("p0");
  g->mutable_output(0)->set_name("p0");
  expect_error(load(m), ErrorCode::kInvalidGraph, {"the_split", "Split", "axis"});
}

}  // namespace

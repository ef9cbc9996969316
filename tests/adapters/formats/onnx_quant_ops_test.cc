// QuantizeLinear / DequantizeLinear as the importer translates them: ONNX's
// rounding (half to even, unlike TFLite's QUANTIZE), per-axis parameters on a
// channels-last value, and clear errors for bad parameters. Models are built
// with ONNX's own protobuf classes; expected values are written out from
// the operator definitions.
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/session.h"

namespace opscope {
namespace {

using ::onnx::TensorProto;

struct ModelBuilder {
  ::onnx::ModelProto m;
  ::onnx::GraphProto* g;

  ModelBuilder() {
    m.set_ir_version(7);
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    g = m.mutable_graph();
    g->set_name("g");
  }
  void value(::onnx::ValueInfoProto* vi, const std::string& name, int elem,
             const std::vector<int64_t>& dims) {
    vi->set_name(name);
    auto* t = vi->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void input(const std::string& name, int elem, const std::vector<int64_t>& dims) {
    value(g->add_input(), name, elem, dims);
  }
  void output(const std::string& name, int elem, const std::vector<int64_t>& dims) {
    value(g->add_output(), name, elem, dims);
  }
  void floats(const std::string& name, const std::vector<int64_t>& dims,
              const std::vector<float>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
  }
  void ints(const std::string& name, int elem, const std::vector<int64_t>& dims,
            const std::vector<int32_t>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    for (int32_t x : v) t->add_int32_data(x);
  }
  ::onnx::NodeProto* node(const std::string& op, const std::string& name,
                          const std::vector<std::string>& in, const std::string& out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  Result<std::shared_ptr<Model>> load() const {
    std::string bytes;
    EXPECT_TRUE(m.SerializeToString(&bytes));
    return onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                  "q.onnx");
  }
};

// Runs a one-input model; returns output 0's bytes.
std::vector<uint8_t> run(const std::shared_ptr<Model>& model, const void* in, size_t bytes) {
  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(model, options);
  EXPECT_TRUE(created.is_ok()) << created.status().to_string();
  if (!created.is_ok()) return {};
  Session& s = **created;
  EXPECT_EQ(s.input_tensor(0).bytes(), bytes);
  std::memcpy(s.input_data(0), in, bytes);
  const Status st = s.invoke();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  const auto* out = static_cast<const uint8_t*>(s.output_data(0));
  return std::vector<uint8_t>(out, out + s.output_tensor(0).bytes());
}

TEST(OnnxQuantOps, QuantizeLinearRoundsHalfToEven) {
  ModelBuilder b;
  b.input("x", TensorProto::FLOAT, {1, 8});
  b.output("y", TensorProto::INT8, {1, 8});
  b.floats("s", {}, {0.5f});
  b.ints("z", TensorProto::INT8, {}, {1});
  b.node("QuantizeLinear", "q", {"x", "s", "z"}, "y");
  auto model = b.load();
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  // x / 0.5 = 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 300, -300.
  const float x[8] = {0.25f, 0.75f, 1.25f, -0.25f, -0.75f, -1.25f, 150.0f, -150.0f};
  const std::vector<uint8_t> y = run(*model, x, sizeof(x));
  ASSERT_EQ(y.size(), 8u);
  // Half to even, plus the zero point 1, saturated to int8. (Half away
  // from zero would give 2, 3, 4, 0, -1, -2.)
  const int8_t want[8] = {1, 3, 3, 1, -1, -1, 127, -128};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(static_cast<int8_t>(y[i]), want[i]) << "element " << i;
}

// Conv makes its output channels-last; a per-channel (axis 1) Quantize /
// DequantizeLinear pair on it must pick each channel's parameters from the
// engine's last dim, and the ONNX output comes back NCHW.
TEST(OnnxQuantOps, PerAxisParametersFollowTheChannelsLastLayout) {
  ModelBuilder b;
  b.input("x", TensorProto::FLOAT, {1, 2, 2, 2});
  b.output("y", TensorProto::FLOAT, {1, 2, 2, 2});
  b.floats("w", {2, 2, 1, 1}, {1, 0, 0, 1});  // identity 1x1 conv
  b.node("Conv", "conv", {"x", "w"}, "c");
  b.floats("s", {2}, {0.25f, 0.5f});
  b.ints("z", TensorProto::UINT8, {2}, {128, 120});
  for (auto [op, in, out] : {std::tuple{"QuantizeLinear", "c", "cq"},
                             std::tuple{"DequantizeLinear", "cq", "y"}}) {
    auto* axis = b.node(op, std::string(op) + "_1", {in, "s", "z"}, out)->add_attribute();
    axis->set_name("axis");
    axis->set_type(::onnx::AttributeProto::INT);
    axis->set_i(1);
  }
  auto model = b.load();
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  // NCHW: channel 0 = 0.3, 0.6, 1.1, 1.4; channel 1 = -0.3, -0.6, -1.1, -1.4.
  const float x[8] = {0.3f, 0.6f, 1.1f, 1.4f, -0.3f, -0.6f, -1.1f, -1.4f};
  const std::vector<uint8_t> bytes = run(*model, x, sizeof(x));
  ASSERT_EQ(bytes.size(), sizeof(x));
  float y[8];
  std::memcpy(y, bytes.data(), sizeof(y));
  // Channel 0 rounds to multiples of 0.25, channel 1 to multiples of 0.5
  // (the zero points are whole steps and nothing saturates).
  const float want[8] = {0.25f, 0.5f, 1.0f, 1.5f, -0.5f, -0.5f, -1.0f, -1.5f};
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(y[i], want[i]) << "element " << i;
}

TEST(OnnxQuantOps, BadParametersNameTheNode) {
  {
    ModelBuilder b;
    b.input("x", TensorProto::FLOAT, {1, 4});
    b.output("y", TensorProto::UINT8, {1, 4});
    b.floats("s", {}, {0.0f});
    b.node("QuantizeLinear", "zero_scale", {"x", "s"}, "y");
    auto r = b.load();
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidGraph);
    EXPECT_NE(r.status().message().find("'zero_scale' (QuantizeLinear)"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("positive"), std::string::npos);
  }
  {
    ModelBuilder b;
    b.input("x", TensorProto::UINT8, {1, 4});
    b.output("y", TensorProto::FLOAT, {1, 4});
    b.floats("s", {2}, {0.5f, 0.25f});
    b.ints("z", TensorProto::UINT8, {3}, {0, 0, 0});
    b.node("DequantizeLinear", "three_zps", {"x", "s", "z"}, "y");
    auto r = b.load();
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kShapeMismatch);
    EXPECT_NE(r.status().message().find("'three_zps' (DequantizeLinear)"), std::string::npos)
        << r.status().message();
  }
  {
    // One uint8 tensor read by two dequantizations that disagree.
    ModelBuilder b;
    b.input("x", TensorProto::UINT8, {1, 4});
    b.output("y", TensorProto::FLOAT, {1, 4});
    b.floats("s1", {}, {0.5f});
    b.floats("s2", {}, {0.25f});
    b.node("DequantizeLinear", "dq1", {"x", "s1"}, "a");
    b.node("DequantizeLinear", "dq2", {"x", "s2"}, "c");
    b.node("Add", "sum", {"a", "c"}, "y");
    auto r = b.load();
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kUnsupportedOp);
    EXPECT_NE(r.status().message().find("'dq2' (DequantizeLinear)"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace opscope

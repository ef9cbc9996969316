// Which engine op the ONNX importer makes of Resize, Upsample and Pad:
// RESIZE_BILINEAR (which XNNPACK runs) only where it computes exactly what
// ONNX asks, RESIZE otherwise with its per-axis attributes moved to NHWC;
// Pad's modes as PadAttrs. The values themselves are checked by the
// backend node tests (onnx_node_tests_test) and the kernel tests.
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"

namespace opscope {
namespace {

void add_value(::onnx::ValueInfoProto* vi, const std::string& name, const Shape& shape) {
  vi->set_name(name);
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : shape) t->mutable_shape()->add_dim()->set_dim_value(d);
}

// y = OP(x, consts...) with x f32 `in`; `init` adds initializers and
// attributes to the node.
template <typename Init>
::onnx::ModelProto one_op_model(const std::string& op, int opset, const Shape& in, Init init) {
  ::onnx::ModelProto m;
  m.set_ir_version(7);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  add_value(g->add_input(), "x", in);
  g->add_output()->set_name("y");
  auto* n = g->add_node();
  n->set_name("the_node");
  n->set_op_type(op);
  n->add_input("x");
  n->add_output("y");
  init(g, n);
  return m;
}

void add_floats(::onnx::GraphProto* g, const std::string& name, const std::vector<float>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  t->add_dims(static_cast<int64_t>(v.size()));
  for (float f : v) t->add_float_data(f);
}

void add_ints(::onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(v.size()));
  for (int64_t i : v) t->add_int64_data(i);
}

void set_string(::onnx::NodeProto* n, const std::string& name, const std::string& value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::STRING);
  a->set_s(value);
}

Result<std::shared_ptr<Model>> load(const ::onnx::ModelProto& m) {
  std::string bytes;
  EXPECT_TRUE(m.SerializeToString(&bytes));
  return onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                "m.onnx");
}

// The one node of `op` in the loaded graph (layout transposes aside).
const Node* find_op(const Model& m, OpKind op) {
  for (const Node& n : m.graph.nodes) {
    if (n.op == op) return &n;
  }
  return nullptr;
}

// Resize-13 of x [1, 3, 4, 5] with the given mode, coordinates and scales.
::onnx::ModelProto resize_model(const std::string& mode, const std::string& coords,
                                const std::vector<float>& scales) {
  return one_op_model("Resize", 13, {1, 3, 4, 5}, [&](auto* g, auto* n) {
    n->add_input("");
    n->add_input("scales");
    add_floats(g, "scales", scales);
    set_string(n, "mode", mode);
    set_string(n, "coordinate_transformation_mode", coords);
  });
}

TEST(OnnxResize, ExactLinearScalesBecomeResizeBilinear) {
  auto m = load(resize_model("linear", "half_pixel", {1, 1, 2, 3}));
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const Node* n = find_op(**m, OpKind::kResizeBilinear);
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->attr<ResizeAttrs>().half_pixel_centers);
  EXPECT_EQ(find_op(**m, OpKind::kResize), nullptr);
}

TEST(OnnxResize, InexactLinearScaleBecomesResizeWithItsScale) {
  // 5 * 0.7 = 3.5: ONNX samples at 1/0.7 steps, RESIZE_BILINEAR would at 5/3.
  auto m = load(resize_model("linear", "align_corners", {1, 1, 2, 0.7f}));
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(find_op(**m, OpKind::kResizeBilinear), nullptr);
  const Node* n = find_op(**m, OpKind::kResize);
  ASSERT_NE(n, nullptr);
  const auto& a = n->attr<ResizeNdAttrs>();
  EXPECT_EQ(a.mode, ResizeMode::kLinear);
  EXPECT_EQ(a.coordinates, ResizeCoordinates::kAlignCorners);
  EXPECT_EQ(a.output_shape, (Shape{1, 8, 3, 3}));  // NHWC
  ASSERT_EQ(a.scales.size(), 4u);
  EXPECT_EQ(a.scales[2], static_cast<double>(0.7f));
}

TEST(OnnxResize, NearestAndCubicBecomeResizeInNhwcOrder) {
  for (const char* mode : {"nearest", "cubic"}) {
    SCOPED_TRACE(mode);
    auto m = load(resize_model(mode, "asymmetric", {1, 2, 1.5f, 2}));
    ASSERT_TRUE(m.is_ok()) << m.status().message();
    const Node* n = find_op(**m, OpKind::kResize);
    ASSERT_NE(n, nullptr);
    const auto& a = n->attr<ResizeNdAttrs>();
    EXPECT_EQ(a.output_shape, (Shape{1, 6, 10, 6}));  // channels resized too
    EXPECT_EQ(a.scales, (std::vector<double>{1, 1.5, 2, 2}));
  }
}

TEST(OnnxResize, SizesGiveScalesOfOutOverIn) {
  auto m = load(one_op_model("Resize", 13, {1, 3, 4, 5}, [](auto* g, auto* n) {
    n->add_input("");
    n->add_input("");
    n->add_input("sizes");
    add_ints(g, "sizes", {1, 3, 3, 2});
    set_string(n, "mode", "nearest");
  }));
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const Node* n = find_op(**m, OpKind::kResize);
  ASSERT_NE(n, nullptr);
  const auto& a = n->attr<ResizeNdAttrs>();
  EXPECT_EQ(a.output_shape, (Shape{1, 3, 2, 3}));
  EXPECT_EQ(a.scales, (std::vector<double>{1, 0.75, 0.4, 1}));
}

TEST(OnnxResize, RejectsAnEmptyOutputNamingTheNode) {
  auto m = load(resize_model("nearest", "half_pixel", {1, 1, 0.1f, 1}));
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kInvalidGraph);
  EXPECT_NE(m.status().message().find("the_node"), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find("m.onnx"), std::string::npos) << m.status().message();
}

TEST(OnnxResize, RejectsAnUnknownCoordinateMode) {
  auto m = load(resize_model("linear", "sideways", {1, 1, 2, 2}));
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kUnsupportedOp);
  EXPECT_NE(m.status().message().find("'sideways'"), std::string::npos) << m.status().message();
}

::onnx::ModelProto pad_model(const std::string& mode) {
  return one_op_model("Pad", 13, {1, 3, 4, 5}, [&](auto* g, auto* n) {
    n->add_input("pads");
    add_ints(g, "pads", {0, 0, 1, 2, 0, 0, 3, 4});
    set_string(n, "mode", mode);
  });
}

TEST(OnnxPad, ModesBecomePadAttrs) {
  for (auto [mode, want] : {std::pair{"reflect", PadMode::kReflect},
                            std::pair{"edge", PadMode::kEdge}}) {
    SCOPED_TRACE(mode);
    auto m = load(pad_model(mode));
    ASSERT_TRUE(m.is_ok()) << m.status().message();
    const Node* n = find_op(**m, OpKind::kPad);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->attr<PadAttrs>().mode, want);
    EXPECT_EQ(num_elements(m.value()->graph.tensors[n->outputs[0]].shape), 1 * 3 * 8 * 11);
  }
}

TEST(OnnxPad, RejectsAnUnknownMode) {
  auto m = load(pad_model("wrap"));
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kUnsupportedOp);
  EXPECT_NE(m.status().message().find("'wrap'"), std::string::npos) << m.status().message();
}

}  // namespace
}  // namespace opscope

// The importer's Gather beyond the ONNX node tests (whose data are graph
// inputs, so always in natural layout): Gather of a Conv output, which the
// importer holds channels-last, along the channel axis with runtime 1-D
// indices (the value stays channels-last and the engine axis is mapped),
// along H with a 2-D constant index tensor and along W with a scalar (both
// bring the value to natural layout first); a shape subgraph
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape that must fold at load;
// and a runtime index out of range, which fails invoke naming the node.
// Then GatherElements and GatherND on that channels-last value: the first
// keeps it channels-last (indices permuted, axis mapped), the second brings
// it to natural layout; runtime and constant indices, negative ones, and
// out-of-range indices at invoke and at load.
// Models are built with ONNX's own protobuf classes (Debian's libonnx).
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/session.h"

namespace opscope {
namespace {

const std::vector<int64_t> kX = {1, 3, 2, 4};  // N, C, H, W

void add_value(::onnx::ValueInfoProto* vi, const std::string& name, int elem_type,
               const std::vector<int64_t>& dims) {
  vi->set_name(name);
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  auto* shape = t->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

void add_i64_initializer(::onnx::GraphProto* g, const std::string& name,
                         const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t x : v) t->add_int64_data(x);
}

::onnx::NodeProto* add_node(::onnx::GraphProto* g, const std::string& name, const std::string& op,
                            const std::vector<std::string>& in, const std::string& out) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op_type(op);
  for (const auto& s : in) n->add_input(s);
  n->add_output(out);
  return n;
}

void set_axis(::onnx::NodeProto* n, int64_t axis) {
  auto* a = n->add_attribute();
  a->set_name("axis");
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(axis);
}

// x -> Conv (1x1, identity weights: c == x, held channels-last) ->
//   y1 = Gather(c, idx, axis 1)            idx: int64 [2] graph input
//   y2 = Gather(c, rows, axis 2)           rows: constant int64 [2, 2]
//   y3 = Gather(c, last, axis -1)          last: constant scalar -1
//   y4 = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]))
::onnx::ModelProto gather_model() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("gather");
  add_value(g->add_input(), "x", ::onnx::TensorProto::FLOAT, kX);
  add_value(g->add_input(), "idx", ::onnx::TensorProto::INT64, {2});
  add_value(g->add_output(), "y1", ::onnx::TensorProto::FLOAT, {1, 2, 2, 4});
  add_value(g->add_output(), "y2", ::onnx::TensorProto::FLOAT, {1, 3, 2, 2, 4});
  add_value(g->add_output(), "y3", ::onnx::TensorProto::FLOAT, {1, 3, 2});
  add_value(g->add_output(), "y4", ::onnx::TensorProto::FLOAT, {1, 24});
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : {3, 3, 1, 1}) w->add_dims(d);
  for (int o = 0; o < 3; ++o) {
    for (int i = 0; i < 3; ++i) w->add_float_data(o == i ? 1.0f : 0.0f);
  }
  add_i64_initializer(g, "rows", {2, 2}, {1, 0, -1, 1});
  add_i64_initializer(g, "last", {}, {-1});
  add_i64_initializer(g, "zero", {}, {0});
  add_i64_initializer(g, "axes0", {1}, {0});
  add_i64_initializer(g, "minus1", {1}, {-1});
  add_node(g, "conv", "Conv", {"x", "w"}, "c");
  set_axis(add_node(g, "gather_c", "Gather", {"c", "idx"}, "y1"), 1);
  set_axis(add_node(g, "gather_h", "Gather", {"c", "rows"}, "y2"), 2);
  set_axis(add_node(g, "gather_w", "Gather", {"c", "last"}, "y3"), -1);
  add_node(g, "shape", "Shape", {"x"}, "s");
  add_node(g, "gather_dim", "Gather", {"s", "zero"}, "n");
  add_node(g, "unsqueeze", "Unsqueeze", {"n", "axes0"}, "n1");
  set_axis(add_node(g, "concat", "Concat", {"n1", "minus1"}, "shp"), 0);
  add_node(g, "reshape", "Reshape", {"x", "shp"}, "y4");
  return m;
}

Result<std::shared_ptr<Model>> load(const ::onnx::ModelProto& m) {
  std::string bytes;
  EXPECT_TRUE(m.SerializeToString(&bytes));
  return onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                "gather.onnx");
}

float x_at(int64_t c, int64_t h, int64_t w) {
  return static_cast<float>(100 * c + 10 * h + w);
}

// The whole input x, [1, 3, 2, 4] in NCHW order.
std::vector<float> x_nchw() {
  std::vector<float> x;
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t h = 0; h < 2; ++h) {
      for (int64_t w = 0; w < 4; ++w) x.push_back(x_at(c, h, w));
    }
  }
  return x;
}

TEST(OnnxGather, ChannelsLastDataAndShapeSubgraph) {
  auto model = load(gather_model());
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const Graph& graph = (*model)->graph;
  // The channel gather reads the channels-last conv output directly, on
  // engine axis 3; the shape subgraph's Gather folded away.
  int gathers = 0, channel_gathers = 0;
  for (const Node& n : graph.nodes) {
    if (n.op != OpKind::kGather) continue;
    ++gathers;
    const Node* producer = nullptr;
    for (const Node& p : graph.nodes) {
      if (p.outputs[0] == n.inputs[0]) producer = &p;
    }
    if (producer && producer->op == OpKind::kConv2D) {
      channel_gathers += n.attr<GatherAttrs>().axis == 3 && n.name == "gather_c";
    }
  }
  EXPECT_EQ(gathers, 3);
  EXPECT_EQ(channel_gathers, 1);

  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(*model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  ASSERT_EQ(s.num_inputs(), 2);
  const std::vector<float> x = x_nchw();
  std::memcpy(s.input_data(0), x.data(), x.size() * 4);
  const int64_t idx[2] = {2, -3};  // channels 2 and 0
  std::memcpy(s.input_data(1), idx, sizeof(idx));
  ASSERT_TRUE(s.invoke().is_ok());

  auto out = [&](int i) {
    const Tensor& t = s.output_tensor(i);
    const auto* p = static_cast<const float*>(s.output_data(i));
    return std::vector<float>(p, p + t.elements());
  };
  std::vector<float> y1, y2, y3;
  for (int64_t c : {2, 0}) {
    for (int64_t h = 0; h < 2; ++h) {
      for (int64_t w = 0; w < 4; ++w) y1.push_back(x_at(c, h, w));
    }
  }
  const int64_t rows[4] = {1, 0, 1, 1};  // {1, 0, -1, 1} with -1 -> 1
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t r : rows) {
      for (int64_t w = 0; w < 4; ++w) y2.push_back(x_at(c, r, w));
    }
    for (int64_t h = 0; h < 2; ++h) y3.push_back(x_at(c, h, 3));
  }
  EXPECT_EQ(s.output_tensor(0).shape, (Shape{1, 2, 2, 4}));
  EXPECT_EQ(out(0), y1);
  EXPECT_EQ(s.output_tensor(1).shape, (Shape{1, 3, 2, 2, 4}));
  EXPECT_EQ(out(1), y2);
  EXPECT_EQ(s.output_tensor(2).shape, (Shape{1, 3, 2}));
  EXPECT_EQ(out(2), y3);
  EXPECT_EQ(s.output_tensor(3).shape, (Shape{1, 24}));
  EXPECT_EQ(out(3), x);

  const int64_t bad[2] = {0, 3};
  std::memcpy(s.input_data(1), bad, sizeof(bad));
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'gather_c' (Gather)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("index 3 (element 1 of indices 'idx')"), std::string::npos)
      << st.message();
}

TEST(OnnxGather, ConstantIndexOutOfRangeFailsTheLoadNamingTheNode) {
  ::onnx::ModelProto m = gather_model();
  auto* rows = m.mutable_graph()->mutable_initializer(1);
  ASSERT_EQ(rows->name(), "rows");
  rows->set_int64_data(2, -3);  // H is 2: -3 is out of range
  auto model = load(m);
  ASSERT_FALSE(model.is_ok());
  const std::string& msg = model.status().message();
  EXPECT_EQ(model.status().code(), ErrorCode::kInvalidArgument) << msg;
  EXPECT_NE(msg.find("gather.onnx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'gather_h' (Gather)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("index -3"), std::string::npos) << msg;
}


// ---- GatherElements and GatherND on the channels-last Conv output.
// x -> Conv (identity, c == x held channels-last) ->
//   e1 = GatherElements(c, ei, axis 1)   ei: int64 [1, 2, 2, 4] graph input
//   e2 = GatherElements(c, ew, axis -1)  ew: constant int64 [1, 3, 2, 1]
//   n1 = GatherND(c, ni, batch_dims 1)   ni: int64 [1, 2, 2] graph input,
//                                         tuples (channel, row)
::onnx::ModelProto gather_elements_nd_model() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("gather_elements_nd");
  add_value(g->add_input(), "x", ::onnx::TensorProto::FLOAT, kX);
  add_value(g->add_input(), "ei", ::onnx::TensorProto::INT64, {1, 2, 2, 4});
  add_value(g->add_input(), "ni", ::onnx::TensorProto::INT64, {1, 2, 2});
  add_value(g->add_output(), "e1", ::onnx::TensorProto::FLOAT, {1, 2, 2, 4});
  add_value(g->add_output(), "e2", ::onnx::TensorProto::FLOAT, {1, 3, 2, 1});
  add_value(g->add_output(), "n1", ::onnx::TensorProto::FLOAT, {1, 2, 4});
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : {3, 3, 1, 1}) w->add_dims(d);
  for (int o = 0; o < 3; ++o) {
    for (int i = 0; i < 3; ++i) w->add_float_data(o == i ? 1.0f : 0.0f);
  }
  add_i64_initializer(g, "ew", {1, 3, 2, 1}, {-1, 0, 2, 1, 3, -4});
  add_node(g, "conv", "Conv", {"x", "w"}, "c");
  set_axis(add_node(g, "elements_c", "GatherElements", {"c", "ei"}, "e1"), 1);
  set_axis(add_node(g, "elements_w", "GatherElements", {"c", "ew"}, "e2"), -1);
  auto* nd = add_node(g, "nd", "GatherND", {"c", "ni"}, "n1");
  auto* bd = nd->add_attribute();
  bd->set_name("batch_dims");
  bd->set_type(::onnx::AttributeProto::INT);
  bd->set_i(1);
  return m;
}

TEST(OnnxGatherElementsNd, ChannelsLastDataRuntimeAndConstantIndices) {
  auto model = load(gather_elements_nd_model());
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const Graph& graph = (*model)->graph;
  // GatherElements reads the channels-last conv output directly (its
  // indices are permuted instead), on the mapped engine axes 3 and 2.
  std::vector<int> element_axes;
  int nd_nodes = 0;
  for (const Node& n : graph.nodes) {
    if (n.op == OpKind::kGatherNd) ++nd_nodes;
    if (n.op != OpKind::kGatherElements) continue;
    for (const Node& p : graph.nodes) {
      if (p.outputs[0] == n.inputs[0]) {
        EXPECT_EQ(p.op, OpKind::kConv2D) << n.name;
      }
    }
    element_axes.push_back(n.attr<GatherElementsAttrs>().axis);
  }
  EXPECT_EQ(element_axes, (std::vector<int>{3, 2}));
  EXPECT_EQ(nd_nodes, 1);

  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(*model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  ASSERT_EQ(s.num_inputs(), 3);
  const std::vector<float> x = x_nchw();
  std::memcpy(s.input_data(0), x.data(), x.size() * 4);
  std::vector<int64_t> ei(16);  // [1, 2, 2, 4]: a channel per position
  for (size_t k = 0; k < ei.size(); ++k) ei[k] = static_cast<int64_t>(k % 6) - 3;
  std::memcpy(s.input_data(1), ei.data(), ei.size() * 8);
  const int64_t ni[4] = {2, 1, -3, 0};  // (channel 2, row 1), (channel 0, row 0)
  std::memcpy(s.input_data(2), ni, sizeof(ni));
  ASSERT_TRUE(s.invoke().is_ok());

  auto out = [&](int i) {
    const Tensor& t = s.output_tensor(i);
    const auto* p = static_cast<const float*>(s.output_data(i));
    return std::vector<float>(p, p + t.elements());
  };
  std::vector<float> e1, e2, n1;
  for (int64_t k = 0; k < 16; ++k) {  // position (0, _, h, w) of ei
    const int64_t h = (k / 4) % 2, w = k % 4;
    const int64_t ch = ei[k] < 0 ? ei[k] + 3 : ei[k];
    e1.push_back(x_at(ch, h, w));
  }
  const int64_t ew[6] = {-1, 0, 2, 1, 3, -4};
  for (int64_t k = 0; k < 6; ++k) {  // position (0, c, h, 0) of ew
    const int64_t wi = ew[k] < 0 ? ew[k] + 4 : ew[k];
    e2.push_back(x_at(k / 2, k % 2, wi));
  }
  for (int64_t w = 0; w < 4; ++w) n1.push_back(x_at(2, 1, w));
  for (int64_t w = 0; w < 4; ++w) n1.push_back(x_at(0, 0, w));
  EXPECT_EQ(s.output_tensor(0).shape, (Shape{1, 2, 2, 4}));
  EXPECT_EQ(out(0), e1);
  EXPECT_EQ(s.output_tensor(1).shape, (Shape{1, 3, 2, 1}));
  EXPECT_EQ(out(1), e2);
  EXPECT_EQ(s.output_tensor(2).shape, (Shape{1, 2, 4}));
  EXPECT_EQ(out(2), n1);

  // Out-of-range runtime indices fail the invoke naming the ONNX node.
  const int64_t bad_nd[4] = {2, 1, 0, 2};  // row 2 of 2
  std::memcpy(s.input_data(2), bad_nd, sizeof(bad_nd));
  Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'nd' (GatherND)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("index 2 (element 3 of indices 'ni')"), std::string::npos)
      << st.message();
  std::memcpy(s.input_data(2), ni, sizeof(ni));
  ei[5] = 3;  // channel 3 of 3
  std::memcpy(s.input_data(1), ei.data(), ei.size() * 8);
  st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'elements_c' (GatherElements)"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("index 3 "), std::string::npos) << st.message();
}

TEST(OnnxGatherElementsNd, ConstantIndexOutOfRangeFailsTheLoadNamingTheNode) {
  ::onnx::ModelProto m = gather_elements_nd_model();
  auto* ew = m.mutable_graph()->mutable_initializer(1);
  ASSERT_EQ(ew->name(), "ew");
  ew->set_int64_data(4, 4);  // W is 4: 4 is out of range
  auto model = load(m);
  ASSERT_FALSE(model.is_ok());
  const std::string& msg = model.status().message();
  EXPECT_EQ(model.status().code(), ErrorCode::kInvalidArgument) << msg;
  EXPECT_NE(msg.find("'elements_w' (GatherElements)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("index 4"), std::string::npos) << msg;
}

}  // namespace
}  // namespace opscope

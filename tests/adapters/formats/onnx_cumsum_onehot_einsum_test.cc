// The importer's CumSum, OneHot and Einsum. ONNX's node tests of CumSum and
// Einsum are all DOUBLE, which the engine does not hold, so their cases run
// here in FLOAT with the node tests' expected values: CumSum with its axis
// a graph input (read at run time) and a constant, OneHot's node-test
// cases with negative indices and axes, Einsum's equations with spaces and
// "...". Then load errors: an Einsum equation that is malformed or does not
// fit its operands fails the load naming the node; a OneHot depth that is
// not constant says it must be. Models are built with ONNX's own protobuf
// classes (Debian's libonnx).
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

using TP = ::onnx::TensorProto;

struct Io {
  std::string name;
  int type;
  std::vector<int64_t> dims;
};

// One node over graph inputs `ins` (constants among them are initializers)
// making output `out`.
struct OneNode {
  std::string op;
  std::vector<Io> inputs;
  Io output;
  std::vector<::onnx::AttributeProto> attrs = {};
  std::vector<TP> initializers = {};
  int opset = 14;
};

::onnx::AttributeProto int_attr(const std::string& name, int64_t v) {
  ::onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::INT);
  a.set_i(v);
  return a;
}

::onnx::AttributeProto string_attr(const std::string& name, const std::string& v) {
  ::onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::STRING);
  a.set_s(v);
  return a;
}

TP i64_tensor(const std::string& name, const std::vector<int64_t>& dims,
              const std::vector<int64_t>& v) {
  TP t;
  t.set_name(name);
  t.set_data_type(TP::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t x : v) t.add_int64_data(x);
  return t;
}

TP f32_tensor(const std::string& name, const std::vector<int64_t>& dims,
              const std::vector<float>& v) {
  TP t;
  t.set_name(name);
  t.set_data_type(TP::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float x : v) t.add_float_data(x);
  return t;
}

void add_value(::onnx::ValueInfoProto* vi, const Io& io) {
  vi->set_name(io.name);
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(io.type);
  auto* shape = t->mutable_shape();
  for (int64_t d : io.dims) shape->add_dim()->set_dim_value(d);
}

Result<std::shared_ptr<Model>> load(const OneNode& spec) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(spec.opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  for (const Io& io : spec.inputs) {
    bool initializer = false;
    for (const TP& t : spec.initializers) initializer = initializer || t.name() == io.name;
    if (!initializer) add_value(g->add_input(), io);
  }
  for (const TP& t : spec.initializers) *g->add_initializer() = t;
  add_value(g->add_output(), spec.output);
  auto* n = g->add_node();
  n->set_name("the_" + spec.op);
  n->set_op_type(spec.op);
  for (const Io& io : spec.inputs) n->add_input(io.name);
  n->add_output(spec.output.name);
  for (const auto& a : spec.attrs) *n->add_attribute() = a;
  std::string bytes;
  EXPECT_TRUE(m.SerializeToString(&bytes));
  return onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                "ops.onnx");
}

// Loads, feeds the graph inputs in order and invokes; output 0's values.
template <typename T>
std::vector<T> run(const OneNode& spec, const std::vector<std::vector<uint8_t>>& feeds,
                   Shape* shape = nullptr) {
  auto model = load(spec);
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  if (!model.is_ok()) return {};
  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(*model, options);
  EXPECT_TRUE(created.is_ok()) << created.status().to_string();
  if (!created.is_ok()) return {};
  Session& s = **created;
  EXPECT_EQ(s.num_inputs(), static_cast<int>(feeds.size()));
  for (int i = 0; i < s.num_inputs() && i < static_cast<int>(feeds.size()); ++i) {
    EXPECT_EQ(s.input_tensor(i).bytes(), feeds[static_cast<size_t>(i)].size());
    std::memcpy(s.input_data(i), feeds[static_cast<size_t>(i)].data(),
                feeds[static_cast<size_t>(i)].size());
  }
  const Status st = s.invoke();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  const Tensor& t = s.output_tensor(0);
  if (shape) *shape = t.shape;
  const auto* p = static_cast<const T*>(s.output_data(0));
  return std::vector<T>(p, p + t.elements());
}

template <typename T>
std::vector<uint8_t> bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(OnnxCumSum, NodeTestCasesInFloatWithARunTimeAxis) {
  struct Case {
    bool exclusive, reverse;
    std::vector<float> want;
  };
  const std::vector<Case> cases = {
      {false, false, {1, 3, 6, 10, 15}},
      {true, false, {0, 1, 3, 6, 10}},
      {false, true, {15, 14, 12, 9, 5}},
      {true, true, {14, 12, 9, 5, 0}},
  };
  for (const Case& c : cases) {
    OneNode spec{"CumSum",
                 {{"x", TP::FLOAT, {5}}, {"axis", TP::INT32, {}}},
                 {"y", TP::FLOAT, {5}},
                 {int_attr("exclusive", c.exclusive), int_attr("reverse", c.reverse)}};
    EXPECT_EQ(run<float>(spec, {bytes<float>({1, 2, 3, 4, 5}), bytes<int32_t>({0})}), c.want);
  }
}

TEST(OnnxCumSum, TwoDimsConstantAndNegativeAxis) {
  // test_cumsum_2d_axis_0 / _axis_1 / _negative_axis on [[1,2,3],[4,5,6]].
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  for (int64_t axis : {0, 1, -1}) {
    OneNode spec{"CumSum",
                 {{"x", TP::FLOAT, {2, 3}}, {"axis", TP::INT64, {}}},
                 {"y", TP::FLOAT, {2, 3}},
                 {},
                 {i64_tensor("axis", {}, {axis})}};
    const std::vector<float> want = axis == 0 ? std::vector<float>{1, 2, 3, 5, 7, 9}
                                              : std::vector<float>{1, 3, 6, 4, 9, 15};
    EXPECT_EQ(run<float>(spec, {bytes(x)}), want) << axis;
  }
}

TEST(OnnxCumSum, ARunTimeAxisOutOfRangeFailsTheInvokeNamingTheNode) {
  OneNode spec{"CumSum",
               {{"x", TP::FLOAT, {2, 3}}, {"axis", TP::INT64, {}}},
               {"y", TP::FLOAT, {2, 3}}};
  auto model = load(spec);
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(*model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const int64_t axis = 5;
  std::memcpy(s.input_data(1), &axis, 8);
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'the_CumSum' (CumSum)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("axis 5 is out of range"), std::string::npos) << st.message();
}

TEST(OnnxOneHot, NodeTestCases) {
  // test_onehot_with_axis / _with_negative_axis: indices [[1, 9], [2, 4]]
  // (float), depth 10, values [1, 3], axis 1 (= -2 for rank 2).
  for (int64_t axis : {1, -2}) {
    OneNode spec{"OneHot",
                 {{"indices", TP::FLOAT, {2, 2}}, {"depth", TP::FLOAT, {}},
                  {"values", TP::FLOAT, {2}}},
                 {"y", TP::FLOAT, {2, 10, 2}},
                 {int_attr("axis", axis)},
                 {f32_tensor("depth", {}, {10})},
                 11};
    Shape shape;
    const auto y = run<float>(spec, {bytes<float>({1, 9, 2, 4}), bytes<float>({1, 3})}, &shape);
    ASSERT_EQ(shape, (Shape{2, 10, 2}));
    const int64_t hot[2][2] = {{1, 9}, {2, 4}};
    for (int64_t i = 0; i < 2; ++i) {
      for (int64_t d = 0; d < 10; ++d) {
        for (int64_t j = 0; j < 2; ++j) {
          EXPECT_EQ(y[size_t((i * 10 + d) * 2 + j)], hot[i][j] == d ? 3.0f : 1.0f);
        }
      }
    }
  }
  // test_onehot_negative_indices: [0, -7, -8] depth 10, axis 1.
  OneNode neg{"OneHot",
              {{"indices", TP::INT64, {3}}, {"depth", TP::FLOAT, {}}, {"values", TP::FLOAT, {2}}},
              {"y", TP::FLOAT, {3, 10}},
              {int_attr("axis", 1)},
              {f32_tensor("depth", {}, {10})},
              11};
  const auto y = run<float>(neg, {bytes<int64_t>({0, -7, -8}), bytes<float>({1, 3})});
  ASSERT_EQ(y.size(), 30u);
  for (int64_t i = 0; i < 3; ++i) {
    const int64_t hot = i == 0 ? 0 : i == 1 ? 3 : 2;
    for (int64_t d = 0; d < 10; ++d) EXPECT_EQ(y[size_t(i * 10 + d)], d == hot ? 3.0f : 1.0f);
  }
}

TEST(OnnxOneHot, OpsetNineLeavesNegativeIndicesOff) {
  OneNode spec{"OneHot",
               {{"indices", TP::INT64, {2}}, {"depth", TP::INT64, {}}, {"values", TP::FLOAT, {2}}},
               {"y", TP::FLOAT, {2, 3}},
               {},
               {i64_tensor("depth", {}, {3})},
               9};
  EXPECT_EQ(run<float>(spec, {bytes<int64_t>({-1, 2}), bytes<float>({0, 1})}),
            (std::vector<float>{0, 0, 0, 0, 0, 1}));
}

TEST(OnnxOneHot, ADepthComputedAtRunTimeIsRefusedAsNotConstant) {
  OneNode spec{"OneHot",
               {{"indices", TP::INT64, {2}}, {"depth", TP::INT64, {}}, {"values", TP::FLOAT, {2}}},
               {"y", TP::FLOAT, {2, 3}}};
  auto model = load(spec);
  ASSERT_FALSE(model.is_ok());
  EXPECT_NE(model.status().message().find("'the_OneHot' (OneHot)"), std::string::npos)
      << model.status().message();
  EXPECT_NE(model.status().message().find("'depth' must be a constant"), std::string::npos)
      << model.status().message();
}

TEST(OnnxEinsum, NodeTestEquationsInFloat) {
  // test_einsum_batch_diagonal: "...ii ->...i" on [3, 5, 5].
  std::vector<float> x(75);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  OneNode diag{"Einsum", {{"x", TP::FLOAT, {3, 5, 5}}}, {"y", TP::FLOAT, {3, 5}},
               {string_attr("equation", "...ii ->...i")}, {}, 12};
  Shape shape;
  const auto d = run<float>(diag, {bytes(x)}, &shape);
  ASSERT_EQ(shape, (Shape{3, 5}));
  for (int64_t b = 0; b < 3; ++b) {
    for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(d[size_t(b * 5 + i)], x[size_t(b * 25 + i * 6)]);
  }
  // test_einsum_batch_matmul: "bij, bjk -> bik".
  std::vector<float> a(30), bm(60);
  for (size_t i = 0; i < a.size(); ++i) a[i] = 0.5f * static_cast<float>(i % 7) - 1;
  for (size_t i = 0; i < bm.size(); ++i) bm[i] = 0.25f * static_cast<float>(i % 5);
  OneNode mm{"Einsum", {{"x", TP::FLOAT, {5, 2, 3}}, {"y", TP::FLOAT, {5, 3, 4}}},
             {"z", TP::FLOAT, {5, 2, 4}}, {string_attr("equation", "bij, bjk -> bik")}, {}, 12};
  const auto z = run<float>(mm, {bytes(a), bytes(bm)}, &shape);
  ASSERT_EQ(shape, (Shape{5, 2, 4}));
  for (int64_t b = 0; b < 5; ++b) {
    for (int64_t i = 0; i < 2; ++i) {
      for (int64_t k = 0; k < 4; ++k) {
        double want = 0;
        for (int64_t j = 0; j < 3; ++j) want += a[size_t(b * 6 + i * 3 + j)] * bm[size_t(b * 12 + j * 4 + k)];
        EXPECT_NEAR(z[size_t(b * 8 + i * 4 + k)], want, 1e-6);
      }
    }
  }
  // test_einsum_inner_prod "i,i" (a scalar), test_einsum_sum "ij->i",
  // test_einsum_transpose "ij->ji".
  OneNode inner{"Einsum", {{"x", TP::FLOAT, {5}}, {"y", TP::FLOAT, {5}}}, {"z", TP::FLOAT, {}},
                {string_attr("equation", "i,i")}, {}, 12};
  const auto s = run<float>(inner, {bytes<float>({1, 2, 3, 4, 5}), bytes<float>({1, 1, 1, 1, 2})},
                            &shape);
  EXPECT_EQ(shape, Shape{});
  EXPECT_EQ(s, std::vector<float>{20});
  OneNode sum{"Einsum", {{"x", TP::FLOAT, {3, 4}}}, {"y", TP::FLOAT, {3}},
              {string_attr("equation", "ij->i")}, {}, 12};
  std::vector<float> m(12);
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<float>(i);
  EXPECT_EQ(run<float>(sum, {bytes(m)}), (std::vector<float>{6, 22, 38}));
  OneNode tr{"Einsum", {{"x", TP::FLOAT, {3, 4}}}, {"y", TP::FLOAT, {4, 3}},
             {string_attr("equation", "ij->ji")}, {}, 12};
  EXPECT_EQ(run<float>(tr, {bytes(m)}),
            (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
}

TEST(OnnxEinsum, BadEquationsFailTheLoadNamingTheNode) {
  struct Bad {
    std::string equation;
    std::vector<Io> inputs;
    std::string says;
  };
  const std::vector<Bad> cases = {
      {"ij,jk->ik", {{"a", TP::FLOAT, {2, 3}}}, "2 operand term(s), the node 1 input(s)"},
      {"ijk,jk->ik", {{"a", TP::FLOAT, {2, 3}}, {"b", TP::FLOAT, {3, 4}}},
       "has 3 label(s), input 0 has rank 2"},
      {"ij,jk->ik", {{"a", TP::FLOAT, {2, 3}}, {"b", TP::FLOAT, {4, 4}}},
       "label 'j' has size 3 in input 0 and 4 in input 1"},
      {"ij->iz", {{"a", TP::FLOAT, {2, 3}}}, "output label 'z' is in no input"},
      {"i..j->i", {{"a", TP::FLOAT, {2, 3}}}, "'.' outside"},
      {"", {{"a", TP::FLOAT, {2, 3}}}, "has 0 label(s), input 0 has rank 2"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.equation);
    OneNode spec{"Einsum", c.inputs, {"y", TP::FLOAT, {}}, {string_attr("equation", c.equation)},
                 {}, 12};
    auto model = load(spec);
    ASSERT_FALSE(model.is_ok());
    const std::string& msg = model.status().message();
    EXPECT_EQ(model.status().code(), ErrorCode::kInvalidArgument) << msg;
    EXPECT_NE(msg.find("node 0 'the_Einsum' (Einsum)"), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.says), std::string::npos) << msg;
  }
  // No equation at all.
  OneNode none{"Einsum", {{"a", TP::FLOAT, {2, 3}}}, {"y", TP::FLOAT, {}}, {}, {}, 12};
  auto model = load(none);
  ASSERT_FALSE(model.is_ok());
  EXPECT_NE(model.status().message().find("'the_Einsum' (Einsum): needs its equation"),
            std::string::npos)
      << model.status().message();
}

}  // namespace
}  // namespace opscope

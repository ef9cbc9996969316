// ONNX Scan (opset 9 on) on the engine's SCAN node, checked against a naive
// scan written here: scan inputs on axis 1 of a 3-D tensor, one walked in
// reverse, a scan output stacked on axis 1 and one written in reverse, a
// state, a captured graph input; the body's ops report one event per
// position. Then bad input: scan inputs of different lengths, slices the
// body cannot take, opset 8's batch form.
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/control_flow.h"
#include "engine/session.h"
#include "tests/adapters/formats/onnx_loop_models.h"

namespace opscope {
namespace {

using namespace onnx_loop_models;

::onnx::AttributeProto* ints_attr(::onnx::NodeProto* n, const std::string& name,
                                  const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
  return a;
}

struct ScanSpec {
  int opset = 16;
  std::vector<int64_t> a_dims = {2, 3, 4};  // scanned on axis 1: slices [2, 4]
  std::vector<int64_t> b_dims = {3, 4};     // scanned on axis 0, reversed: slices [4]
  std::vector<int64_t> state_out_dims = {2, 4};
  bool directions = true;
};

// state' = state + a_t * b_t + bias; out0 = state' (stacked on axis 1),
// out1 = a_t (stacked on axis 0, reversed).
std::string scan_model(const ScanSpec& spec) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(spec.opset);
  auto* g = m.mutable_graph();
  g->set_name("main");
  value(g->add_input(), "state", TP::FLOAT, {2, 4});
  value(g->add_input(), "a", TP::FLOAT, spec.a_dims);
  value(g->add_input(), "b", TP::FLOAT, spec.b_dims);
  value(g->add_input(), "bias", TP::FLOAT, {4});
  ::onnx::GraphProto body;
  body.set_name("body");
  value(body.add_input(), "s_in", TP::FLOAT, {2, 4});
  value(body.add_input(), "a_t", TP::FLOAT, {2, 4});
  value(body.add_input(), "b_t", TP::FLOAT, {4});
  node(&body, "Mul", {"a_t", "b_t"}, {"ab"});
  node(&body, "Add", {"s_in", "ab"}, {"s1"});
  node(&body, "Add", {"s1", "bias"}, {"s_out"});
  node(&body, "Identity", {"s_out"}, {"y_t"});
  node(&body, "Identity", {"a_t"}, {"z_t"});
  value(body.add_output(), "s_out", TP::FLOAT, spec.state_out_dims);
  value(body.add_output(), "y_t", TP::FLOAT, {2, 4});
  value(body.add_output(), "z_t", TP::FLOAT, {2, 4});
  auto* scan = node(g, "Scan", {"state", "a", "b"}, {"state_final", "y", "z"});
  scan->set_name("the_scan");
  auto* a = scan->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = body;
  auto* num = scan->add_attribute();
  num->set_name("num_scan_inputs");
  num->set_type(::onnx::AttributeProto::INT);
  num->set_i(2);
  ints_attr(scan, "scan_input_axes", {1, 0});
  ints_attr(scan, "scan_output_axes", {1, -3});
  if (spec.directions) {
    ints_attr(scan, "scan_input_directions", {0, 1});
    ints_attr(scan, "scan_output_directions", {0, 1});
  }
  for (const char* o : {"state_final", "y", "z"}) value(g->add_output(), o, TP::FLOAT, {});
  return m.SerializeAsString();
}

Result<std::shared_ptr<Model>> load(const std::string& bytes) { return load_bytes(bytes, "scan.onnx"); }

void feed(Session& s, const std::string& name, const std::vector<float>& v) {
  for (int i = 0; i < s.num_inputs(); ++i) {
    if (s.input_tensor(i).name != name) continue;
    ASSERT_EQ(s.input_tensor(i).bytes(), v.size() * sizeof(float)) << name;
    std::memcpy(s.input_data(i), v.data(), v.size() * sizeof(float));
    return;
  }
  FAIL() << "no input " << name;
}

std::vector<float> output(const Session& s, int k) {
  std::vector<float> v(static_cast<size_t>(s.output_tensor(k).elements()));
  std::memcpy(v.data(), s.output_data(k), v.size() * sizeof(float));
  return v;
}

std::vector<float> ramp(size_t n, float start, float step) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

TEST(OnnxScan, AxesDirectionsStatesAndACapturedInputAsANaiveScan) {
  auto model = load(scan_model(ScanSpec{}));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  CountingProfiler counter;
  SessionOptions options;
  options.profiler = &counter;
  auto created = Session::create(*model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const std::vector<float> state = ramp(8, -1, 0.25f), a = ramp(24, 0.5f, -0.125f),
                           b = ramp(12, 2, -0.5f), bias = {0.1f, 0.2f, 0.3f, 0.4f};
  feed(s, "state", state);
  feed(s, "a", a);
  feed(s, "b", b);
  feed(s, "bias", bias);
  ASSERT_TRUE(s.invoke().is_ok());

  // The naive scan: a [2,3,4] on axis 1, b [3,4] on axis 0 from its end.
  std::vector<float> st = state, y(2 * 3 * 4), z(3 * 2 * 4);
  for (int t = 0; t < 3; ++t) {
    const int tb = 2 - t;
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 4; ++j) {
        const float at = a[static_cast<size_t>((i * 3 + t) * 4 + j)];
        st[static_cast<size_t>(i * 4 + j)] += at * b[static_cast<size_t>(tb * 4 + j)];
        st[static_cast<size_t>(i * 4 + j)] += bias[static_cast<size_t>(j)];
        y[static_cast<size_t>((i * 3 + t) * 4 + j)] = st[static_cast<size_t>(i * 4 + j)];  // [2,3,4]
        z[static_cast<size_t>(((2 - t) * 2 + i) * 4 + j)] = at;  // [3,2,4], reversed
      }
    }
  }
  EXPECT_EQ(s.output_tensor(1).shape, (Shape{2, 3, 4}));
  EXPECT_EQ(s.output_tensor(2).shape, (Shape{3, 2, 4}));
  const std::vector<float> got_state = output(s, 0), got_y = output(s, 1), got_z = output(s, 2);
  for (size_t i = 0; i < st.size(); ++i) EXPECT_FLOAT_EQ(got_state[i], st[i]) << i;
  for (size_t i = 0; i < y.size(); ++i) EXPECT_FLOAT_EQ(got_y[i], y[i]) << i;
  EXPECT_EQ(got_z, z);

  // Each body op ran once per position.
  const std::vector<ProfiledNode> nodes = profiled_nodes(s.graph());
  int body_ops = 0;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    if (nodes[static_cast<size_t>(i)].parent < 0) continue;
    ++body_ops;
    EXPECT_EQ(counter.events[i], 3) << i;
  }
  EXPECT_GE(body_ops, 3);
}

void expect_load_error(const ScanSpec& spec, ErrorCode code, const std::vector<std::string>& words) {
  onnx_loop_models::expect_load_error(scan_model(spec), "scan.onnx", code, words);
}

TEST(OnnxScanErrors, ScanInputsOfDifferentLengths) {
  ScanSpec spec;
  spec.b_dims = {5, 4};
  expect_load_error(spec, ErrorCode::kShapeMismatch,
                    {"scan.onnx", "'the_scan' (Scan)", "scan input 1 has 5 positions", "0 3"});
}

TEST(OnnxScanErrors, SlicesTheBodyCannotTake) {
  ScanSpec spec;
  spec.a_dims = {2, 3, 5};  // slices [2, 5] do not broadcast with b's [4]
  expect_load_error(spec, ErrorCode::kShapeMismatch, {"scan.onnx", "'the_scan' (Scan)", "body"});
}

TEST(OnnxScanErrors, OpsetEightsBatchFormIsRefusedNamingTheNode) {
  ScanSpec spec;
  spec.opset = 8;
  expect_load_error(spec, ErrorCode::kUnsupportedOp, {"'the_scan' (Scan)", "opset 9"});
}

}  // namespace
}  // namespace opscope

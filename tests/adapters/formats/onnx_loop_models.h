// Small ONNX models with a Loop, built with ONNX's own protobuf classes
// (Debian's libonnx): a for-loop with a captured graph input and a scan
// output, a while-loop that its condition ends, and the pieces to build
// bad ones; and what the control-flow tests check with (a load error's
// code and words, a profiler counting events per index). Used by
// onnx_loop_test, onnx_scan_test and the harness's control-flow rows test.
#pragma once

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/profiling.h"

namespace opscope::onnx_loop_models {

using TP = ::onnx::TensorProto;

inline void value(::onnx::ValueInfoProto* vi, const std::string& name, int type,
           const std::vector<int64_t>& dims) {
  vi->set_name(name);
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(type);
  auto* shape = t->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

inline ::onnx::NodeProto* node(::onnx::GraphProto* g, const std::string& op,
                        const std::vector<std::string>& ins, const std::vector<std::string>& outs) {
  auto* n = g->add_node();
  n->set_name(outs.empty() ? op : outs[0]);
  n->set_op_type(op);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

inline void int64_initializer(::onnx::GraphProto* g, const std::string& name,
                       const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(TP::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t v : values) t->add_int64_data(v);
}

inline void float_initializer(::onnx::GraphProto* g, const std::string& name,
                       const std::vector<int64_t>& dims, const std::vector<float>& values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(TP::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

// The body's standard inputs: iteration number, condition, then x (f32 `dims`).
inline ::onnx::GraphProto body_taking_x(const std::vector<int64_t>& dims) {
  ::onnx::GraphProto b;
  b.set_name("body");
  value(b.add_input(), "i", TP::INT64, {});
  value(b.add_input(), "c", TP::BOOL, {});
  value(b.add_input(), "x_in", TP::FLOAT, dims);
  return b;
}

struct LoopSpec {
  std::string trip = "M";  // "" absent, "M" an initializer, else a graph input
  int64_t trip_value = 4;
  std::string cond;        // "" absent, else a bool graph input
  ::onnx::GraphProto body;
  int num_scan = 0;
  std::vector<int64_t> x_dims = {2};
  bool bias_input = false;  // a graph input "bias" f32 x_dims the body reads
};

inline std::string loop_model(const LoopSpec& spec) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(16);
  auto* g = m.mutable_graph();
  g->set_name("main");
  value(g->add_input(), "x", TP::FLOAT, spec.x_dims);
  if (spec.bias_input) value(g->add_input(), "bias", TP::FLOAT, spec.x_dims);
  if (!spec.cond.empty()) value(g->add_input(), spec.cond, TP::BOOL, {});
  if (spec.trip == "M") int64_initializer(g, "M", {}, {spec.trip_value});
  if (!spec.trip.empty() && spec.trip != "M") value(g->add_input(), spec.trip, TP::INT64, {});
  std::vector<std::string> outs = {"x_final"};
  for (int s = 0; s < spec.num_scan; ++s) outs.push_back("scan" + std::to_string(s));
  auto* loop = node(g, "Loop", {spec.trip, spec.cond, "x"}, outs);
  loop->set_name("the_loop");
  auto* a = loop->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = spec.body;
  for (const auto& o : outs) value(g->add_output(), o, TP::FLOAT, {});
  return m.SerializeAsString();
}

// x_out = x_in + bias; scan = x_out * float(i); four runs.
inline LoopSpec for_loop() {
  LoopSpec spec;
  spec.bias_input = true;
  spec.num_scan = 1;
  spec.body = body_taking_x({2});
  ::onnx::GraphProto& b = spec.body;
  node(&b, "Add", {"x_in", "bias"}, {"x_out"});
  auto* cast = node(&b, "Cast", {"i"}, {"i_f"});
  auto* to = cast->add_attribute();
  to->set_name("to");
  to->set_type(::onnx::AttributeProto::INT);
  to->set_i(TP::FLOAT);
  node(&b, "Mul", {"x_out", "i_f"}, {"s"});
  node(&b, "Identity", {"c"}, {"c_out"});
  value(b.add_output(), "c_out", TP::BOOL, {});
  value(b.add_output(), "x_out", TP::FLOAT, {2});
  value(b.add_output(), "s", TP::FLOAT, {2});
  return spec;
}

// x_out = 2 x; runs while x_out < 10; no trip count.
inline LoopSpec while_loop() {
  LoopSpec spec;
  spec.trip = "";
  spec.cond = "go";
  spec.x_dims = {1};
  spec.body = body_taking_x({1});
  ::onnx::GraphProto& b = spec.body;
  float_initializer(&b, "two", {1}, {2.0f});
  float_initializer(&b, "ten", {1}, {10.0f});
  node(&b, "Mul", {"x_in", "two"}, {"x_out"});
  node(&b, "Less", {"x_out", "ten"}, {"c_out"});
  value(b.add_output(), "c_out", TP::BOOL, {1});
  value(b.add_output(), "x_out", TP::FLOAT, {1});
  return spec;
}

inline Result<std::shared_ptr<Model>> load_bytes(const std::string& bytes, const char* name) {
  return onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                name);
}

// Loading `bytes` fails with `code` and a message holding every word.
inline void expect_load_error(const std::string& bytes, const char* name, ErrorCode code,
                              const std::vector<std::string>& words) {
  auto model = load_bytes(bytes, name);
  ASSERT_FALSE(model.is_ok());
  EXPECT_EQ(model.status().code(), code) << model.status().message();
  for (const std::string& w : words) {
    EXPECT_NE(model.status().message().find(w), std::string::npos)
        << "'" << w << "' missing from: " << model.status().message();
  }
}

// Counts the op events per flat index (engine/control_flow.h).
class CountingProfiler final : public Profiler {
 public:
  void end_op(int node, int) override { ++events[node]; }
  void add_op_event(int node, int, uint64_t, uint64_t) override { ++events[node]; }
  std::map<int, int> events;
};

}  // namespace opscope::onnx_loop_models

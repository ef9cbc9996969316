// ONNX Loop on the engine's LOOP node, checked against naive loops written
// here: a for-loop with a captured graph input and a scan output that
// reads the iteration number, a while-loop that its condition ends, zero
// runs; the body's ops report one event per run at the indices
// control_flow.h gives them. Then bad input: a carried value whose shape
// changes, a trip count too large for its scan output, a body with the
// wrong number of inputs, a loop that never ends and one with scan outputs
// that stops early: clear errors naming the node, never a hang. Models are
// built with ONNX's own protobuf classes (Debian's libonnx).
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "tests/adapters/formats/onnx_loop_models.h"
#include "engine/control_flow.h"
#include "engine/session.h"

namespace opscope {
namespace {

using namespace onnx_loop_models;

Result<std::shared_ptr<Model>> load(const std::string& bytes) { return load_bytes(bytes, "loop.onnx"); }

int input_index(const Session& s, const std::string& name) {
  for (int i = 0; i < s.num_inputs(); ++i) {
    if (s.input_tensor(i).name == name) return i;
  }
  return -1;
}

void feed(Session& s, const std::string& name, const void* data, size_t bytes) {
  const int i = input_index(s, name);
  ASSERT_GE(i, 0) << name;
  ASSERT_EQ(s.input_tensor(i).bytes(), bytes) << name;
  std::memcpy(s.input_data(i), data, bytes);
}

std::vector<float> output(const Session& s, int k) {
  const Tensor& t = s.output_tensor(k);
  std::vector<float> v(static_cast<size_t>(t.elements()));
  if (!v.empty()) std::memcpy(v.data(), s.output_data(k), t.bytes());
  return v;
}

TEST(OnnxLoop, ForLoopWithACapturedInputAndAScanOutput) {
  auto model = load(loop_model(for_loop()));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  CountingProfiler counter;
  SessionOptions options;
  options.profiler = &counter;
  auto created = Session::create(*model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const float x[2] = {1.0f, -2.0f}, bias[2] = {0.5f, 3.0f};
  feed(s, "x", x, sizeof(x));
  feed(s, "bias", bias, sizeof(bias));
  ASSERT_TRUE(s.invoke().is_ok());
  // The naive loop.
  std::vector<float> carried(x, x + 2), scan;
  for (int64_t i = 0; i < 4; ++i) {
    for (int e = 0; e < 2; ++e) carried[e] += bias[e];
    for (int e = 0; e < 2; ++e) scan.push_back(carried[e] * static_cast<float>(i));
  }
  EXPECT_EQ(output(s, 0), carried);
  EXPECT_EQ(s.output_tensor(1).shape, (Shape{4, 2}));
  EXPECT_EQ(output(s, 1), scan);

  // Every body op ran four times, at an index whose parent is the loop.
  const std::vector<ProfiledNode> nodes = profiled_nodes(s.graph());
  int loop_index = -1, body_ops = 0;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    const ProfiledNode& p = nodes[static_cast<size_t>(i)];
    if (p.depth == 0 && p.graph->nodes[static_cast<size_t>(p.node)].op == OpKind::kLoop) loop_index = i;
  }
  ASSERT_GE(loop_index, 0);
  EXPECT_EQ(counter.events[loop_index], 1);
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    if (nodes[static_cast<size_t>(i)].parent != loop_index) continue;
    ++body_ops;
    EXPECT_STREQ(nodes[static_cast<size_t>(i)].role, "body");
    EXPECT_EQ(counter.events[i], 4) << "flat index " << i;
  }
  EXPECT_GE(body_ops, 3);  // Add, Cast, Mul (and the condition's copy)
  EXPECT_EQ(static_cast<int>(nodes.size()), profiled_node_count(s.graph()));
}

TEST(OnnxLoop, WhileLoopEndsWhenItsConditionDoesAndNotBeforeItStarts) {
  const LoopSpec spec = while_loop();
  auto model = load(loop_model(spec));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  // The file's counts include the body's: its nodes, and its two
  // constants (2 and 10).
  EXPECT_EQ((*model)->info.source_nodes, 1 + spec.body.node_size());
  EXPECT_EQ((*model)->info.params, 2);
  auto created = Session::create(*model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  for (const auto& [start, go, want] :
       {std::tuple{1.0f, true, 16.0f}, std::tuple{3.0f, true, 12.0f},
        std::tuple{20.0f, true, 40.0f},  // one run: the body runs before the check
        std::tuple{1.0f, false, 1.0f}}) {  // zero runs: the initial value
    const uint8_t g = go ? 1 : 0;
    feed(s, "x", &start, sizeof(start));
    feed(s, "go", &g, 1);
    ASSERT_TRUE(s.invoke().is_ok());
    EXPECT_EQ(output(s, 0), std::vector<float>{want}) << start << " " << go;
  }
}

TEST(OnnxLoop, ZeroTripsGiveTheInitialValuesAndAnEmptyScan) {
  LoopSpec spec = for_loop();
  spec.trip_value = 0;
  auto model = load(loop_model(spec));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto created = Session::create(*model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const float x[2] = {7.0f, 8.0f}, bias[2] = {1.0f, 1.0f};
  feed(s, "x", x, sizeof(x));
  feed(s, "bias", bias, sizeof(bias));
  ASSERT_TRUE(s.invoke().is_ok());
  EXPECT_EQ(output(s, 0), (std::vector<float>{7.0f, 8.0f}));
  EXPECT_EQ(s.output_tensor(1).shape, (Shape{0, 2}));
}

void expect_load_error(const LoopSpec& spec, ErrorCode code, const std::vector<std::string>& words) {
  onnx_loop_models::expect_load_error(loop_model(spec), "loop.onnx", code, words);
}

TEST(OnnxLoopErrors, ACarriedValueThatChangesShape) {
  LoopSpec spec;
  spec.body = body_taking_x({2});
  auto* concat = node(&spec.body, "Concat", {"x_in", "x_in"}, {"x_out"});
  auto* axis = concat->add_attribute();
  axis->set_name("axis");
  axis->set_type(::onnx::AttributeProto::INT);
  axis->set_i(0);
  node(&spec.body, "Identity", {"c"}, {"c_out"});
  value(spec.body.add_output(), "c_out", TP::BOOL, {});
  value(spec.body.add_output(), "x_out", TP::FLOAT, {4});
  expect_load_error(spec, ErrorCode::kShapeMismatch,
                    {"loop.onnx", "'the_loop' (Loop)", "carried value 'x_out'", "f32 4 in the body, f32 2 at the loop"});
}

TEST(OnnxLoopErrors, ATripCountTooLargeForItsScanOutput) {
  LoopSpec spec = for_loop();
  spec.trip_value = int64_t{1} << 40;
  expect_load_error(spec, ErrorCode::kUnsupportedOp,
                    {"'the_loop' (Loop)", "trip count 1099511627776", "more than 2^31"});
}

TEST(OnnxLoopErrors, ScanOutputsNeedAConstantTripCount) {
  LoopSpec spec = for_loop();
  spec.trip = "n";
  expect_load_error(spec, ErrorCode::kUnsupportedOp, {"input 0 'n' must be a constant"});
}

TEST(OnnxLoopErrors, ABodyWithTheWrongInputs) {
  LoopSpec spec = while_loop();
  spec.body.mutable_input()->RemoveLast();
  expect_load_error(spec, ErrorCode::kInvalidGraph, {"'the_loop' (Loop)", "body takes 2 inputs"});
}

TEST(OnnxLoopErrors, ALoopThatNeverEndsFailsTheInvoke) {
  LoopSpec spec = while_loop();
  spec.body.mutable_node()->RemoveLast();  // the condition: now c_out = c, always true
  spec.body.mutable_output(0)->set_name("c");
  auto model = load(loop_model(spec));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto created = Session::create(*model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const float x = 1.0f;
  const uint8_t go = 1;
  feed(s, "x", &x, sizeof(x));
  feed(s, "go", &go, 1);
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'the_loop' (Loop)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("ran loop bodies 1048576 times in one invoke"), std::string::npos) << st.message();
  EXPECT_EQ(output(s, 0), std::vector<float>{0.0f});  // zeros, never garbage
}

// A loop of 2^30 runs in the body of a loop of 2^30 runs: the nested
// runs count against one budget, so the invoke fails after 2^20 of them,
// not after 2^40.
TEST(OnnxLoopErrors, NestedLoopsShareOneBudget) {
  LoopSpec inner;
  inner.body = body_taking_x({2});
  node(&inner.body, "Identity", {"c"}, {"c_out"});
  node(&inner.body, "Neg", {"x_in"}, {"x_out"});
  value(inner.body.add_output(), "c_out", TP::BOOL, {});
  value(inner.body.add_output(), "x_out", TP::FLOAT, {2});
  LoopSpec outer;
  outer.trip_value = int64_t{1} << 30;
  outer.body = body_taking_x({2});
  int64_initializer(&outer.body, "M_inner", {}, {int64_t{1} << 30});
  auto* loop = node(&outer.body, "Loop", {"M_inner", "", "x_in"}, {"x_out"});
  auto* a = loop->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = inner.body;
  node(&outer.body, "Identity", {"c"}, {"c_out"});
  value(outer.body.add_output(), "c_out", TP::BOOL, {});
  value(outer.body.add_output(), "x_out", TP::FLOAT, {2});
  auto model = load(loop_model(outer));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto created = Session::create(*model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const float x[2] = {1, 2};
  feed(s, "x", x, sizeof(x));
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("nested loops count together"), std::string::npos) << st.message();
}

TEST(OnnxLoopErrors, ScanOutputsAndAConditionThatStopsEarlyFailTheInvoke) {
  LoopSpec spec = for_loop();
  spec.cond = "go";
  // c_out = i < 2: three runs of four.
  spec.body.mutable_node()->RemoveLast();
  int64_initializer(&spec.body, "two_i", {}, {2});
  node(&spec.body, "Less", {"i", "two_i"}, {"c_out"});
  auto model = load(loop_model(spec));
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  auto created = Session::create(*model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const float x[2] = {0, 0}, bias[2] = {1, 1};
  const uint8_t go = 1;
  feed(s, "x", x, sizeof(x));
  feed(s, "bias", bias, sizeof(bias));
  feed(s, "go", &go, 1);
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("stopped after 3 of 4 runs"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace opscope

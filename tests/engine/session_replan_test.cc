// Shapes that follow from values computed at run time (value_operands.h):
// a Session plans with values it learns from runs and re-plans when a run
// brings values that give other shapes. The SLICE results are checked
// against a naive loop written from ONNX's Slice specification; the plan's
// behaviour through replans(), fully_planned(), the stable input buffers,
// the profiler's events and downstream shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/session.h"
#include "tests/engine/test_tensors.h"

namespace opscope {
namespace {

using testing::add_test_tensor;
using testing::bytes_of;

// ONNX's Slice on a 1-D vector, as its specification loops.
std::vector<float> naive_slice(const std::vector<float>& x, int64_t start, int64_t end,
                               int64_t step) {
  const auto n = static_cast<int64_t>(x.size());
  if (start < 0) start += n;
  if (end < 0) end += n;
  std::vector<float> y;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    for (int64_t i = start; i < end; i += step) y.push_back(x[static_cast<size_t>(i)]);
  } else {
    start = std::clamp<int64_t>(start, 0, n - 1);
    end = std::clamp<int64_t>(end, -1, n - 1);
    for (int64_t i = start; i > end; i += step) y.push_back(x[static_cast<size_t>(i)]);
  }
  return y;
}

Node node(OpKind op, std::vector<int> inputs, std::vector<int> outputs, const std::string& name) {
  Node n;
  n.op = op;
  n.type_name = std::string(to_string(op));
  n.name = name;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

// x f32 [8], start/end i64 [1] (graph inputs: values arrive at run time),
// step a constant; y = SLICE(x, start, end, axes [0], step); z = y + y.
struct Sliced {
  std::shared_ptr<Model> model;
  int x = 0, start = 0, end = 0;
};

Sliced slice_model(int64_t step) {
  Sliced m;
  m.model = std::make_shared<Model>();
  m.model->info.name = "slice.test";
  Graph& g = m.model->graph;
  m.x = add_test_tensor(g, "x", TensorRole::kInput, DType::kF32, {8}, {});
  m.start = add_test_tensor(g, "start", TensorRole::kInput, DType::kI64, {1}, {});
  m.end = add_test_tensor(g, "end", TensorRole::kInput, DType::kI64, {1}, {});
  const int axes = add_test_tensor(g, "axes", TensorRole::kConstant, DType::kI64, {1}, {},
                                   bytes_of(std::vector<int64_t>{0}));
  const int steps = add_test_tensor(g, "steps", TensorRole::kConstant, DType::kI64, {1}, {},
                                    bytes_of(std::vector<int64_t>{step}));
  const int y = add_test_tensor(g, "y", TensorRole::kIntermediate, DType::kF32, {8}, {});
  const int z = add_test_tensor(g, "z", TensorRole::kOutput, DType::kF32, {8}, {});
  g.nodes.push_back(node(OpKind::kSlice, {m.x, m.start, m.end, axes, steps}, {y}, "slice"));
  Node add = node(OpKind::kAdd, {y, y}, {z}, "twice");
  add.attrs = ActivationAttrs{};
  g.nodes.push_back(std::move(add));
  g.inputs = {m.x, m.start, m.end};
  g.outputs = {z};
  return m;
}

struct CountingProfiler : Profiler {
  int replans = 0, slice_events = 0;
  void begin_stage(Stage stage) override { replans += stage == Stage::kReplan; }
  void begin_op(int node_index, int) override { slice_events += node_index == 0; }
};

std::vector<float> invoke(Session& s, int64_t start, int64_t end) {
  std::memcpy(s.input_data(1), &start, sizeof(start));
  std::memcpy(s.input_data(2), &end, sizeof(end));
  const Status st = s.invoke();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  const Tensor& z = s.output_tensor(0);
  const auto* p = static_cast<const float*>(s.output_data(0));
  return std::vector<float>(p, p + z.elements());
}

TEST(SessionReplan, LearnsRunTimeSliceBoundsAndReplansOnlyWhenTheShapeChanges) {
  Sliced m = slice_model(1);
  CountingProfiler profiler;
  SessionOptions options;
  options.profiler = &profiler;
  auto created = Session::create(m.model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  EXPECT_FALSE(s.fully_planned());  // the bounds are not known before a run
  const std::vector<float> x = {0, 1, 2, 3, 4, 5, 6, 7};
  void* x_buffer = s.input_data(0);
  std::memcpy(x_buffer, x.data(), sizeof(float) * 8);

  const auto twice = [](std::vector<float> v) {
    for (float& f : v) f *= 2;
    return v;
  };
  const struct {
    int64_t start, end;
    int replans_after;  // cumulative
  } steps[] = {
      {1, 4, 1},    // learned: [1, 2, 3]
      {3, 6, 1},    // same shape [3]: the kernel slices elsewhere, no re-plan
      {0, 8, 2},    // shape [8]: re-plan
      {-3, 100, 3}, // [5, 6, 7]: shape [3] again
      {5, 2, 4},    // empty
      {5, 2, 4},
  };
  for (const auto& step : steps) {
    SCOPED_TRACE("start " + std::to_string(step.start) + " end " + std::to_string(step.end));
    EXPECT_EQ(invoke(s, step.start, step.end), twice(naive_slice(x, step.start, step.end, 1)));
    EXPECT_EQ(s.replans(), step.replans_after);
    EXPECT_TRUE(s.fully_planned());
    EXPECT_EQ(s.input_data(0), x_buffer);  // inputs stay where the caller wrote them
  }
  EXPECT_EQ(profiler.replans, 4);
  // Op events come from whole runs only: one per invoke, none from the
  // learning run's prefix or from a run stopped by a changed shape.
  EXPECT_EQ(profiler.slice_events, 6 + 3);
}

TEST(SessionReplan, NegativeStepsMatchOnnx) {
  Sliced m = slice_model(-2);
  auto created = Session::create(m.model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const std::vector<float> x = {10, 11, 12, 13, 14, 15, 16, 17};
  std::memcpy(s.input_data(0), x.data(), sizeof(float) * 8);
  for (const auto& [start, end] : std::vector<std::pair<int64_t, int64_t>>{
           {7, 0}, {-1, -9}, {100, -100}, {3, 3}, {0, 5}, {6, 1}}) {
    SCOPED_TRACE(std::to_string(start) + ":" + std::to_string(end) + ":-2");
    std::vector<float> want = naive_slice(x, start, end, -2);
    for (float& f : want) f *= 2;
    EXPECT_EQ(invoke(s, start, end), want);
  }
}

// The session checks the whole graph at create: a node no backend can run
// after the unplanned SLICE is refused there, not at the first invoke.
TEST(SessionReplan, UnsupportedNodesBeyondThePlanFailAtCreate) {
  Sliced m = slice_model(1);
  Graph& g = m.model->graph;
  const int w = add_test_tensor(g, "w", TensorRole::kOutput, DType::kF32, {8}, {});
  Node unknown = node(OpKind::kUnknown, {g.outputs[0]}, {w}, "mystery");
  unknown.type_name = "Mystery";
  g.nodes.push_back(std::move(unknown));
  g.tensors[g.outputs[0]].role = TensorRole::kIntermediate;
  g.outputs = {w};
  auto created = Session::create(m.model, SessionOptions{});
  ASSERT_FALSE(created.is_ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kUnsupportedOp);
  EXPECT_NE(created.status().message().find("Mystery"), std::string::npos)
      << created.status().message();
}

TEST(SessionReplan, InvalidRunTimeValuesFailTheInvokeNamingTheNode) {
  Sliced m = slice_model(1);
  // A second slice whose steps come at run time too: step 0 is refused.
  Graph& g = m.model->graph;
  const int step = add_test_tensor(g, "step", TensorRole::kInput, DType::kI64, {1}, {});
  g.nodes[0].inputs[4] = step;
  g.inputs.push_back(step);
  auto created = Session::create(m.model, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  const int64_t one = 1, zero = 0, start = 0, end = 4;
  std::memcpy(s.input_data(1), &start, sizeof(start));
  std::memcpy(s.input_data(2), &end, sizeof(end));
  std::memcpy(s.input_data(3), &one, sizeof(one));
  ASSERT_TRUE(s.invoke().is_ok());
  std::memcpy(s.input_data(3), &zero, sizeof(zero));
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'slice'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("step 0"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace opscope

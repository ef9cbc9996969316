// TFLite control flow through the reader: IF and WHILE become the engine's
// kIf / kWhile with their subgraphs read as models of their own, run on the
// reference backend against the same computation written in the test (IF
// both ways; WHILE 0, 1 and many times; an IF inside a WHILE body);
// CALL_ONCE without effects is dropped; bad references (out of range, a
// subgraph running itself, a cycle between subgraphs, nesting too deep or
// expanding too far, arity that does not fit, a WHILE body changing a
// variable's shape) and resource variables are errors with the right code
// and a message naming the node, the op and the subgraphs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/session.h"
#include "tests/adapters/formats/tflite_control_flow_models.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite {
namespace {

using fb::BuiltinOperator;
using fb::TensorType;
using testing::share;
using testing::TfliteModelBuilder;
namespace models = testing::control_flow_models;

constexpr const char* kName = "cf.tflite";

Result<std::shared_ptr<Model>> load(std::vector<uint8_t> bytes, LoadNotes* notes = nullptr) {
  return load_tflite_buffer(share(std::move(bytes)), kName, notes);
}

std::unique_ptr<Session> session_of(const std::shared_ptr<Model>& model) {
  SessionOptions options;
  options.backends = {"cpu"};
  auto s = Session::create(model, options);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The code, the file name first, and every given part.
void expect_error(const Status& s, ErrorCode code, std::initializer_list<const char*> parts) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
  for (const char* part : parts) {
    EXPECT_TRUE(contains(s.message(), part)) << "missing '" << part << "' in: " << s.message();
  }
}

Status load_status(std::vector<uint8_t> bytes) {
  auto r = load(std::move(bytes));
  return r.is_ok() ? Status::ok() : r.status();
}

std::vector<float> floats(const void* p, size_t n) {
  const auto* f = static_cast<const float*>(p);
  return std::vector<float>(f, f + n);
}

TEST(TfliteControlFlow, IfReadsBothBranchesAsModelsAndTakesEach) {
  LoadNotes notes;
  auto m = load(models::if_model(), &notes);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const Graph& g = (*m)->graph;
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kIf);
  const auto& a = g.nodes[0].attr<IfAttrs>();
  ASSERT_NE(a.then_branch, nullptr);
  ASSERT_NE(a.else_branch, nullptr);
  EXPECT_EQ(a.then_branch->info.name, "then");
  EXPECT_EQ(a.then_branch->graph.inputs.size(), 1u);
  EXPECT_EQ(a.then_branch->graph.nodes[0].op, OpKind::kMul);
  EXPECT_EQ(a.else_branch->graph.nodes[0].op, OpKind::kSub);
  EXPECT_EQ(notes.read_subgraphs, 3);
  EXPECT_EQ(notes.ignored_subgraphs, 0);
  // The file's counts: the IF and each branch's op; each branch's constant.
  EXPECT_EQ((*m)->info.source_nodes, 3);
  EXPECT_EQ((*m)->info.params, 2);
  EXPECT_EQ(a.then_branch->info.params, 1);
  for (const std::string& line : notes.messages) {
    EXPECT_FALSE(contains(line, "not read")) << line;
  }

  auto s = session_of(*m);
  ASSERT_NE(s, nullptr);
  const float x[4] = {1, -2, 0.5f, 4};
  for (const bool cond : {true, false}) {
    const uint8_t c = cond ? 1 : 0;
    std::memcpy(s->input_data(0), &c, 1);
    std::memcpy(s->input_data(1), x, sizeof(x));
    ASSERT_TRUE(s->invoke().is_ok());
    std::vector<float> want;
    for (float v : x) want.push_back(cond ? v * 3 : v - 1);
    EXPECT_EQ(floats(s->output_data(0), 4), want) << "cond " << cond;
  }
}

TEST(TfliteControlFlow, WhileRunsItsBodyZeroOneAndManyTimes) {
  auto m = load(models::while_model());
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  ASSERT_EQ((*m)->graph.nodes.size(), 1u);
  EXPECT_EQ((*m)->graph.nodes[0].op, OpKind::kWhile);
  const auto& a = (*m)->graph.nodes[0].attr<WhileAttrs>();
  EXPECT_EQ(a.cond->graph.nodes.size(), 1u);
  EXPECT_EQ(a.body->graph.nodes.size(), 3u);
  auto s = session_of(*m);
  ASSERT_NE(s, nullptr);
  const float x0[4] = {8, -1, 0, 2.5f};
  for (const int32_t n : {0, 1, 7, 40, -3}) {
    std::memcpy(s->input_data(0), &n, sizeof(n));
    std::memcpy(s->input_data(1), x0, sizeof(x0));
    ASSERT_TRUE(s->invoke().is_ok());
    std::vector<float> want(x0, x0 + 4);
    for (int run = 0; run < n; ++run) {
      for (int k = 0; k < 4; ++k) want[k] = models::while_step(want[k], k);
    }
    EXPECT_EQ(floats(s->output_data(0), 4), want) << "n " << n;
    int32_t runs = -1;
    std::memcpy(&runs, s->output_data(1), sizeof(runs));
    EXPECT_EQ(runs, std::max(n, 0)) << "n " << n;
  }
}

TEST(TfliteControlFlow, IfInsideAWhileBody) {
  LoadNotes notes;
  auto m = load(models::nested_model(), &notes);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(notes.read_subgraphs, 5);
  const auto& body = (*m)->graph.nodes[0].attr<WhileAttrs>().body->graph;
  ASSERT_EQ(body.nodes.size(), 3u);
  EXPECT_EQ(body.nodes[2].op, OpKind::kIf);
  auto s = session_of(*m);
  ASSERT_NE(s, nullptr);
  const float x = 1;
  std::memcpy(s->input_data(0), &x, sizeof(x));
  ASSERT_TRUE(s->invoke().is_ok());
  EXPECT_EQ(floats(s->output_data(0), 1), std::vector<float>{7});  // 2, 4, 5, 6, 7
}

// Two IFs running the same branches share their models.
TEST(TfliteControlFlow, ASubgraphRunByTwoOpsIsReadOnce) {
  TfliteModelBuilder b;
  const int c = b.add_tensor("c", TensorType::BOOL, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
  const int z = b.add_tensor("z", TensorType::FLOAT32, {1});
  b.begin_subgraph("relu");
  const int bx = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int by = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {bx}, {by});
  b.set_subgraph_io({bx}, {by});
  b.use_subgraph(0);
  const uint32_t op_if = b.add_opcode(BuiltinOperator::IF);
  b.add_op(op_if, {c, x}, {y}, b.if_options(1, 1));
  b.add_op(op_if, {c, y}, {z}, b.if_options(1, 1));
  auto m = load(b.finish({c, x}, {z}));
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const auto& first = (*m)->graph.nodes[0].attr<IfAttrs>();
  const auto& second = (*m)->graph.nodes[1].attr<IfAttrs>();
  EXPECT_EQ(first.then_branch, first.else_branch);
  EXPECT_EQ(first.then_branch, second.then_branch);
  EXPECT_EQ((*m)->info.source_nodes, 3);  // the two IFs and the one RELU they share
}

TEST(TfliteControlFlow, SubgraphsNothingRunsAreNoted) {
  LoadNotes notes;
  TfliteModelBuilder b;
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {x}, {y});
  b.begin_subgraph("orphan");
  b.use_subgraph(0);
  b.set_extra_subgraphs(1);
  ASSERT_TRUE(load(b.finish({x}, {y}), &notes).is_ok());
  EXPECT_EQ(notes.read_subgraphs, 1);
  EXPECT_EQ(notes.ignored_subgraphs, 2);
  ASSERT_EQ(notes.messages.size(), 1u);
  EXPECT_TRUE(contains(notes.messages[0], "2 subgraph(s) not read (1, 2)")) << notes.messages[0];
}

// main: IF(c, x) -> y with then = `then_index`, else 1; subgraph 1 is
// x -> RELU -> y. Hooks make the reference bad.
std::vector<uint8_t> if_referring_to(int then_index) {
  TfliteModelBuilder b;
  const int c = b.add_tensor("c", TensorType::BOOL, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::IF), {c, x}, {y}, b.if_options(then_index, 1));
  b.begin_subgraph("relu");
  const int bx = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int by = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {bx}, {by});
  b.set_subgraph_io({bx}, {by});
  b.use_subgraph(0);
  return b.finish({c, x}, {y});
}

TEST(TfliteControlFlow, RejectsASubgraphIndexOutOfRange) {
  expect_error(load_status(if_referring_to(7)), ErrorCode::kInvalidGraph,
               {"node 0 'y' (IF)", "then subgraph 7 is out of range [0, 2)"});
  expect_error(load_status(if_referring_to(-1)), ErrorCode::kInvalidGraph,
               {"node 0 'y' (IF)", "then subgraph -1 is out of range"});
}

TEST(TfliteControlFlow, RejectsASubgraphRunningItself) {
  expect_error(load_status(if_referring_to(0)), ErrorCode::kInvalidGraph,
               {"node 0 'y' (IF)", "then subgraph 0 is the subgraph holding this op",
                "may not run itself"});
}

// main IF runs subgraph 1 (then and else); subgraph 1's WHILE has body 2;
// subgraph 2's IF runs subgraph 1 again.
TEST(TfliteControlFlow, RejectsACycleBetweenSubgraphs) {
  TfliteModelBuilder b;
  const auto scalar_graph = [&](bool with_cond) {
    std::vector<int32_t> ins;
    if (with_cond) ins.push_back(b.add_tensor("c", TensorType::BOOL, {1}));
    ins.push_back(b.add_tensor("x", TensorType::FLOAT32, {1}));
    return ins;
  };
  const std::vector<int32_t> main_in = scalar_graph(true);
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::IF), main_in, {y}, b.if_options(1, 1));
  b.begin_subgraph("a");
  {
    const std::vector<int32_t> in = scalar_graph(false);
    const int out = b.add_tensor("a_out", TensorType::FLOAT32, {1});
    b.add_op(b.add_opcode(BuiltinOperator::WHILE), in, {out}, b.while_options(3, 2));
    b.set_subgraph_io(in, {out});
  }
  b.begin_subgraph("b");
  {
    const std::vector<int32_t> in = scalar_graph(false);
    const int c = b.add_constant<uint8_t>("true", TensorType::BOOL, {1}, {1});
    const int out = b.add_tensor("b_out", TensorType::FLOAT32, {1});
    b.add_op(b.add_opcode(BuiltinOperator::IF), {c, in[0]}, {out}, b.if_options(1, 1));
    b.set_subgraph_io(in, {out});
  }
  b.begin_subgraph("cond");
  {
    const std::vector<int32_t> in = scalar_graph(false);
    const int zero = b.add_constant<float>("zero", TensorType::FLOAT32, {1}, {0});
    const int out = b.add_tensor("positive", TensorType::BOOL, {1});
    b.add_op(b.add_opcode(BuiltinOperator::LESS), {zero, in[0]}, {out});
    b.set_subgraph_io(in, {out});
  }
  b.use_subgraph(0);
  expect_error(load_status(b.finish(main_in, {y})), ErrorCode::kInvalidGraph,
               {"node 0 'y' (IF): then subgraph 1 'a': node 0 'a_out' (WHILE): body subgraph 2 'b': "
                "node 0 'b_out' (IF): then subgraph 1 is already being read further up",
                "cycle (0 -> 1 -> 2 -> 1)"});
}

TEST(TfliteControlFlow, RejectsAnIfWhoseBranchTakesOtherInputs) {
  // The IF passes 2 values after the condition; its then subgraph takes 3.
  TfliteModelBuilder b;
  const int c = b.add_tensor("c", TensorType::BOOL, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int z = b.add_tensor("z", TensorType::FLOAT32, {1});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::IF), {c, x, z}, {y}, b.if_options(1, 1));
  b.begin_subgraph("three");
  const int p = b.add_tensor("p", TensorType::FLOAT32, {1});
  const int q = b.add_tensor("q", TensorType::FLOAT32, {1});
  const int r = b.add_tensor("r", TensorType::FLOAT32, {1});
  const int s = b.add_tensor("s", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {p, q}, {s});
  b.set_subgraph_io({p, q, r}, {s});
  b.use_subgraph(0);
  expect_error(load_status(b.finish({c, x, z}, {y})), ErrorCode::kInvalidGraph,
               {"node 0 'y' (IF)", "then subgraph 1 takes 3 inputs and gives 1 output",
                "the IF passes 2 (its inputs after the condition) and takes 1"});
}

// while_model()'s shape with the cond giving two outputs, or the body
// giving its x at another shape (found when a Session is created: the
// engine's shape rules check dtypes and shapes).
std::vector<uint8_t> bad_while(bool cond_gives_two, bool body_changes_shape) {
  TfliteModelBuilder b;
  const int i0 = b.add_tensor("i0", TensorType::INT32, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {2});
  const int i_out = b.add_tensor("i_out", TensorType::INT32, {1});
  const int x_out = b.add_tensor("x_out", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::WHILE), {i0, x}, {i_out, x_out}, b.while_options(1, 2));
  b.begin_subgraph("cond");
  {
    const int i = b.add_tensor("i", TensorType::INT32, {1});
    const int cx = b.add_tensor("x", TensorType::FLOAT32, {2});
    const int three = b.add_constant<int32_t>("three", TensorType::INT32, {1}, {3});
    const int less = b.add_tensor("less", TensorType::BOOL, {1});
    b.add_op(b.add_opcode(BuiltinOperator::LESS), {i, three}, {less});
    if (cond_gives_two) {
      b.set_subgraph_io({i, cx}, {less, cx});
    } else {
      b.set_subgraph_io({i, cx}, {less});
    }
  }
  b.begin_subgraph("body");
  {
    const int i = b.add_tensor("i", TensorType::INT32, {1});
    const int bx = b.add_tensor("x", TensorType::FLOAT32, {2});
    const int one = b.add_constant<int32_t>("one", TensorType::INT32, {1}, {1});
    const int i_next = b.add_tensor("i_next", TensorType::INT32, {1});
    b.add_op(b.add_opcode(BuiltinOperator::ADD), {i, one}, {i_next});
    int x_next = bx;
    if (body_changes_shape) {
      x_next = b.add_tensor("x_twice", TensorType::FLOAT32, {4});
      b.add_op(b.add_opcode(BuiltinOperator::CONCATENATION), {bx, bx}, {x_next},
               b.options(fb::BuiltinOptions::ConcatenationOptions,
                         fb::CreateConcatenationOptions(b.fbb(), 0)));
    }
    b.set_subgraph_io({i, bx}, {i_next, x_next});
  }
  b.use_subgraph(0);
  return b.finish({i0, x}, {i_out, x_out});
}

TEST(TfliteControlFlow, RejectsAWhileCondWithTwoOutputs) {
  expect_error(load_status(bad_while(true, false)), ErrorCode::kInvalidGraph,
               {"node 0 'i_out' (WHILE)", "cond subgraph 1 takes 2 inputs and gives 2 outputs",
                "it must take the WHILE's 2 loop variables and give one BOOL"});
}

TEST(TfliteControlFlow, RejectsAWhileBodyChangingAVariablesShape) {
  auto m = load(bad_while(false, true));
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();  // counts fit
  SessionOptions options;
  options.backends = {"cpu"};
  auto s = Session::create(*m, options);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kShapeMismatch) << s.status().to_string();
  EXPECT_TRUE(contains(s.status().message(), "(WHILE)")) << s.status().message();
  EXPECT_TRUE(contains(s.status().message(), "loop variable 1 (body output) is f32 4 in the body, f32 2 at the loop"))
      << s.status().message();
}

TEST(TfliteControlFlow, RejectsAWhileWithMoreInputsThanOutputs) {
  TfliteModelBuilder b;
  const int i = b.add_tensor("i", TensorType::INT32, {1});
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int out = b.add_tensor("out", TensorType::INT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::WHILE), {i, x}, {out}, b.while_options(0, 0));
  expect_error(load_status(b.finish({i, x}, {out})), ErrorCode::kInvalidGraph,
               {"node 0 'out' (WHILE)", "has 2 inputs and 1 output",
                "gives back each of its loop variables"});
}

TEST(TfliteControlFlow, RejectsControlFlowWithoutOptions) {
  for (const BuiltinOperator op : {BuiltinOperator::IF, BuiltinOperator::WHILE}) {
    TfliteModelBuilder b;
    const int in = b.add_tensor("cond", TensorType::BOOL, {1});
    const int out = b.add_tensor("out", TensorType::BOOL, {1});
    b.add_op(b.add_opcode(op), {in}, {out});
    expect_error(load_status(b.finish({in}, {out})), ErrorCode::kInvalidGraph,
                 {"node 0 'out' (", op == BuiltinOperator::IF ? "has no IfOptions" : "has no WhileOptions",
                  "the subgraphs it runs are not named"});
  }
}

// IF chains 0 -> 1 -> ... -> depth, each running the next as both
// branches; the last doubles.
std::vector<uint8_t> if_chain(int depth) {
  TfliteModelBuilder b;
  for (int k = 0; k <= depth; ++k) {
    if (k > 0) b.begin_subgraph();
    const int c = b.add_tensor("c", TensorType::BOOL, {1});
    const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
    const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
    if (k < depth) {
      b.add_op(b.add_opcode(BuiltinOperator::IF), {c, c, x}, {y}, b.if_options(k + 1, k + 1));
    } else {
      b.add_op(b.add_opcode(BuiltinOperator::ADD), {x, x}, {y});
    }
    if (k > 0) b.set_subgraph_io({c, x}, {y});
  }
  b.use_subgraph(0);
  return b.finish({0, 1}, {2});
}

TEST(TfliteControlFlow, NestingIsBoundedInDepthAndExpandedSize) {
  auto shallow = load(if_chain(3));
  ASSERT_TRUE(shallow.is_ok()) << shallow.status().to_string();
  auto s = session_of(*shallow);
  ASSERT_NE(s, nullptr);
  const uint8_t c = 1;
  const float x = 2;
  std::memcpy(s->input_data(0), &c, 1);
  std::memcpy(s->input_data(1), &x, sizeof(x));
  ASSERT_TRUE(s->invoke().is_ok());
  EXPECT_EQ(floats(s->output_data(0), 1), std::vector<float>{4});
  // 2^25 places run the last subgraph: refused before any session exists.
  expect_error(load_status(if_chain(25)), ErrorCode::kUnsupportedOp,
               {"(IF)", "would run more than 1048576 nodes with its control flow expanded"});
  expect_error(load_status(if_chain(40)), ErrorCode::kUnsupportedOp,
               {"(IF)", "would nest control flow 33 subgraphs deep", "reads 32 at most"});
}

// main: CALL_ONCE(init 1), then x -> RELU -> y. The init subgraph adds two
// constants (no inputs, no outputs) unless `init_takes_input`.
std::vector<uint8_t> call_once_model(bool init_takes_input) {
  TfliteModelBuilder b;
  const int x = b.add_tensor("x", TensorType::FLOAT32, {2});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::CALL_ONCE), {}, {}, b.call_once_options(1));
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {x}, {y});
  b.begin_subgraph("init");
  const int p = b.add_constant<float>("p", TensorType::FLOAT32, {1}, {1});
  const int q = init_takes_input ? b.add_tensor("q", TensorType::FLOAT32, {1})
                                 : b.add_constant<float>("q", TensorType::FLOAT32, {1}, {2});
  const int r = b.add_tensor("r", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {p, q}, {r});
  if (init_takes_input) {
    b.set_subgraph_io({q}, {});
  }
  b.use_subgraph(0);
  return b.finish({x}, {y});
}

TEST(TfliteControlFlow, CallOnceWithoutEffectsIsDroppedWithANote) {
  LoadNotes notes;
  auto m = load(call_once_model(false), &notes);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  ASSERT_EQ((*m)->graph.nodes.size(), 1u);
  EXPECT_EQ((*m)->graph.nodes[0].op, OpKind::kRelu);
  EXPECT_EQ((*m)->graph.nodes[0].source_index, 1);
  EXPECT_EQ((*m)->info.folded_nodes, 1);
  EXPECT_EQ(notes.read_subgraphs, 2);
  ASSERT_EQ(notes.messages.size(), 1u);
  EXPECT_TRUE(contains(notes.messages[0], "node 0 (CALL_ONCE) dropped: its init subgraph 1"))
      << notes.messages[0];
}

TEST(TfliteControlFlow, RejectsCallOnceWhoseInitTakesInputs) {
  expect_error(load_status(call_once_model(true)), ErrorCode::kInvalidGraph,
               {"node 0 (CALL_ONCE)", "init subgraph 1 takes 1 input and gives 0 outputs"});
}

// What CALL_ONCE really initializes: a resource variable. Its ops are
// refused by name, here inside the init subgraph.
TEST(TfliteControlFlow, RejectsResourceVariablesByName) {
  TfliteModelBuilder b;
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1});
  const int h = b.add_tensor("handle", TensorType::RESOURCE, {});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::CALL_ONCE), {}, {}, b.call_once_options(1));
  b.add_op(b.add_opcode(BuiltinOperator::VAR_HANDLE), {}, {h});
  b.add_op(b.add_opcode(BuiltinOperator::READ_VARIABLE), {h}, {y});
  b.begin_subgraph("init");
  const int ih = b.add_tensor("handle", TensorType::RESOURCE, {});
  const int v = b.add_constant<float>("v", TensorType::FLOAT32, {1}, {3});
  b.add_op(b.add_opcode(BuiltinOperator::VAR_HANDLE), {}, {ih});
  b.add_op(b.add_opcode(BuiltinOperator::ASSIGN_VARIABLE), {ih, v}, {});
  b.use_subgraph(0);
  const std::vector<uint8_t> bytes = b.finish({x}, {y});
  // Subgraph 0's own VAR_HANDLE is found before its CALL_ONCE is followed.
  expect_error(load_status(bytes), ErrorCode::kUnsupportedOp,
               {"node 1 (VAR_HANDLE): resource variables (VAR_HANDLE, READ_VARIABLE, "
                "ASSIGN_VARIABLE) are not supported"});

  TfliteModelBuilder only_init;
  const int ox = only_init.add_tensor("x", TensorType::FLOAT32, {1});
  const int oy = only_init.add_tensor("y", TensorType::FLOAT32, {1});
  only_init.add_op(only_init.add_opcode(BuiltinOperator::CALL_ONCE), {}, {},
                   only_init.call_once_options(1));
  only_init.add_op(only_init.add_opcode(BuiltinOperator::RELU), {ox}, {oy});
  only_init.begin_subgraph("init");
  const int oh = only_init.add_tensor("handle", TensorType::RESOURCE, {});
  const int ov = only_init.add_constant<float>("v", TensorType::FLOAT32, {1}, {3});
  only_init.add_op(only_init.add_opcode(BuiltinOperator::VAR_HANDLE), {}, {oh});
  only_init.add_op(only_init.add_opcode(BuiltinOperator::ASSIGN_VARIABLE), {oh, ov}, {});
  only_init.use_subgraph(0);
  expect_error(load_status(only_init.finish({ox}, {oy})), ErrorCode::kUnsupportedOp,
               {"node 0 (CALL_ONCE): init subgraph 1 'init': node 0 (VAR_HANDLE): resource "
                "variables",
                "the engine keeps no state between invokes"});
}

}  // namespace
}  // namespace opscope::tflite

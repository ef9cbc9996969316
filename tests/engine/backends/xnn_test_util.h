// One-node graphs for the XNNPACK backend's op tests, built in code and run
// through opscope::Session (on {"xnnpack"}, {"cpu"}, ...), or as one XNNPACK
// op without a Session.
//
//   OneNodeGraph m(OpKind::kConv2D, Conv2DAttrs{...});
//   m.add_input({1, 8, 8, 3}, input);          // a graph input
//   m.add_constant({16, 3, 3, 3}, filter);     // a constant
//   m.add_output();
//   expect_xnn_matches_cpu(m);                 // runs both, compares
//   SessionRun x = m.run({"xnnpack"});         // or one run at a time
//   EXPECT_EQ(x.node_backend, "xnnpack");
//
// run_xnn_direct() (and m.run_xnn_op()) drive one XNNPACK op (support
// check, factory, setup, run) without a Session: the test states the output
// shape and compares against a naive reference of its own. (Sessions place
// int8 nodes on XNNPACK too, now that the int8 reference kernels resolve
// their shapes: xnnpack_int8_conformance_test.cc.)
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/backends/xnnpack/xnn_ops.h"
#include "engine/backends/xnnpack/xnnpack_backend.h"
#include "engine/graph.h"
#include "engine/session.h"
#include "tests/engine/backends/xnn_compare_util.h"
#include "tests/engine/test_random.h"
#include "tests/engine/test_tensors.h"

namespace opscope::testing {

// The fused activations XNNPACK takes (as output clamps); TANH it does not.
inline constexpr Activation kClampActivations[] = {
    Activation::kNone, Activation::kRelu, Activation::kReluN1To1, Activation::kRelu6};

// Seeded uniform values, argument order of the elementwise tests.
inline std::vector<float> random_values(int64_t n, float lo, float hi, uint32_t seed) {
  return random_floats(static_cast<size_t>(n), seed, lo, hi);
}

inline std::vector<int8_t> random_int8(int64_t n, uint32_t seed) {
  return random_ints<int8_t>(static_cast<size_t>(n), seed, -128, 127);
}

// What a Session run of a OneNodeGraph produced.
struct OneNodeRun {
  int node_backend = -1;         // index into the backend list
  std::string node_backend_name;
  std::string fallback_reason;   // why earlier backends declined
  std::vector<Shape> output_shapes;
  std::vector<std::vector<uint8_t>> outputs;  // bytes of each graph output
};

// The same for tests that look at output 0 only, with the status inside.
struct SessionRun {
  Status status = Status::ok();
  std::string node_backend;  // the backend node 0 ran on
  Shape shape;               // output 0
  std::vector<uint8_t> output;
};

// A graph of one node (index 0) whose runtime inputs are graph inputs and
// whose outputs are graph outputs.
class OneNodeGraph {
 public:
  explicit OneNodeGraph(OpKind op, Attributes attrs = {})
      : graph_(one_node_graph(op, std::move(attrs))) {}

  template <typename T>
  int add_input(Shape shape, const std::vector<T>& values, Quantization q = {}) {
    const int id = add_test_tensor(graph_, "in", TensorRole::kInput, dtype_of<T>(),
                                   std::move(shape), std::move(q));
    values_[id] = bytes_of(values);
    graph_.inputs.push_back(id);
    node().inputs.push_back(id);
    return id;
  }

  template <typename T>
  int add_constant(Shape shape, const std::vector<T>& values, Quantization q = {}) {
    const int id = add_test_tensor(graph_, "const", TensorRole::kConstant, dtype_of<T>(),
                                   std::move(shape), std::move(q), bytes_of(values));
    node().inputs.push_back(id);
    return id;
  }

  void add_absent_input() { node().inputs.push_back(-1); }

  // The output; its shape is set by the reference kernel's prepare (Session)
  // or given here (run_xnn_direct, run_xnn_op).
  int add_output(DType dtype = DType::kF32, Quantization q = {}, Shape shape = {}) {
    const int id = add_test_tensor(graph_, "out", TensorRole::kOutput, dtype,
                                   std::move(shape), std::move(q));
    graph_.outputs.push_back(id);
    node().outputs.push_back(id);
    return id;
  }

  const Graph& graph() const { return graph_; }
  Graph& graph() { return graph_; }
  const Node& node() const { return graph_.nodes[0]; }
  Node& node() { return graph_.nodes[0]; }
  // The bytes of each graph input, by tensor id.
  const std::map<int, std::vector<uint8_t>>& values() const { return values_; }

  // The XNNPACK op table's support check and reason for node 0: what the
  // operator itself can take. (The backend's supports() also requires a
  // reference kernel for shape inference, which int8 ops lack for now.)
  bool xnn_supports(std::string* why) const;
  // Runs the graph through a Session on `backends` (priority list).
  SessionRun run(const std::vector<std::string>& backends, int threads = 1) const;
  // run_xnn_direct(), keeping output 0.
  Status run_xnn_op(std::vector<uint8_t>* output, int threads = 1) const;

 private:
  Graph graph_;
  std::map<int, std::vector<uint8_t>> values_;
};

// Validates the graph, runs it once through a Session on `backends` and
// returns what node 0 ran on and every output.
inline Result<OneNodeRun> run_session(const OneNodeGraph& g,
                                      const std::vector<std::string>& backends,
                                      int threads = 1) {
  auto model = std::make_shared<Model>();
  model->graph = g.graph();
  model->info.name = "one_node";
  OPSCOPE_RETURN_IF_ERROR(validate_graph(model->graph));
  SessionOptions options;
  options.backends = backends;
  options.threads = threads;
  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::create(model, options));
  for (int i = 0; i < session->num_inputs(); ++i) {
    const int id = session->graph().inputs[i];
    const std::vector<uint8_t>& v = g.values().at(id);
    if (v.size() != session->input_tensor(i).bytes()) {
      return Status(ErrorCode::kInvalidArgument, "test input size does not match its shape");
    }
    if (!v.empty()) std::memcpy(session->input_data(i), v.data(), v.size());
  }
  OPSCOPE_RETURN_IF_ERROR(session->invoke());
  OneNodeRun run;
  run.node_backend = session->partition_plan().node_backend[0];
  if (run.node_backend >= 0) run.node_backend_name = session->backend_names()[run.node_backend];
  run.fallback_reason = session->partition_plan().fallback_reason[0];
  for (int i = 0; i < session->num_outputs(); ++i) {
    const Tensor& t = session->output_tensor(i);
    run.output_shapes.push_back(t.shape);
    const auto* p = static_cast<const uint8_t*>(session->output_data(i));
    run.outputs.emplace_back(p, p + t.bytes());
  }
  return run;
}

inline SessionRun OneNodeGraph::run(const std::vector<std::string>& backends,
                                    int threads) const {
  SessionRun r;
  Result<OneNodeRun> run = run_session(*this, backends, threads);
  if (!run.is_ok()) {
    r.status = run.status();
    return r;
  }
  r.node_backend = run->node_backend_name;
  r.shape = run->output_shapes[0];
  r.output = std::move(run->outputs[0]);
  return r;
}

inline bool OneNodeGraph::xnn_supports(std::string* why) const {
  const xnnpack::XnnOpEntry* entry = xnnpack::find_xnn_op(node().op);
  if (!entry) {
    if (why) *why = "no XNNPACK entry";
    return false;
  }
  return entry->supports(graph_, node(), why);
}

inline bool xnn_supports(const OneNodeGraph& g, std::string* why) {
  return g.xnn_supports(why);
}

// Runs node 0 through its XnnNodeOp directly (support check, create, setup,
// run) on `threads` threads, without a session: every output's shape must
// have been given to add_output(). Returns each output's bytes. Buffers get
// the session's 64 bytes of tail slack.
inline Result<std::vector<std::vector<uint8_t>>> run_xnn_direct(const OneNodeGraph& g,
                                                                 int threads = 1) {
  // Creating the backend initializes XNNPACK.
  OPSCOPE_RETURN_IF_ERROR(xnnpack::create_xnnpack_backend(BackendConfig{}).status());
  std::string why;
  if (!g.xnn_supports(&why)) {
    return Status(ErrorCode::kUnsupportedOp, "not supported: " + why);
  }
  const Graph& graph = g.graph();
  const xnnpack::XnnOpEntry* entry = xnnpack::find_xnn_op(g.node().op);
  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<xnnpack::XnnNodeOp> op, entry->create(graph, 0));
  std::vector<std::vector<uint8_t>> storage(graph.tensors.size());
  std::vector<void*> buffers(graph.tensors.size(), nullptr);
  for (size_t id = 0; id < graph.tensors.size(); ++id) {
    const Tensor& t = graph.tensors[id];
    if (t.is_constant()) {
      buffers[id] = const_cast<uint8_t*>(t.data);
      continue;
    }
    storage[id].assign(t.bytes() + 64, 0);
    auto it = g.values().find(static_cast<int>(id));
    if (it != g.values().end() && !it->second.empty()) {
      std::memcpy(storage[id].data(), it->second.data(), it->second.size());
    }
    buffers[id] = storage[id].data();
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
  Status st = op->setup(graph, buffers.data(), pool);
  if (st.is_ok()) op->run(pool);
  if (pool) pthreadpool_destroy(pool);
  OPSCOPE_RETURN_IF_ERROR(st);
  std::vector<std::vector<uint8_t>> outputs;
  for (int id : g.node().outputs) {
    const size_t bytes = graph.tensors[id].bytes();
    outputs.emplace_back(storage[id].begin(), storage[id].begin() + bytes);
  }
  return outputs;
}

inline Status OneNodeGraph::run_xnn_op(std::vector<uint8_t>* output, int threads) const {
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<std::vector<uint8_t>> outputs,
                           run_xnn_direct(*this, threads));
  *output = std::move(outputs[0]);
  return Status::ok();
}

// Runs `g` on {"xnnpack"} and on {"cpu"}, checks that the node ran on
// XNNPACK, that the output shapes agree, and compares the outputs: f32
// with close_to_reference, other dtypes bit-exact (data movement).
inline void expect_xnn_matches_cpu(const OneNodeGraph& g, int threads = 1) {
  Result<OneNodeRun> xnn = run_session(g, {"xnnpack"}, threads);
  ASSERT_TRUE(xnn.is_ok()) << xnn.status().to_string();
  Result<OneNodeRun> cpu = run_session(g, {"cpu"});
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  EXPECT_EQ(xnn->node_backend, 0) << "the node did not run on xnnpack";
  ASSERT_EQ(xnn->outputs.size(), cpu->outputs.size());
  for (size_t i = 0; i < xnn->outputs.size(); ++i) {
    ASSERT_EQ(shape_to_string(xnn->output_shapes[i]), shape_to_string(cpu->output_shapes[i]));
    const DType dtype = g.graph().tensors[g.graph().outputs[i]].dtype;
    if (dtype == DType::kF32) {
      EXPECT_TRUE(close_to_reference(values_of<float>(xnn->outputs[i]),
                                     values_of<float>(cpu->outputs[i])));
    } else {
      EXPECT_TRUE(xnn->outputs[i] == cpu->outputs[i]) << "output " << i << " differs";
    }
  }
}

// The node is declined by XNNPACK with a reason containing `reason`, and
// runs on the cpu backend of {"xnnpack", "cpu"} instead.
inline void expect_falls_back(const OneNodeGraph& g, const std::string& reason) {
  Result<OneNodeRun> run = run_session(g, {"xnnpack", "cpu"});
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->node_backend, 1) << "the node ran on xnnpack";
  EXPECT_NE(run->fallback_reason.find("xnnpack: "), std::string::npos) << run->fallback_reason;
  EXPECT_NE(run->fallback_reason.find(reason), std::string::npos)
      << "reason '" << run->fallback_reason << "' lacks '" << reason << "'";
}

}  // namespace opscope::testing

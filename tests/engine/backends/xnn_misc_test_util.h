// Helpers of the XNNPACK elementwise / activation / pooling / resize /
// data-movement tests: a one-node graph built in code, run through
// opscope::Session on {"xnnpack"} and on {"cpu"} and compared, plus a direct
// driver of one XnnNodeOp for the int8 ops that have no reference kernel
// (the test then compares against a naive double reference of its own).
//
//   OneNodeGraph g(OpKind::kAdd, ActivationAttrs{});
//   g.add_input({1, 8, 8, 16}, random_values(1024, -2, 2, 1));
//   g.add_input({16}, random_values(16, -2, 2, 2));
//   g.add_output();
//   expect_xnn_matches_cpu(g);
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "engine/backends/xnnpack/xnn_ops.h"
#include "engine/backends/xnnpack/xnnpack_backend.h"
#include "engine/graph.h"
#include "engine/session.h"

namespace opscope::testing::xnn_misc {

template <typename T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kF32;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::kI8;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::kU8;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::kI32;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::kI64;
  else if constexpr (std::is_same_v<T, uint16_t>) return DType::kF16;
  else return DType::kBool;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

inline std::vector<float> random_values(int64_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

inline std::vector<int8_t> random_int8(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-128, 127);
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (int8_t& x : v) x = static_cast<int8_t>(dist(rng));
  return v;
}

inline Quantization per_tensor(float scale, int64_t zero_point) {
  Quantization q;
  q.scales = {scale};
  q.zero_points = {zero_point};
  return q;
}

// A graph of one node (index 0) whose runtime inputs are graph inputs and
// whose outputs are graph outputs.
class OneNodeGraph {
 public:
  explicit OneNodeGraph(OpKind op, Attributes attrs = {}) {
    Node n;
    n.op = op;
    n.type_name = std::string(to_string(op));
    n.name = "test_node";
    n.attrs = std::move(attrs);
    n.source_index = 0;
    graph_.nodes.push_back(std::move(n));
  }

  template <typename T>
  int add_input(Shape shape, const std::vector<T>& values, Quantization q = {}) {
    Tensor t;
    t.name = "in" + std::to_string(graph_.tensors.size());
    t.dtype = dtype_of<T>();
    t.shape = std::move(shape);
    t.quantization = std::move(q);
    t.role = TensorRole::kInput;
    const int id = graph_.add_tensor(std::move(t));
    graph_.inputs.push_back(id);
    values_[id] = bytes_of(values);
    node().inputs.push_back(id);
    return id;
  }

  template <typename T>
  int add_constant(Shape shape, const std::vector<T>& values, Quantization q = {}) {
    Tensor t;
    t.name = "const" + std::to_string(graph_.tensors.size());
    t.dtype = dtype_of<T>();
    t.shape = std::move(shape);
    t.quantization = std::move(q);
    t.role = TensorRole::kConstant;
    t.set_owned_data(bytes_of(values));
    const int id = graph_.add_tensor(std::move(t));
    node().inputs.push_back(id);
    return id;
  }

  void add_absent_input() { node().inputs.push_back(-1); }

  // `shape` is only needed by run_xnn_direct (a session resolves it).
  int add_output(DType dtype = DType::kF32, Quantization q = {}, Shape shape = {}) {
    Tensor t;
    t.name = "out" + std::to_string(graph_.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.quantization = std::move(q);
    t.role = TensorRole::kOutput;
    const int id = graph_.add_tensor(std::move(t));
    graph_.outputs.push_back(id);
    node().outputs.push_back(id);
    return id;
  }

  const Graph& graph() const { return graph_; }
  Graph& graph() { return graph_; }
  const std::map<int, std::vector<uint8_t>>& values() const { return values_; }

 private:
  Node& node() { return graph_.nodes[0]; }
  Graph graph_;
  std::map<int, std::vector<uint8_t>> values_;
};

// What a session run of a OneNodeGraph produced.
struct OneNodeRun {
  int node_backend = -1;        // index into the backend list
  std::string fallback_reason;  // why earlier backends declined
  std::vector<Shape> output_shapes;
  std::vector<std::vector<uint8_t>> outputs;  // bytes of each graph output
};

inline Result<OneNodeRun> run_session(const OneNodeGraph& g,
                                      const std::vector<std::string>& backends,
                                      int threads = 1) {
  auto model = std::make_shared<Model>();
  model->graph = g.graph();
  model->info.name = "one_node";
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
  run.fallback_reason = session->partition_plan().fallback_reason[0];
  for (int i = 0; i < session->num_outputs(); ++i) {
    const Tensor& t = session->output_tensor(i);
    run.output_shapes.push_back(t.shape);
    const auto* p = static_cast<const uint8_t*>(session->output_data(i));
    run.outputs.emplace_back(p, p + t.bytes());
  }
  return run;
}

template <typename T>
std::vector<T> as_vector(const std::vector<uint8_t>& bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

// f32: max |xnn - ref| <= 1e-4 * max|ref| + 1e-5 (NaN/inf must match).
inline void expect_f32_close(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  double max_ref = 0.0;
  for (float w : want) {
    if (std::isfinite(w)) max_ref = std::max(max_ref, std::fabs(static_cast<double>(w)));
  }
  const double tol = 1e-4 * max_ref + 1e-5;
  double max_err = 0.0;
  size_t worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(want[i]) || !std::isfinite(got[i])) {
      ASSERT_TRUE(std::isnan(want[i]) ? std::isnan(got[i]) : got[i] == want[i])
          << "element " << i << ": got " << got[i] << ", want " << want[i];
      continue;
    }
    const double err = std::fabs(static_cast<double>(got[i]) - static_cast<double>(want[i]));
    if (err > max_err) {
      max_err = err;
      worst = i;
    }
  }
  EXPECT_LE(max_err, tol) << "worst element " << worst << ": got " << got[worst] << ", want "
                          << want[worst] << " (max|ref| " << max_ref << ")";
}

// Runs `g` on {"xnnpack"} and on {"cpu"}, checks that the node ran on
// XNNPACK, that the output shapes agree, and compares the outputs: f32
// within the tolerance above, other dtypes bit-exact (data movement).
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
      expect_f32_close(as_vector<float>(xnn->outputs[i]), as_vector<float>(cpu->outputs[i]));
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

// XNNPACK must be initialized before an operator is created directly.
inline void ensure_xnnpack_initialized() {
  static const bool ok = xnnpack::create_xnnpack_backend(BackendConfig{}).is_ok();
  ASSERT_TRUE(ok) << "XNNPACK failed to initialize";
}

// The XNNPACK op table's support check for node 0, with its reason.
inline bool xnn_supports(const OneNodeGraph& g, std::string* why) {
  const xnnpack::XnnOpEntry* entry = xnnpack::find_xnn_op(g.graph().nodes[0].op);
  if (!entry) {
    *why = "no entry";
    return false;
  }
  return entry->supports(g.graph(), g.graph().nodes[0], why);
}

// Runs node 0 through its XnnNodeOp directly (support check, create, setup,
// run), without a session: for int8 ops that have no reference kernel to
// resolve shapes, so every output's shape must be set in the graph. Returns
// the output bytes. Buffers get 64 bytes of slack, as a session's do.
inline Result<std::vector<std::vector<uint8_t>>> run_xnn_direct(const OneNodeGraph& g) {
  if (!xnnpack::create_xnnpack_backend(BackendConfig{}).is_ok()) {
    return Status(ErrorCode::kBackendError, "XNNPACK failed to initialize");
  }
  const Graph& graph = g.graph();
  std::string why;
  if (!xnn_supports(g, &why)) return Status(ErrorCode::kUnsupportedOp, why);
  const xnnpack::XnnOpEntry* entry = xnnpack::find_xnn_op(graph.nodes[0].op);
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
  OPSCOPE_RETURN_IF_ERROR(op->setup(graph, buffers.data(), nullptr));
  op->run(nullptr);
  std::vector<std::vector<uint8_t>> outputs;
  for (int id : graph.nodes[0].outputs) {
    const size_t bytes = graph.tensors[id].bytes();
    outputs.emplace_back(storage[id].begin(), storage[id].begin() + bytes);
  }
  return outputs;
}

// TFLite's int8 requantization of a real value: round half away from zero,
// then clamp.
inline int quantize_int8(double real, float scale, int64_t zero_point, int lo = -128,
                         int hi = 127) {
  const double q = std::round(real / scale) + static_cast<double>(zero_point);
  return static_cast<int>(std::clamp(q, static_cast<double>(lo), static_cast<double>(hi)));
}

// Every int8 output within 1 LSB of the naive reference.
inline void expect_int8_within_1(const std::vector<int8_t>& got, const std::vector<int>& want) {
  ASSERT_EQ(got.size(), want.size());
  int max_diff = 0;
  size_t worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const int d = std::abs(static_cast<int>(got[i]) - want[i]);
    if (d > max_diff) {
      max_diff = d;
      worst = i;
    }
  }
  EXPECT_LE(max_diff, 1) << "element " << worst << ": got " << static_cast<int>(got[worst])
                         << ", want " << want[worst];
}

}  // namespace opscope::testing::xnn_misc

// One-node graphs for the XNNPACK backend's op tests.
//
//   OneNodeGraph m(OpKind::kConv2D, Conv2DAttrs{...});
//   m.add_input({1, 8, 8, 3}, input);          // a graph input
//   m.add_constant({16, 3, 3, 3}, filter);     // a constant
//   m.add_output();
//   SessionRun x = m.run({"xnnpack"});          // through opscope::Session
//   SessionRun r = m.run({"cpu"});
//   EXPECT_EQ(x.node_backend, "xnnpack");
//
// run_xnn_op() drives one XNNPACK op (support check, factory, setup, run)
// without a Session, for the int8 ops whose reference kernels (which the
// backend's compile() uses to resolve shapes) do not exist yet: the test
// states the output shape.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/backends/xnnpack/xnn_ops.h"
#include "engine/backends/xnnpack/xnnpack_backend.h"
#include "engine/graph.h"
#include "engine/session.h"

namespace opscope::testing {

template <typename T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kF32;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::kI8;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::kU8;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::kI32;
  else return DType::kI64;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <typename T>
std::vector<T> values_of(const std::vector<uint8_t>& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

inline Quantization per_tensor(float scale, int64_t zero_point) {
  Quantization q;
  q.scales = {scale};
  q.zero_points = {zero_point};
  return q;
}

inline Quantization per_channel(std::vector<float> scales, int axis) {
  Quantization q;
  q.zero_points.assign(scales.size(), 0);
  q.scales = std::move(scales);
  q.axis = axis;
  return q;
}

// What one Session run produced.
struct SessionRun {
  Status status = Status::ok();
  std::string node_backend;  // the backend node 0 ran on
  Shape shape;               // output 0
  std::vector<uint8_t> output;
};

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
    values_[id] = bytes_of(values);
    graph_.inputs.push_back(id);
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

  // The output; its shape is set by the reference kernel's prepare (Session)
  // or given here (run_xnn_op).
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

  Graph& graph() { return graph_; }
  const Node& node() const { return graph_.nodes[0]; }
  Node& node() { return graph_.nodes[0]; }

  // The XNNPACK op table's support check and reason for node 0: what the
  // operator itself can take. (The backend's supports() also requires a
  // reference kernel for shape inference, which int8 ops lack for now.)
  bool xnn_supports(std::string* why) const {
    const xnnpack::XnnOpEntry* entry = xnnpack::find_xnn_op(node().op);
    if (!entry) {
      if (why) *why = "no XNNPACK entry";
      return false;
    }
    return entry->supports(graph_, node(), why);
  }

  // Runs the graph through a Session on `backends` (priority list).
  SessionRun run(const std::vector<std::string>& backends, int threads = 1) const {
    SessionRun r;
    auto model = std::make_shared<Model>();
    model->graph = graph_;
    model->info.name = "one_node";
    r.status = validate_graph(model->graph);
    if (!r.status.is_ok()) return r;
    SessionOptions options;
    options.backends = backends;
    options.threads = threads;
    auto created = Session::create(model, options);
    if (!created.is_ok()) {
      r.status = created.status();
      return r;
    }
    std::unique_ptr<Session> session = std::move(created).value();
    for (int i = 0; i < session->num_inputs(); ++i) {
      const std::vector<uint8_t>& v = values_.at(graph_.inputs[i]);
      std::memcpy(session->input_data(i), v.data(), v.size());
    }
    r.status = session->invoke();
    const int b = session->partition_plan().node_backend[0];
    r.node_backend = b >= 0 ? session->backend_names()[b] : "";
    const Tensor& out = session->output_tensor(0);
    r.shape = out.shape;
    r.output.resize(out.bytes());
    if (!r.output.empty()) std::memcpy(r.output.data(), session->output_data(0), out.bytes());
    return r;
  }

  // One XNNPACK op without a Session: support check, factory, setup against
  // buffers with the session's 64 bytes of tail slack, run. The output's
  // shape must have been given to add_output().
  Status run_xnn_op(std::vector<uint8_t>* output, int threads = 1) {
    auto backend = xnnpack::create_xnnpack_backend(BackendConfig{});  // initializes XNNPACK
    if (!backend.is_ok()) return backend.status();
    std::string why;
    if (!xnn_supports(&why)) {
      return Status(ErrorCode::kUnsupportedOp, "not supported: " + why);
    }
    const xnnpack::XnnOpEntry* entry = xnnpack::find_xnn_op(node().op);
    auto created = entry->create(graph_, 0);
    if (!created.is_ok()) return created.status();
    std::unique_ptr<xnnpack::XnnNodeOp> op = std::move(created).value();
    std::vector<std::vector<uint8_t>> storage(graph_.tensors.size());
    std::vector<void*> buffers(graph_.tensors.size(), nullptr);
    for (size_t id = 0; id < graph_.tensors.size(); ++id) {
      const Tensor& t = graph_.tensors[id];
      if (t.is_constant()) {
        buffers[id] = const_cast<uint8_t*>(t.data);
        continue;
      }
      storage[id].assign(t.bytes() + 64, 0);
      auto it = values_.find(static_cast<int>(id));
      if (it != values_.end() && !it->second.empty()) {
        std::memcpy(storage[id].data(), it->second.data(), it->second.size());
      }
      buffers[id] = storage[id].data();
    }
    pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
    Status st = op->setup(graph_, buffers.data(), pool);
    if (st.is_ok()) op->run(pool);
    if (pool) pthreadpool_destroy(pool);
    if (!st.is_ok()) return st;
    const Tensor& out = graph_.tensors[node().outputs[0]];
    output->assign(storage[node().outputs[0]].begin(),
                   storage[node().outputs[0]].begin() + out.bytes());
    return Status::ok();
  }

 private:
  Graph graph_;
  std::map<int, std::vector<uint8_t>> values_;
};

// Seeded uniform values.
inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

template <typename T>
std::vector<T> random_ints(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

// max |a - b| <= 1e-4 * max |ref| + 1e-5, with a message naming the worst.
inline ::testing::AssertionResult close_to_reference(const std::vector<float>& got,
                                                     const std::vector<float>& ref) {
  if (got.size() != ref.size()) {
    return ::testing::AssertionFailure()
           << "size " << got.size() << " vs reference " << ref.size();
  }
  double max_ref = 0.0, max_err = 0.0;
  size_t worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(ref[i])));
    const double err = std::fabs(static_cast<double>(got[i]) - ref[i]);
    if (!(err <= max_err)) {  // also catches NaN
      max_err = err;
      worst = i;
    }
  }
  const double tol = 1e-4 * max_ref + 1e-5;
  if (max_err <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "max abs error " << max_err << " > " << tol << " at " << worst << ": got "
         << got[worst] << ", reference " << ref[worst];
}

// Every value within `lsb` of the reference.
inline ::testing::AssertionResult within_lsb(const std::vector<int8_t>& got,
                                             const std::vector<int8_t>& ref, int lsb = 1) {
  if (got.size() != ref.size()) {
    return ::testing::AssertionFailure()
           << "size " << got.size() << " vs reference " << ref.size();
  }
  for (size_t i = 0; i < ref.size(); ++i) {
    if (std::abs(int{got[i]} - int{ref[i]}) > lsb) {
      return ::testing::AssertionFailure()
             << "at " << i << ": got " << int{got[i]} << ", reference " << int{ref[i]};
    }
  }
  return ::testing::AssertionSuccess();
}

// TFLite int8 requantization: zp + round_half_away_from_zero(acc * m),
// saturated to [lo, hi].
inline int8_t requantize(double acc, double multiplier, int32_t zero_point, int lo = -128,
                         int hi = 127) {
  const double v = std::round(acc * multiplier) + zero_point;
  return static_cast<int8_t>(std::min<double>(hi, std::max<double>(lo, v)));
}

// TFLite's quantized clamp of a fused activation.
inline void quantized_activation(Activation a, float scale, int32_t zp, int* lo, int* hi) {
  auto q = [&](double v) { return zp + static_cast<int>(std::round(v / scale)); };
  *lo = -128;
  *hi = 127;
  if (a == Activation::kRelu || a == Activation::kRelu6) *lo = std::max(*lo, q(0.0));
  if (a == Activation::kRelu6) *hi = std::min(*hi, q(6.0));
  if (a == Activation::kReluN1To1) {
    *lo = std::max(*lo, q(-1.0));
    *hi = std::min(*hi, q(1.0));
  }
}

}  // namespace opscope::testing

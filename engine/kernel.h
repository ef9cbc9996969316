// The kernel contract of the reference backend (and the shape of every
// per-node kernel a backend uses).
//
// Life cycle, per session:
//   prepare(ctx)  once, nodes in topological order, after the shapes of the
//                 node's inputs are final. Checks dtypes and quantization,
//                 sets the output shapes (and dtypes), reads constant
//                 parameters, precomputes what run() needs (packed weights,
//                 multipliers) and states its scratch bytes.
//   run(ctx)      every invoke. Never allocates, never computes shapes, and
//                 fails only where the input *values* make the op undefined
//                 (GATHER's index out of range, with indices computed at run
//                 time): it reports that with ctx.fail() and returns. Every
//                 other failure is checked in prepare().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope {

class Profiler;  // engine/profiling.h

class PrepareContext {
 public:
  PrepareContext(Graph& graph, int node_index)
      : graph_(graph), node_index_(node_index) {}

  Graph& graph() { return graph_; }
  // The backends a control-flow node's bodies run on (BackendConfig).
  const std::vector<std::string>& body_backends() const { return *body_backends_; }
  void set_body_backends(const std::vector<std::string>* backends) {
    if (backends != nullptr) body_backends_ = backends;
  }
  const Node& node() const { return graph_.nodes[node_index_]; }
  int node_index() const { return node_index_; }

  int num_inputs() const { return static_cast<int>(node().inputs.size()); }
  int num_outputs() const { return static_cast<int>(node().outputs.size()); }
  bool has_input(int i) const {
    return i < num_inputs() && node().inputs[i] >= 0;
  }
  int input_id(int i) const { return node().inputs[i]; }
  int output_id(int i) const { return node().outputs[i]; }
  Tensor& input(int i) { return graph_.tensors[node().inputs[i]]; }
  Tensor& output(int i) { return graph_.tensors[node().outputs[i]]; }

  // An error whose message names this node: "node 3 'x' (CONV_2D): reason".
  Status error(ErrorCode code, const std::string& reason) const;
  // Checks the input count is within [min, max].
  Status expect_inputs(int min, int max) const;
  // Checks that input i exists and has the given dtype.
  Status expect_input_dtype(int i, DType dtype);
  // Checks that input i exists and is a constant tensor.
  Status expect_constant_input(int i);
  // Checks that input i has the given rank.
  Status expect_input_rank(int i, int rank);

  // Bytes of per-invoke scratch this node needs; 64-byte aligned at run.
  void set_scratch_bytes(size_t bytes) { scratch_bytes_ = bytes; }
  size_t scratch_bytes() const { return scratch_bytes_; }

 private:
  Graph& graph_;
  int node_index_;
  size_t scratch_bytes_ = 0;
  static inline const std::vector<std::string> kReferenceOnly = {"cpu"};
  const std::vector<std::string>* body_backends_ = &kReferenceOnly;
};

struct RunContext {
  // Data of every tensor, indexed by tensor id: arena slots, pinned
  // input/output buffers, or constant data (do not write those).
  void* const* buffers = nullptr;
  // This node's scratch (prepare's set_scratch_bytes), or nullptr.
  void* scratch = nullptr;
  // Where fail() records a run-time failure; set by the caller (the
  // backend), nullptr where nobody listens (the ONNX importer's constant
  // folding, whose constant inputs prepare() has already checked).
  Status* failure = nullptr;
  // The profiler of the graph this node is in (null when none listens): a
  // control-flow kernel reports the ops of its bodies through it
  // (control_flow.h).
  Profiler* profiler = nullptr;

  // Records a failure found by run() for the caller, which stops the invoke
  // there and returns it from Session::invoke(). The message names the node
  // (kernels that can fail keep PrepareContext::error's wording from
  // prepare). Only the failing path builds strings. The kernel still leaves
  // its outputs fully written (zeros), so nothing reads uninitialized bytes.
  void fail(Status status) const {
    if (failure != nullptr && failure->is_ok()) *failure = std::move(status);
  }

  template <typename T>
  T* data(int tensor_id) const {
    return static_cast<T*>(buffers[tensor_id]);
  }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status prepare(PrepareContext& ctx) = 0;
  virtual void run(const RunContext& ctx) = 0;
};

using KernelFactory = std::unique_ptr<Kernel> (*)();

}  // namespace opscope

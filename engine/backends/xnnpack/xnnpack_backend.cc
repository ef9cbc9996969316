#include "engine/backends/xnnpack/xnnpack_backend.h"

#include <pthreadpool.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/backends/xnnpack/xnn_ops.h"
#include "engine/shape_inference.h"

namespace opscope::xnnpack {
namespace {

xnn_status initialize_once() {
  static std::once_flag flag;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(flag, [] { status = xnn_initialize(/*allocator=*/nullptr); });
  return status;
}

// One pthreadpool per session, shared by every operator of every partition.
// Null for one thread: XNNPACK then runs on the calling thread.
struct ThreadPool {
  explicit ThreadPool(int threads)
      : pool(threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr) {}
  ~ThreadPool() {
    if (pool) pthreadpool_destroy(pool);
  }
  pthreadpool_t pool;
};

class XnnpackPartition final : public CompiledPartition {
 public:
  XnnpackPartition(const Graph& graph, std::vector<std::unique_ptr<XnnNodeOp>> ops,
                   std::shared_ptr<ThreadPool> pool, int backend_id)
      : graph_(graph), ops_(std::move(ops)), pool_(std::move(pool)),
        backend_id_(backend_id) {}

  size_t scratch_bytes(int) const override { return 0; }

  Status bind(void* const* buffers, void* const*) override {
    for (auto& op : ops_) {
      OPSCOPE_RETURN_IF_ERROR(op->setup(graph_, buffers, pool_->pool));
    }
    return Status::ok();
  }

  Status execute(void* const*, void* const*, Profiler* profiler) override {
    for (auto& op : ops_) {
      xnn_status st;
      {
        ScopedOpProfile scope(profiler, op->node(), backend_id_);
        st = op->run(pool_->pool);
      }
      if (st != xnn_status_success) {
        return xnn_error(graph_, op->node(), "xnn_run_operator", st);
      }
    }
    return Status::ok();
  }

 private:
  const Graph& graph_;  // the session's graph; outlives the partition
  std::vector<std::unique_ptr<XnnNodeOp>> ops_;
  std::shared_ptr<ThreadPool> pool_;
  int backend_id_;
};

class XnnpackBackend final : public Backend {
 public:
  explicit XnnpackBackend(const BackendConfig& config)
      : pool_(std::make_shared<ThreadPool>(config.threads)) {}

  std::string_view name() const override { return "xnnpack"; }

  bool supports(const Graph& graph, int node_index, std::string* why_not) const override {
    const Node& node = graph.nodes[node_index];
    const XnnOpEntry* entry = find_xnn_op(node.op);
    if (!entry) {
      if (why_not) *why_not = "XNNPACK backend does not implement " + std::string(to_string(node.op));
      return false;
    }
    // An int8 op made by QDQ fusion rounds as ONNX Runtime does (graph.h):
    // XNNPACK's own requantization differs (by up to 9 steps on
    // mobilenet_v2 QDQ), so the native or reference kernels take it. A max
    // pool only moves values.
    if (is_float_requantization(node.requantization) && node.op != OpKind::kMaxPool2D) {
      if (why_not) {
        *why_not = "an int8 op from QDQ fusion rounds as ONNX Runtime does, which XNNPACK's "
                   "requantization does not";
      }
      return false;
    }
    return entry->supports(graph, node, why_not);
  }

  Result<std::unique_ptr<CompiledPartition>> compile(Graph& graph, const std::vector<int>& nodes,
                                                     int backend_id) override {
    std::vector<std::unique_ptr<XnnNodeOp>> ops;
    for (int node : nodes) {
      // Shapes come from the engine's shape inference (the rules the
      // reference kernels follow too); what XNNPACK needs beyond them the op
      // entry checked in supports() and checks again in its factory.
      OPSCOPE_RETURN_IF_ERROR(infer_shapes(graph, node));
      const XnnOpEntry* entry = find_xnn_op(graph.nodes[node].op);
      if (entry == nullptr) {
        return Status(ErrorCode::kUnsupportedOp,
                      describe_node(graph, node) + ": XNNPACK backend does not implement " +
                          std::string(to_string(graph.nodes[node].op)));
      }
      OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<XnnNodeOp> op, entry->create(graph, node));
      ops.push_back(std::move(op));
    }
    return std::unique_ptr<CompiledPartition>(
        new XnnpackPartition(graph, std::move(ops), pool_, backend_id));
  }

 private:
  std::shared_ptr<ThreadPool> pool_;
};

}  // namespace

Result<std::unique_ptr<Backend>> create_xnnpack_backend(const BackendConfig& config) {
  const xnn_status st = initialize_once();
  if (st != xnn_status_success) {
    return Status(ErrorCode::kBackendError,
                  std::string("xnn_initialize failed: ") + to_string(st));
  }
  return std::unique_ptr<Backend>(new XnnpackBackend(config));
}

}  // namespace opscope::xnnpack

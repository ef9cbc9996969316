#include "engine/backends/native/native_backend.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/backends/kernel_partition.h"
#include "engine/backends/native/native_env.h"
#include "engine/backends/native/native_kernel_table.h"

#if OPSCOPE_WITH_XNNPACK
#include <pthreadpool.h>
#endif

namespace opscope::native {
namespace {

// The backend's own pthreadpool (one per session, as the XNNPACK
// backend's), or none for one thread or a build without pthreadpool.
struct ThreadPool {
  explicit ThreadPool(int threads) {
#if OPSCOPE_WITH_XNNPACK
    if (threads > 1) pool = pthreadpool_create(static_cast<size_t>(threads));
#else
    (void)threads;
#endif
  }
  ~ThreadPool() {
#if OPSCOPE_WITH_XNNPACK
    if (pool) pthreadpool_destroy(static_cast<pthreadpool_t>(pool));
#endif
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  void* pool = nullptr;
};

class NativeBackend final : public Backend {
 public:
  explicit NativeBackend(const BackendConfig& config) : threads_(config.threads) {
    env_.isa = selected_isa();
  }

  std::string_view name() const override { return "native"; }

  bool supports(const Graph& graph, int node_index, std::string* why_not) const override {
    const Node& node = graph.nodes[node_index];
    const NativeKernelEntry* entry = find_native_kernel(node.op);
    if (entry == nullptr) {
      if (why_not) *why_not = "native has no kernel for " + std::string(to_string(node.op));
      return false;
    }
    return entry->supports(graph, node, why_not);
  }

  Result<std::unique_ptr<CompiledPartition>> compile(Graph& graph, const std::vector<int>& nodes,
                                                     int backend_id) override {
    // The pool is made with the first partition: a session whose nodes all
    // go elsewhere (a float model) starts no threads for native.
    if (!pool_) {
      pool_ = std::make_shared<ThreadPool>(threads_);
      env_.threadpool = pool_->pool;
      env_.threads = pool_->pool != nullptr ? threads_ : 1;
    }
    std::vector<KernelPartition::Step> steps;
    steps.reserve(nodes.size());
    for (int node : nodes) {
      const NativeKernelEntry* entry = find_native_kernel(graph.nodes[node].op);
      if (entry == nullptr) {
        return Status(ErrorCode::kUnsupportedOp,
                      describe_node(graph, node) + ": native has no kernel for it");
      }
      KernelPartition::Step step;
      step.node = node;
      step.kernel = entry->make(env_);
      PrepareContext ctx(graph, node);
      OPSCOPE_RETURN_IF_ERROR(step.kernel->prepare(ctx));
      step.scratch_bytes = ctx.scratch_bytes();
      steps.push_back(std::move(step));
    }
    // The partition keeps the pool alive while its kernels use it.
    return std::unique_ptr<CompiledPartition>(
        new KernelPartition(std::move(steps), backend_id, pool_));
  }

 private:
  int threads_ = 1;
  std::shared_ptr<ThreadPool> pool_;  // made by the first compile()
  NativeEnv env_;
};

}  // namespace

std::unique_ptr<Backend> create_native_backend(const BackendConfig& config) {
  return std::make_unique<NativeBackend>(config);
}

}  // namespace opscope::native

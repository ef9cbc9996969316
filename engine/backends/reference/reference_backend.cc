#include "engine/backends/reference/reference_backend.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/backends/reference/kernel_registry.h"

namespace opscope::reference {
namespace {

class ReferencePartition final : public CompiledPartition {
 public:
  struct Step {
    int node = 0;
    std::unique_ptr<Kernel> kernel;
    size_t scratch_bytes = 0;
  };

  ReferencePartition(std::vector<Step> steps, int backend_id)
      : steps_(std::move(steps)), backend_id_(backend_id) {}

  size_t scratch_bytes(int node_index) const override {
    for (const Step& s : steps_) {
      if (s.node == node_index) return s.scratch_bytes;
    }
    return 0;
  }

  Status execute(void* const* buffers, void* const* node_scratch,
                 Profiler* profiler) override {
    Status failure;
    RunContext ctx;
    ctx.buffers = buffers;
    ctx.failure = &failure;
    for (Step& s : steps_) {
      ctx.scratch = node_scratch[s.node];
      ScopedOpProfile op(profiler, s.node, backend_id_);
      s.kernel->run(ctx);
      // Later nodes would only compute from the failed node's zeros.
      if (!failure.is_ok()) return failure;
    }
    return Status::ok();
  }

 private:
  std::vector<Step> steps_;
  int backend_id_;
};

class ReferenceBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu"; }

  bool supports(const Graph& graph, int node_index,
                std::string* why_not) const override {
    return find_kernel(graph, graph.nodes[node_index], why_not) != nullptr;
  }

  Result<std::unique_ptr<CompiledPartition>> compile(
      Graph& graph, const std::vector<int>& nodes, int backend_id) override {
    std::vector<ReferencePartition::Step> steps;
    steps.reserve(nodes.size());
    for (int node : nodes) {
      ReferencePartition::Step step;
      step.node = node;
      OPSCOPE_ASSIGN_OR_RETURN(step.kernel,
                               prepare_kernel(graph, node, &step.scratch_bytes));
      steps.push_back(std::move(step));
    }
    return std::unique_ptr<CompiledPartition>(
        new ReferencePartition(std::move(steps), backend_id));
  }
};

}  // namespace

std::unique_ptr<Backend> create_reference_backend(const BackendConfig&) {
  return std::make_unique<ReferenceBackend>();
}

}  // namespace opscope::reference

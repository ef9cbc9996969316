#include "engine/backends/reference/reference_backend.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/backends/kernel_partition.h"
#include "engine/backends/reference/kernel_registry.h"

namespace opscope::reference {
namespace {

class ReferenceBackend final : public Backend {
 public:
  explicit ReferenceBackend(std::vector<std::string> body_backends)
      : body_backends_(std::move(body_backends)) {}

  std::string_view name() const override { return "cpu"; }

  bool supports(const Graph& graph, int node_index,
                std::string* why_not) const override {
    return find_kernel(graph, graph.nodes[node_index], why_not) != nullptr;
  }

  Result<std::unique_ptr<CompiledPartition>> compile(
      Graph& graph, const std::vector<int>& nodes, int backend_id) override {
    std::vector<KernelPartition::Step> steps;
    steps.reserve(nodes.size());
    for (int node : nodes) {
      KernelPartition::Step step;
      step.node = node;
      OPSCOPE_ASSIGN_OR_RETURN(step.kernel,
                               prepare_kernel(graph, node, &step.scratch_bytes, &body_backends_));
      steps.push_back(std::move(step));
    }
    return std::unique_ptr<CompiledPartition>(
        new KernelPartition(std::move(steps), backend_id));
  }

 private:
  std::vector<std::string> body_backends_;
};

}  // namespace

std::unique_ptr<Backend> create_reference_backend(const BackendConfig& config) {
  return std::make_unique<ReferenceBackend>(config.body_backends);
}

}  // namespace opscope::reference

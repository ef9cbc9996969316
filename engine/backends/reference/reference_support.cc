#include "engine/reference_support.h"

#include <cstddef>
#include <memory>

#include "engine/backends/reference/kernel_registry.h"

namespace opscope {

bool reference_supports(const Graph& graph, int node_index, std::string* why_not) {
  return reference::find_kernel(graph, graph.nodes[node_index], why_not) != nullptr;
}

namespace reference {

Result<std::unique_ptr<Kernel>> prepare_kernel(Graph& graph, int node_index,
                                               size_t* scratch_bytes,
                                               const std::vector<std::string>* body_backends) {
  std::string why;
  KernelFactory factory = find_kernel(graph, graph.nodes[node_index], &why);
  if (factory == nullptr) {
    return Status(ErrorCode::kUnsupportedOp, describe_node(graph, node_index) + ": " + why);
  }
  std::unique_ptr<Kernel> kernel = factory();
  PrepareContext ctx(graph, node_index);
  ctx.set_body_backends(body_backends);
  OPSCOPE_RETURN_IF_ERROR(kernel->prepare(ctx));
  *scratch_bytes = ctx.scratch_bytes();
  return kernel;
}

}  // namespace reference
}  // namespace opscope

#include "engine/transforms/fold_constants.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/backends/reference/kernel_registry.h"
#include "engine/kernel.h"
#include "engine/macs.h"

namespace opscope {

bool can_fold(const Graph& graph, int node_index, const FoldLimits& limits) {
  const Node& node = graph.nodes[node_index];
  for (int id : node.inputs) {
    if (id >= 0 && !graph.tensors[id].is_constant()) return false;
  }
  for (int id : node.outputs) {
    const Tensor& t = graph.tensors[id];
    const int64_t limit = limits.max_output_bytes / static_cast<int64_t>(dtype_size(t.dtype));
    int64_t n = 1;
    for (int64_t d : t.shape) {
      if (d < 0 || (d > 0 && n > limit / d)) return false;
      n *= d;
    }
    if (n > limit) return false;
  }
  return node_macs(graph, node) <= limits.max_macs;
}

Status fold_node(Graph& graph, int node_index) {
  size_t scratch_bytes = 0;
  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel,
                           reference::prepare_kernel(graph, node_index, &scratch_bytes));

  const Node& node = graph.nodes[node_index];
  std::vector<void*> buffers(graph.tensors.size(), nullptr);
  for (int id : node.inputs) {
    if (id >= 0) buffers[id] = const_cast<uint8_t*>(graph.tensors[id].data);
  }
  // 64 bytes of slack past each buffer, as the session's buffers have.
  std::vector<std::vector<uint8_t>> out_bytes;
  for (int id : node.outputs) {
    out_bytes.emplace_back(graph.tensors[id].bytes() + 64);
    buffers[id] = out_bytes.back().data();
  }
  std::vector<uint8_t> scratch(scratch_bytes + 64);
  Status failure;
  RunContext run;
  run.buffers = buffers.data();
  run.scratch = scratch.data();
  run.failure = &failure;
  kernel->run(run);
  OPSCOPE_RETURN_IF_ERROR(failure);
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    Tensor& t = graph.tensors[node.outputs[k]];
    out_bytes[k].resize(t.bytes());
    t.role = TensorRole::kConstant;
    t.set_owned_data(std::move(out_bytes[k]));
  }
  graph.nodes.erase(graph.nodes.begin() + node_index);
  return Status::ok();
}

}  // namespace opscope

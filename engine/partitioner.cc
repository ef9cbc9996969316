#include "engine/partitioner.h"

namespace opscope {

PartitionPlan plan_partitions(const Graph& graph,
                              const std::vector<Backend*>& backends) {
  PartitionPlan plan;
  const int n = static_cast<int>(graph.nodes.size());
  plan.node_backend.assign(n, -1);
  for (int i = 0; i < n; ++i) {
    std::string reasons;
    for (int b = 0; b < static_cast<int>(backends.size()); ++b) {
      std::string why;
      if (backends[b]->supports(graph, i, &why)) {
        plan.node_backend[i] = b;
        break;
      }
      if (!reasons.empty()) reasons += "; ";
      reasons += std::string(backends[b]->name()) + ": " + why;
    }
    if (plan.node_backend[i] < 0) {
      plan.unsupported.push_back({i, reasons});
      continue;
    }
    if (plan.partitions.empty() ||
        plan.partitions.back().backend_id != plan.node_backend[i]) {
      plan.partitions.push_back({plan.node_backend[i], {}});
    }
    plan.partitions.back().nodes.push_back(i);
  }
  return plan;
}

}  // namespace opscope

#include "engine/partitioner.h"

namespace opscope {
namespace {

// The first backend at or after `from` that supports node i; appends the
// reasons of those that decline to `reasons`.
int first_supporting(const Graph& graph, const std::vector<Backend*>& backends,
                     int node, int from, std::string& reasons) {
  for (int b = from; b < static_cast<int>(backends.size()); ++b) {
    std::string why;
    if (backends[b]->supports(graph, node, &why)) return b;
    if (!reasons.empty()) reasons += "; ";
    reasons += std::string(backends[b]->name()) + ": " + why;
  }
  return -1;
}

}  // namespace

PartitionPlan plan_partitions(const Graph& graph, const std::vector<Backend*>& backends,
                              const PartitionOptions& options) {
  PartitionPlan plan;
  const int n = static_cast<int>(graph.nodes.size());
  const int last_backend = static_cast<int>(backends.size()) - 1;
  plan.node_backend.assign(n, -1);
  plan.fallback_reason.assign(n, "");
  for (int i = 0; i < n; ++i) {
    plan.node_backend[i] = first_supporting(graph, backends, i, 0, plan.fallback_reason[i]);
  }

  // Hand runs shorter than the minimum down the list, until none is left.
  for (bool changed = options.min_partition_size > 1; changed;) {
    changed = false;
    for (int start = 0; start < n;) {
      const int b = plan.node_backend[start];
      int end = start;
      while (end < n && plan.node_backend[end] == b) ++end;
      if (b >= 0 && b < last_backend && end - start < options.min_partition_size) {
        for (int i = start; i < end; ++i) {
          std::string& reasons = plan.fallback_reason[i];
          if (!reasons.empty()) reasons += "; ";
          reasons += std::string(backends[b]->name()) + ": partition of " +
                     std::to_string(end - start) + " node(s) is below the minimum size " +
                     std::to_string(options.min_partition_size);
          plan.node_backend[i] = first_supporting(graph, backends, i, b + 1, reasons);
        }
        changed = true;
      }
      start = end;
    }
  }

  for (int i = 0; i < n; ++i) {
    const int b = plan.node_backend[i];
    if (b < 0) {
      plan.unsupported.push_back({i, plan.fallback_reason[i]});
      continue;
    }
    if (plan.partitions.empty() || plan.partitions.back().backend_id != b) {
      plan.partitions.push_back({b, {}});
    }
    plan.partitions.back().nodes.push_back(i);
  }
  return plan;
}

}  // namespace opscope

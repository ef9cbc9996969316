// Assigns every node to a backend and cuts the graph into partitions.
//
// Walks the user's backend priority list: each node goes to the first backend
// that supports it; consecutive nodes (in execution order) with the same
// backend form one partition. A partition of a backend other than the last
// that is shorter than `min_partition_size` nodes is handed down the list
// (a tiny delegated island costs more at its borders than it saves).
// Nodes no backend supports are listed with every backend's reason; nodes
// that fell to a later backend keep the reasons of those that declined.
#pragma once

#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/graph.h"

namespace opscope {

struct Partition {
  int backend_id = 0;
  std::vector<int> nodes;  // graph node indices, execution order
};

struct UnsupportedNode {
  int node = 0;
  std::string reason;  // "cpu: ...; xnnpack: ..."
};

struct PartitionPlan {
  std::vector<int> node_backend;  // backend id per node, -1 if unsupported
  // Per node: why earlier backends in the list declined it ("" if none did).
  std::vector<std::string> fallback_reason;
  std::vector<Partition> partitions;
  std::vector<UnsupportedNode> unsupported;
};

struct PartitionOptions {
  int min_partition_size = 1;
};

PartitionPlan plan_partitions(const Graph& graph,
                              const std::vector<Backend*>& backends,
                              const PartitionOptions& options = {});

}  // namespace opscope

// Assigns every node to a backend and cuts the graph into partitions.
//
// Walks the user's backend priority list: each node goes to the first backend
// that supports it; consecutive nodes (in execution order) with the same
// backend form one partition. Nodes no backend supports are listed with every
// backend's reason.
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
  std::vector<Partition> partitions;
  std::vector<UnsupportedNode> unsupported;
};

PartitionPlan plan_partitions(const Graph& graph,
                              const std::vector<Backend*>& backends);

}  // namespace opscope

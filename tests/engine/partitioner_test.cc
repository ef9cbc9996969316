// plan_partitions: placement by the priority list, partition cutting, the
// reasons kept for declined nodes, and the minimum partition size.
#include "engine/partitioner.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace opscope {
namespace {

// A backend that claims a fixed set of ops and declines the rest with
// "no <OP>".
class FakeBackend final : public Backend {
 public:
  FakeBackend(std::string name, std::set<OpKind> ops)
      : name_(std::move(name)), ops_(std::move(ops)) {}
  std::string_view name() const override { return name_; }
  bool supports(const Graph& graph, int node_index, std::string* why_not) const override {
    const OpKind op = graph.nodes[node_index].op;
    if (ops_.count(op)) return true;
    if (why_not) *why_not = "no " + std::string(to_string(op));
    return false;
  }
  Result<std::unique_ptr<CompiledPartition>> compile(Graph&, const std::vector<int>&,
                                                     int) override {
    return Status(ErrorCode::kInternal, "not compiled in this test");
  }

 private:
  std::string name_;
  std::set<OpKind> ops_;
};

// A chain x -> op_0 -> op_1 -> ... (shapes do not matter to the partitioner).
Graph chain(const std::vector<OpKind>& ops) {
  Graph g;
  Tensor t;
  t.name = "x";
  t.role = TensorRole::kInput;
  int prev = g.add_tensor(t);
  g.inputs.push_back(prev);
  for (size_t i = 0; i < ops.size(); ++i) {
    Tensor o;
    o.name = "t" + std::to_string(i);
    o.role = i + 1 == ops.size() ? TensorRole::kOutput : TensorRole::kIntermediate;
    const int out = g.add_tensor(o);
    Node n;
    n.op = ops[i];
    n.type_name = std::string(to_string(ops[i]));
    n.name = "n" + std::to_string(i);
    n.inputs = {prev};
    n.outputs = {out};
    n.source_index = static_cast<int>(i);
    g.nodes.push_back(n);
    prev = out;
  }
  g.outputs.push_back(prev);
  return g;
}

using Nodes = std::vector<int>;

TEST(Partitioner, EachNodeGoesToTheFirstBackendThatClaimsIt) {
  FakeBackend fast("fast", {OpKind::kConv2D, OpKind::kAdd});
  FakeBackend ref("ref", {OpKind::kConv2D, OpKind::kAdd, OpKind::kTanh});
  const Graph g = chain({OpKind::kConv2D, OpKind::kTanh, OpKind::kAdd});
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref});
  EXPECT_EQ(plan.node_backend, (std::vector<int>{0, 1, 0}));
  EXPECT_TRUE(plan.unsupported.empty());
  // The priority list decides, not which backend claims more.
  const PartitionPlan reversed = plan_partitions(g, {&ref, &fast});
  EXPECT_EQ(reversed.node_backend, (std::vector<int>{0, 0, 0}));
  ASSERT_EQ(reversed.partitions.size(), 1u);
  EXPECT_EQ(reversed.partitions[0].nodes, (Nodes{0, 1, 2}));
}

TEST(Partitioner, ConsecutiveNodesOfOneBackendFormOnePartition) {
  FakeBackend fast("fast", {OpKind::kConv2D, OpKind::kAdd});
  FakeBackend ref("ref", {OpKind::kConv2D, OpKind::kAdd, OpKind::kTanh});
  const Graph g = chain({OpKind::kConv2D, OpKind::kAdd, OpKind::kTanh, OpKind::kTanh,
                         OpKind::kConv2D});
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref});
  ASSERT_EQ(plan.partitions.size(), 3u);
  EXPECT_EQ(plan.partitions[0].backend_id, 0);
  EXPECT_EQ(plan.partitions[0].nodes, (Nodes{0, 1}));
  EXPECT_EQ(plan.partitions[1].backend_id, 1);
  EXPECT_EQ(plan.partitions[1].nodes, (Nodes{2, 3}));
  EXPECT_EQ(plan.partitions[2].backend_id, 0);
  EXPECT_EQ(plan.partitions[2].nodes, (Nodes{4}));
}

TEST(Partitioner, KeepsTheReasonsOfTheBackendsThatDeclined) {
  FakeBackend fast("fast", {OpKind::kConv2D});
  FakeBackend ref("ref", {OpKind::kConv2D, OpKind::kTanh});
  const Graph g = chain({OpKind::kConv2D, OpKind::kTanh});
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref});
  EXPECT_EQ(plan.fallback_reason[0], "");
  EXPECT_EQ(plan.fallback_reason[1], "fast: no TANH");
}

TEST(Partitioner, ListsNodesNoBackendSupportsWithEveryReason) {
  FakeBackend fast("fast", {OpKind::kConv2D});
  FakeBackend ref("ref", {OpKind::kConv2D, OpKind::kAdd});
  const Graph g = chain({OpKind::kConv2D, OpKind::kTanh, OpKind::kAdd});
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref});
  EXPECT_EQ(plan.node_backend, (std::vector<int>{0, -1, 1}));
  ASSERT_EQ(plan.unsupported.size(), 1u);
  EXPECT_EQ(plan.unsupported[0].node, 1);
  EXPECT_EQ(plan.unsupported[0].reason, "fast: no TANH; ref: no TANH");
  // The unsupported node belongs to no partition.
  for (const Partition& p : plan.partitions) {
    for (int n : p.nodes) EXPECT_NE(n, 1);
  }
}

TEST(Partitioner, ShortPartitionsAreHandedDownTheList) {
  FakeBackend fast("fast", {OpKind::kConv2D, OpKind::kAdd});
  FakeBackend ref("ref", {OpKind::kConv2D, OpKind::kAdd, OpKind::kTanh});
  // fast could take {0, 1} and {3}; with a minimum of 2, {3} goes to ref.
  const Graph g = chain({OpKind::kConv2D, OpKind::kAdd, OpKind::kTanh, OpKind::kAdd,
                         OpKind::kTanh});
  PartitionOptions options;
  options.min_partition_size = 2;
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref}, options);
  EXPECT_EQ(plan.node_backend, (std::vector<int>{0, 0, 1, 1, 1}));
  ASSERT_EQ(plan.partitions.size(), 2u);
  EXPECT_EQ(plan.partitions[1].nodes, (Nodes{2, 3, 4}));
  EXPECT_EQ(plan.fallback_reason[3],
            "fast: partition of 1 node(s) is below the minimum size 2");
  EXPECT_EQ(plan.fallback_reason[0], "");
}

TEST(Partitioner, TheLastBackendKeepsShortPartitions) {
  FakeBackend fast("fast", {OpKind::kConv2D, OpKind::kAdd});
  FakeBackend ref("ref", {OpKind::kTanh});
  const Graph g = chain({OpKind::kConv2D, OpKind::kAdd, OpKind::kTanh, OpKind::kConv2D,
                         OpKind::kAdd});
  PartitionOptions options;
  options.min_partition_size = 2;
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref}, options);
  // ref is last: its one-node partition stays.
  EXPECT_EQ(plan.node_backend, (std::vector<int>{0, 0, 1, 0, 0}));
  EXPECT_EQ(plan.partitions.size(), 3u);
}

TEST(Partitioner, HandingDownCanMergeWithTheNeighbours) {
  FakeBackend fast("fast", {OpKind::kAdd});
  FakeBackend ref("ref", {OpKind::kAdd, OpKind::kTanh});
  const Graph g = chain({OpKind::kTanh, OpKind::kAdd, OpKind::kTanh});
  PartitionOptions options;
  options.min_partition_size = 2;
  const PartitionPlan plan = plan_partitions(g, {&fast, &ref}, options);
  ASSERT_EQ(plan.partitions.size(), 1u);
  EXPECT_EQ(plan.partitions[0].backend_id, 1);
  EXPECT_EQ(plan.partitions[0].nodes, (Nodes{0, 1, 2}));
}

}  // namespace
}  // namespace opscope

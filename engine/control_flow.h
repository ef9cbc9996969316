// Control-flow nodes (IF; later loops) carry bodies: models of their own,
// run by the node's kernel as sessions of their own. This file defines how
// the ops inside bodies are numbered for profiling, so that every executed
// op, at any depth, reports events with an index of one flat space.
//
// The layout of a graph's index space: its own nodes at [0, n), then, for
// each node in order and each of its bodies in order, that body's whole
// space (its nodes, then its bodies' spaces, recursively). A body's space
// is therefore contiguous, and where it starts depends only on the graph
// that holds it: a kernel finds its bodies' offsets from its own graph and
// node index, and reports their events through an OffsetProfiler on top of
// the profiler it was given.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/profiling.h"

namespace opscope {

// The bodies of a node, in order (IF: then_branch, else_branch; LOOP, SCAN: body;
// WHILE: cond, body);
// empty for any other node.
struct NodeBody {
  const char* role;  // "then_branch", "else_branch", "body", "cond"
  std::shared_ptr<const Model> model;
};
std::vector<NodeBody> node_bodies(const Node& node);

// Adds to model.info the file nodes (source_nodes), params and param_bytes
// of every body under the model's graph, each distinct body once (a TFLite
// subgraph that two nodes call is one subgraph of the file). The readers
// fill each body's info with its own graph's counts, then call this once
// on the model they return, so that its counts are the whole file's.
void count_bodies_in_info(Model& model);

// The size of a graph's index space: its nodes and all nested bodies' nodes.
int profiled_node_count(const Graph& graph);

// Where body `body` of node `node` starts in the index space of `graph`.
int body_offset(const Graph& graph, int node, int body);

// One entry of the flat index space: a node, the graph holding it, and the
// control-flow node that ran it.
struct ProfiledNode {
  const Graph* graph = nullptr;
  int node = 0;         // index in `graph`
  int parent = -1;      // flat index of the control-flow node; -1 at the top
  int depth = 0;        // 0 for the main graph's nodes
  const char* role = "";  // the body's role in its parent ("" at the top)
};
// Every node of `graph`'s index space, in flat-index order.
std::vector<ProfiledNode> profiled_nodes(const Graph& graph);

// Forwards op events to `parent` with node indices shifted by `offset`.
// begin_op/end_op become one add_op_event, so the parent's own open op
// (the control-flow node itself) is never disturbed. One op open at a time,
// as a graph runs its nodes in order.
class OffsetProfiler final : public Profiler {
 public:
  OffsetProfiler(Profiler* parent, int offset) : parent_(parent), offset_(offset) {}
  void begin_op(int, int) override { open_start_ns_ = now_ns(); }
  void end_op(int node_index, int backend_id) override {
    parent_->add_op_event(node_index + offset_, backend_id, open_start_ns_, now_ns());
  }
  void add_op_event(int node_index, int backend_id, uint64_t start_ns,
                    uint64_t end_ns) override {
    parent_->add_op_event(node_index + offset_, backend_id, start_ns, end_ns);
  }

 private:
  Profiler* parent_;
  int offset_;
  uint64_t open_start_ns_ = 0;
};

}  // namespace opscope

#include "engine/control_flow.h"

#include <set>
#include <variant>

namespace opscope {

std::vector<NodeBody> node_bodies(const Node& node) {
  if (const auto* a = std::get_if<IfAttrs>(&node.attrs)) {
    return {{"then_branch", a->then_branch}, {"else_branch", a->else_branch}};
  }
  if (const auto* a = std::get_if<LoopAttrs>(&node.attrs)) return {{"body", a->body}};
  if (const auto* a = std::get_if<ScanAttrs>(&node.attrs)) return {{"body", a->body}};
  if (const auto* a = std::get_if<WhileAttrs>(&node.attrs)) {
    return {{"cond", a->cond}, {"body", a->body}};
  }
  return {};
}

namespace {

void collect_bodies(const Graph& graph, std::set<const Model*>& seen,
                    std::vector<const Model*>& out) {
  for (const Node& n : graph.nodes) {
    for (const NodeBody& b : node_bodies(n)) {
      if (b.model == nullptr || !seen.insert(b.model.get()).second) continue;
      out.push_back(b.model.get());
      collect_bodies(b.model->graph, seen, out);
    }
  }
}

}  // namespace

void count_bodies_in_info(Model& model) {
  std::set<const Model*> seen;
  std::vector<const Model*> bodies;
  collect_bodies(model.graph, seen, bodies);
  for (const Model* body : bodies) {
    model.info.source_nodes += body->info.source_nodes;
    model.info.params += body->info.params;
    model.info.param_bytes += body->info.param_bytes;
  }
}

int profiled_node_count(const Graph& graph) {
  int count = static_cast<int>(graph.nodes.size());
  for (const Node& n : graph.nodes) {
    for (const NodeBody& b : node_bodies(n)) {
      if (b.model != nullptr) count += profiled_node_count(b.model->graph);
    }
  }
  return count;
}

int body_offset(const Graph& graph, int node, int body) {
  int offset = static_cast<int>(graph.nodes.size());
  for (int i = 0; i <= node && i < static_cast<int>(graph.nodes.size()); ++i) {
    const std::vector<NodeBody> bodies = node_bodies(graph.nodes[static_cast<size_t>(i)]);
    for (int b = 0; b < static_cast<int>(bodies.size()); ++b) {
      if (i == node && b == body) return offset;
      if (bodies[static_cast<size_t>(b)].model != nullptr) {
        offset += profiled_node_count(bodies[static_cast<size_t>(b)].model->graph);
      }
    }
  }
  return offset;
}

namespace {

// Appends `graph`'s space, whose first index is out.size(), in layout order.
void append_space(const Graph& graph, int parent, int depth, const char* role,
                  std::vector<ProfiledNode>& out) {
  const int base = static_cast<int>(out.size());
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    out.push_back({&graph, i, parent, depth, role});
  }
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    for (const NodeBody& b : node_bodies(graph.nodes[static_cast<size_t>(i)])) {
      if (b.model != nullptr) append_space(b.model->graph, base + i, depth + 1, b.role, out);
    }
  }
}

}  // namespace

std::vector<ProfiledNode> profiled_nodes(const Graph& graph) {
  std::vector<ProfiledNode> out;
  append_space(graph, -1, 0, "", out);
  return out;
}

}  // namespace opscope

#include "harness/inspect.h"

#include <algorithm>
#include <map>
#include <memory>

#include "engine/macs.h"
#include "engine/partitioner.h"
#include "engine/session.h"
#include "harness/model_loader.h"
#include "harness/text_table.h"

namespace opscope::harness {
namespace {

using nlohmann::json;

json tensor_json(const Tensor& t) {
  json j = {{"name", t.name},
            {"dtype", std::string(to_string(t.dtype))},
            {"shape", t.shape}};
  if (!t.quantization.empty()) {
    j["quantization"] = {{"scales", t.quantization.scales},
                         {"zero_points", t.quantization.zero_points},
                         {"axis", t.quantization.axis}};
  }
  return j;
}

}  // namespace

Result<json> inspect_model(const std::string& path,
                           const std::vector<std::string>& backend_names,
                           int min_partition_size) {
  OPSCOPE_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, load_model(path));

  // Placement with the requested backends.
  std::vector<std::unique_ptr<Backend>> owned;
  std::vector<Backend*> backends;
  for (const std::string& name : backend_names) {
    OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> b, create_backend(name, {}));
    backends.push_back(b.get());
    owned.push_back(std::move(b));
  }
  PartitionOptions partition_options;
  partition_options.min_partition_size = std::max(1, min_partition_size);
  const PartitionPlan plan = plan_partitions(model->graph, backends, partition_options);

  // Resolved shapes when the engine can prepare the model.
  const Graph* graph = &model->graph;
  std::unique_ptr<Session> session;
  std::string prepare_error;
  if (plan.unsupported.empty()) {
    SessionOptions options;
    options.backends = backend_names;
    options.min_partition_size = min_partition_size;
    auto created = Session::create(model, options);
    if (created.is_ok()) {
      session = std::move(created).value();
      graph = &session->graph();
    } else {
      prepare_error = created.status().message();
    }
  }

  const ModelInfo& info = model->info;
  json j;
  j["model"] = {{"path", info.path},
                {"name", info.name},
                {"format", std::string(to_string(info.format))},
                {"size_bytes", info.size_bytes},
                {"precision", std::string(to_string(info.weight_precision))},
                {"source_nodes", info.source_nodes},
                {"folded_nodes", info.folded_nodes},
                {"nodes", graph->nodes.size()},
                {"params", info.params},
                {"param_bytes", info.param_bytes},
                {"macs", graph_macs(*graph)}};
  j["shapes_resolved_by_engine"] = session != nullptr;
  if (!prepare_error.empty()) j["prepare_error"] = prepare_error;
  j["inputs"] = json::array();
  for (int id : graph->inputs) j["inputs"].push_back(tensor_json(graph->tensors[id]));
  j["outputs"] = json::array();
  for (int id : graph->outputs) j["outputs"].push_back(tensor_json(graph->tensors[id]));

  std::map<std::string, int> histogram;
  j["nodes"] = json::array();
  for (int i = 0; i < static_cast<int>(graph->nodes.size()); ++i) {
    const Node& n = graph->nodes[i];
    const std::string type = n.type_name.empty() ? std::string(to_string(n.op)) : n.type_name;
    ++histogram[type];
    json shapes = json::array();
    for (int id : n.outputs) shapes.push_back(shape_to_string(graph->tensors[id].shape));
    const int b = plan.node_backend[i];
    j["nodes"].push_back({{"index", i},
                          {"source_index", n.source_index},
                          {"name", n.name},
                          {"type", type},
                          {"backend", b >= 0 ? json(std::string(backends[b]->name())) : json(nullptr)},
                          {"macs", node_macs(*graph, n)},
                          {"fallback_reason", plan.fallback_reason[i]},
                          {"output_shapes", shapes}});
  }
  j["op_histogram"] = histogram;
  j["unsupported"] = json::array();
  for (const UnsupportedNode& u : plan.unsupported) {
    const Node& n = model->graph.nodes[u.node];
    j["unsupported"].push_back({{"index", u.node},
                                {"source_index", n.source_index},
                                {"name", n.name},
                                {"type", n.type_name},
                                {"reason", u.reason}});
  }
  j["partitions"] = json::array();
  for (const Partition& p : plan.partitions) {
    j["partitions"].push_back({{"backend", std::string(backends[p.backend_id]->name())},
                               {"nodes", p.nodes}});
  }
  return j;
}

void print_inspection(const json& j, std::FILE* out) {
  const json& m = j["model"];
  std::fprintf(out, "model      %s (%s, %s)\n", m["name"].get<std::string>().c_str(),
               m["format"].get<std::string>().c_str(),
               format_bytes(m["size_bytes"].get<int64_t>()).c_str());
  std::fprintf(out, "weights    %s, %s params, %s\n",
               m["precision"].get<std::string>().c_str(),
               format_count(m["params"].get<int64_t>()).c_str(),
               format_bytes(m["param_bytes"].get<int64_t>()).c_str());
  std::fprintf(out, "nodes      %d in the file, %d after load (%d folded)\n",
               m["source_nodes"].get<int>(), m["nodes"].get<int>(),
               m["folded_nodes"].get<int>());
  std::fprintf(out, "MACs       %s\n", format_count(m["macs"].get<int64_t>()).c_str());
  for (const char* io : {"inputs", "outputs"}) {
    std::fprintf(out, "\n%s:\n", io);
    for (const json& t : j[io]) {
      std::vector<int64_t> shape = t["shape"].get<std::vector<int64_t>>();
      std::fprintf(out, "  %-40s %-5s %s\n", t["name"].get<std::string>().c_str(),
                   t["dtype"].get<std::string>().c_str(), shape_to_string(shape).c_str());
    }
  }
  std::fprintf(out, "\nop types:\n");
  TextTable h;
  h.add_column("type", TextTable::Align::kLeft);
  h.add_column("count");
  for (const auto& [type, count] : j["op_histogram"].items()) {
    h.add_row({type, std::to_string(count.get<int>())});
  }
  h.print(out);

  std::fprintf(out, "\nnodes:\n");
  TextTable t;
  t.add_column("node");
  t.add_column("type", TextTable::Align::kLeft);
  t.add_column("name", TextTable::Align::kLeft);
  t.add_column("backend", TextTable::Align::kLeft);
  t.add_column("output", TextTable::Align::kLeft);
  t.add_column("MACs");
  for (const json& n : j["nodes"]) {
    std::string shapes;
    for (const json& s : n["output_shapes"]) shapes += (shapes.empty() ? "" : ",") + s.get<std::string>();
    t.add_row({std::to_string(n["source_index"].get<int>()), n["type"].get<std::string>(),
               truncate_middle(n["name"].get<std::string>(), 40),
               n["backend"].is_null() ? "UNSUPPORTED" : n["backend"].get<std::string>(),
               shapes, format_count(n["macs"].get<int64_t>())});
  }
  t.print(out);

  bool any_fallback = false;
  for (const json& n : j["nodes"]) {
    const std::string why = n.value("fallback_reason", "");
    if (why.empty() || n["backend"].is_null()) continue;
    if (!any_fallback) std::fprintf(out, "\nfallbacks (why earlier backends declined):\n");
    any_fallback = true;
    std::fprintf(out, "  node %d '%s' (%s) -> %s: %s\n", n["source_index"].get<int>(),
                 n["name"].get<std::string>().c_str(), n["type"].get<std::string>().c_str(),
                 n["backend"].get<std::string>().c_str(), why.c_str());
  }

  const json& unsupported = j["unsupported"];
  if (unsupported.empty()) {
    std::fprintf(out, "\nunsupported ops: none\n");
  } else {
    std::fprintf(out, "\nunsupported ops: %zu node(s)\n", unsupported.size());
    for (const json& u : unsupported) {
      std::fprintf(out, "  node %d '%s' (%s): %s\n", u["source_index"].get<int>(),
                   u["name"].get<std::string>().c_str(),
                   u["type"].get<std::string>().c_str(),
                   u["reason"].get<std::string>().c_str());
    }
  }
  if (j.contains("prepare_error")) {
    std::fprintf(out, "\nthe engine cannot prepare this model: %s\n",
                 j["prepare_error"].get<std::string>().c_str());
  }
}

}  // namespace opscope::harness

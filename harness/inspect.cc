#include "harness/inspect.h"

#include <algorithm>
#include <map>
#include <memory>

#include "engine/macs.h"
#include "engine/partitioner.h"
#include "engine/session.h"
#include "harness/inspect_file.h"
#include "harness/model_loader.h"

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
  Result<std::shared_ptr<Model>> loaded = load_model(path);
  // A model the engine cannot import is described from its file.
  if (!loaded.is_ok()) return inspect_unimportable(path, loaded.status());
  std::shared_ptr<Model> model = std::move(loaded).value();

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
                {"qdq_fused_ops", info.qdq_fused_ops},
                {"qdq_kept_nodes", info.qdq_kept_nodes},
                {"nodes", graph->nodes.size()},
                {"params", info.params},
                {"param_bytes", info.param_bytes},
                {"macs", graph_macs(*graph)}};
  j["described_from"] = "engine";
  j["runnable"] = plan.unsupported.empty() && prepare_error.empty();
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
                          {"fused_sources", n.fused_sources},
                          {"kept_reason", n.kept_reason},
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

}  // namespace opscope::harness

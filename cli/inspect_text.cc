#include "cli/inspect_text.h"

#include <map>
#include <string>

#include "cli/text_table.h"
#include "engine/tensor.h"

namespace opscope::cli {

using nlohmann::json;

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
  if (m.value("qdq_fused_ops", 0) > 0 || m.value("qdq_kept_nodes", 0) > 0) {
    std::fprintf(out, "QDQ        %d ops fused into int8, %d Quantize/Dequantize nodes kept\n",
                 m.value("qdq_fused_ops", 0), m.value("qdq_kept_nodes", 0));
  }
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
    // A fused node shows every file node it covers: "12+10,11,13".
    std::string node = std::to_string(n["source_index"].get<int>());
    const std::vector<int> fused = n.value("fused_sources", std::vector<int>{});
    for (size_t k = 0; k < fused.size(); ++k) node += (k == 0 ? "+" : ",") + std::to_string(fused[k]);
    t.add_row({node, n["type"].get<std::string>(),
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

  bool any_kept = false;
  for (const json& n : j["nodes"]) {
    const std::string why = n.value("kept_reason", "");
    if (why.empty()) continue;
    if (!any_kept) std::fprintf(out, "\nleft as they are by QDQ fusion:\n");
    any_kept = true;
    std::fprintf(out, "  node %d '%s' (%s): %s\n", n["source_index"].get<int>(),
                 n["name"].get<std::string>().c_str(), n["type"].get<std::string>().c_str(),
                 why.c_str());
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

namespace {
bool shapes_from_bundle(const json& j) {
  return j.value("bundled_inputs", false) && !j.value("shapes_given", false);
}
}  // namespace

void print_pytorch_inspection(const json& j, std::FILE* out) {
  const json& m = j["model"];
  std::fprintf(out, "model      %s (%s, %s, runs on PyTorch's runtime)\n",
               m["name"].get<std::string>().c_str(), m["format"].get<std::string>().c_str(),
               format_bytes(m["size_bytes"].get<int64_t>()).c_str());
  const int64_t params = m["params"].get<int64_t>();
  std::fprintf(out, "weights    %s, %s\n", m["precision"].get<std::string>().c_str(),
               params > 0 ? (format_count(params) + " params").c_str()
                          : "parameters inside prepacked operators (not counted)");
  std::string methods;
  for (const json& name : j["methods"]) {
    methods += (methods.empty() ? "" : ", ") + name.get<std::string>();
  }
  std::fprintf(out, "methods    %s\n", methods.c_str());
  if (j.contains("operator_calls_in_code")) {
    std::fprintf(out, "calls      %lld operator calls in forward()'s code\n",
                 static_cast<long long>(j["operator_calls_in_code"].get<int64_t>()));
  }
  std::fprintf(out, "\noperators in the file (%zu):\n", j["operators"].size());
  for (const json& name : j["operators"]) {
    std::fprintf(out, "  %s\n", name.get<std::string>().c_str());
  }
  if (!j.contains("calls")) {
    std::fprintf(out, "\n(no bundled inputs: --shape 1x3x224x224, one per forward() argument, "
                      "also lists the operator calls of one forward())\n");
    return;
  }
  std::fprintf(out, "\nforward() on%s", shapes_from_bundle(j) ? " its bundled inputs" : "");
  for (const json& in : j["inputs"]) {
    std::fprintf(out, " %s", in["shape"].get<std::string>().c_str());
  }
  std::fprintf(out, ": %zu operator calls (the rows of `run`)\n", j["calls"].size());
  TextTable h;
  h.add_column("type", TextTable::Align::kLeft);
  h.add_column("calls");
  for (const auto& [type, count] : j["op_histogram"].items()) {
    h.add_row({type, std::to_string(count.get<int>())});
  }
  h.print(out);
  std::string cats;
  for (const auto& [category, count] : j["categories"].items()) {
    cats += (cats.empty() ? "" : ", ") + category + " " + std::to_string(count.get<int>());
  }
  std::fprintf(out, "categories %s\n", cats.c_str());
}

}  // namespace opscope::cli

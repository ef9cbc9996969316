#include "cli/inspect_file_text.h"

#include <algorithm>
#include <string>

#include "cli/text_table.h"

namespace opscope::cli {

using nlohmann::json;

namespace {

// "1xNx?" (a symbolic dim by its name, an unknown one as ?), "scalar",
// "(no shape in the file)".
std::string file_shape(const json& shape) {
  if (shape.is_null()) return "(no shape in the file)";
  if (shape.empty()) return "scalar";
  std::string s;
  for (const json& d : shape) {
    if (!s.empty()) s += 'x';
    s += d.is_number() ? std::to_string(d.get<int64_t>()) : d.is_string() ? d.get<std::string>() : "?";
  }
  return s;
}

std::string plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// One column of counts for every graph's histogram: `width` is the widest
// indent plus op type of them all.
void print_histogram(const json& histogram, int indent, size_t width, std::FILE* out) {
  for (const auto& [type, count] : histogram.items()) {
    std::fprintf(out, "%*s%-*s %5d\n", indent, "", static_cast<int>(width) - indent,
                 type.c_str(), count.get<int>());
  }
}

size_t histogram_width(const json& graphs) {
  size_t width = 8;
  for (const json& g : graphs) {
    for (const auto& [type, count] : g["op_histogram"].items()) {
      width = std::max(width, 2 * g["depth"].get<size_t>() + 2 + type.size());
    }
  }
  return width;
}

void print_header(const json& j, std::FILE* out) {
  const json& m = j["model"];
  const std::string format = m["format"].get<std::string>();
  std::fprintf(out, "model      %s (%s, %s)\n", m["name"].get<std::string>().c_str(),
               format.c_str(), format_bytes(m["size_bytes"].get<int64_t>()).c_str());
  std::fprintf(out, "runnable   no: the engine cannot import it (%s); described from the file\n",
               j["import_error"]["code"].get<std::string>().c_str());
  if (format == "onnx") {
    std::string producer = m["producer"].get<std::string>();
    const std::string version = m["producer_version"].get<std::string>();
    if (!version.empty()) producer += " " + version;
    std::fprintf(out, "producer   %s\n", producer.empty() ? "(not stated)" : producer.c_str());
    std::string opsets;
    for (const json& o : m["opset_imports"]) {
      const std::string domain = o["domain"].get<std::string>();
      opsets += (opsets.empty() ? "" : ", ") + (domain.empty() ? std::string("ai.onnx") : domain) +
                " " + std::to_string(o["version"].get<int64_t>());
    }
    std::fprintf(out, "format     IR version %lld, opsets %s\n",
                 static_cast<long long>(m["ir_version"].get<int64_t>()),
                 opsets.empty() ? "(none)" : opsets.c_str());
  } else {
    std::fprintf(out, "format     schema version %lld, description '%s'\n",
                 static_cast<long long>(m["schema_version"].get<int64_t>()),
                 m["producer"].get<std::string>().c_str());
  }
  std::fprintf(out, "weights    %s params, %s in %s",
               format_count(m["params"].get<int64_t>()).c_str(),
               format_bytes(m["param_bytes"].get<int64_t>()).c_str(),
               format == "onnx" ? "initializers" : "constant buffers");
  const int uncounted = m["uncounted_constants"].get<int>();
  if (uncounted > 0) std::fprintf(out, " (%d too large to count)", uncounted);
  std::fprintf(out, "\n");
  int64_t nested = 0;
  for (const json& g : j["graphs"]) nested += g["index"].get<int>() == 0 ? 0 : g["nodes"].get<int64_t>();
  const size_t graphs = j["graphs"].size();
  std::fprintf(out, "nodes      %lld in the %s", static_cast<long long>(m["source_nodes"].get<int64_t>()),
               format == "onnx" ? "main graph" : "main subgraph (0)");
  if (graphs > 1) {
    std::fprintf(out, ", %s more in %s", std::to_string(nested).c_str(),
                 plural(static_cast<int64_t>(graphs - 1), "subgraph", "subgraphs").c_str());
  }
  std::fprintf(out, "\n");
}

}  // namespace

void print_file_inspection(const json& j, std::FILE* out) {
  print_header(j, out);
  for (const char* io : {"inputs", "outputs"}) {
    std::fprintf(out, "\n%s:\n", io);
    for (const json& t : j[io]) {
      std::fprintf(out, "  %-40s %-7s %s\n", t["name"].get<std::string>().c_str(),
                   t["dtype"].get<std::string>().c_str(), file_shape(t["shape"]).c_str());
    }
  }

  // The main graph, then every other graph indented by its depth: ONNX
  // subgraphs under the node that holds them, TFLite subgraphs in order.
  const bool onnx = j["model"]["format"] == "onnx";
  const json& graphs = j["graphs"];
  const size_t width = histogram_width(graphs);
  for (const json& g : graphs) {
    const int depth = g["depth"].get<int>();
    const int indent = 2 * depth;
    const std::string nodes = plural(g["nodes"].get<int64_t>(), "node", "nodes");
    const std::string name = g["name"].get<std::string>();
    if (g["index"] == 0) {
      std::fprintf(out, "\nop types (%s%s, %s):\n", onnx ? "main graph" : "subgraph 0",
                   onnx || name.empty() ? "" : (" '" + name + "'").c_str(), nodes.c_str());
    } else if (g.contains("owner")) {
      const json& o = g["owner"];
      std::fprintf(out, "%*s%s (of node %d '%s' %s, %s):\n", indent, "",
                   g["path"].get<std::string>().c_str(), o["index"].get<int>(),
                   o["name"].get<std::string>().c_str(), o["type"].get<std::string>().c_str(),
                   nodes.c_str());
    } else {
      std::fprintf(out, "%s%s (%s):\n", g["path"].get<std::string>().c_str(),
                   name.empty() ? "" : (" '" + name + "'").c_str(), nodes.c_str());
    }
    print_histogram(g["op_histogram"], indent + 2, width, out);
  }

  const json& unsupported = j["unsupported"];
  if (unsupported.empty()) {
    std::fprintf(out, "\ncannot run: no node of the file is unsupported on its own; see the "
                      "import error\n");
  } else {
    std::fprintf(out, "\ncannot run: %zu node(s) or value(s) found in the file\n",
                 unsupported.size());
  }
  for (const json& u : unsupported) {
    const std::string where =
        u["graph"] == 0 ? "" : "[" + u["graph_path"].get<std::string>() + "] ";
    if (u["index"].get<int>() >= 0) {
      std::fprintf(out, "  %snode %d '%s' (%s): %s\n", where.c_str(), u["index"].get<int>(),
                   u["name"].get<std::string>().c_str(), u["type"].get<std::string>().c_str(),
                   u["reason"].get<std::string>().c_str());
    } else {
      std::fprintf(out, "  %s%s\n", where.c_str(), u["reason"].get<std::string>().c_str());
    }
  }
  std::fprintf(out, "\nthe engine cannot import this model (%s): %s\n",
               j["import_error"]["code"].get<std::string>().c_str(),
               j["import_error"]["message"].get<std::string>().c_str());
}

}  // namespace opscope::cli

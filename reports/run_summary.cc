#include "reports/run_summary.h"

#include <algorithm>
#include <map>

#include "harness/text_table.h"
#include "reports/report_text.h"

namespace opscope::reports {

using harness::format_count;

std::string model_line(const harness::ResultDocument& d) {
  return d.model.name + " (" + d.model.format + ", " + d.model.precision + " weights, " +
         std::to_string(d.ops.size()) + " nodes, " + format_count(d.model.params) +
         " params, " + format_count(d.model.macs) + " MACs)";
}

std::string config_line(const harness::ResultDocument& d) {
  std::string s = join(d.config.backends, ",") + " \xC2\xB7 " +
                  std::to_string(d.config.threads) +
                  (d.config.threads == 1 ? " thread" : " threads");
  if (!d.config.affinity.empty()) s += " \xC2\xB7 cpus " + d.config.affinity;
  s += " \xC2\xB7 seed " + std::to_string(d.config.seed);
  s += " \xC2\xB7 " + std::to_string(d.latency_ms.count) + " warm runs";
  return s;
}

std::string device_line(const harness::ResultDocument& d) {
  std::string s = d.device.cpu_model.empty() ? "unknown CPU" : d.device.cpu_model;
  s += " \xC2\xB7 " + d.device.arch + " \xC2\xB7 " + std::to_string(d.device.cores) + " cores";
  if (!d.device.id.empty()) s += " \xC2\xB7 host " + d.device.id;
  if (!d.device.governor.empty()) s += " \xC2\xB7 governor " + d.device.governor;
  return s;
}

std::string placement_line(const harness::ResultDocument& d) {
  if (d.partitions.empty()) return "no partitions recorded";
  std::string s = std::to_string(d.partitions.size()) +
                  (d.partitions.size() == 1 ? " partition: " : " partitions: ");
  for (size_t i = 0; i < d.partitions.size(); ++i) {
    if (i) s += " | ";
    s += d.partitions[i].backend + " \xC3\x97" + std::to_string(d.partitions[i].nodes.size());
  }
  return s;
}

std::vector<const harness::OpStats*> top_ops(const harness::ResultDocument& d, int n) {
  std::vector<const harness::OpStats*> v;
  for (const auto& op : d.ops) v.push_back(&op);
  std::stable_sort(v.begin(), v.end(),
                   [](const auto* a, const auto* b) { return a->mean_us > b->mean_us; });
  if (n >= 0 && static_cast<int>(v.size()) > n) v.resize(n);
  return v;
}

double ops_total_us(const harness::ResultDocument& d) {
  double t = 0;
  for (const auto& op : d.ops) t += op.mean_us;
  return t;
}

std::vector<TypeShare> op_type_breakdown(const harness::ResultDocument& d) {
  std::map<std::string, TypeShare> by_type;
  for (const auto& op : d.ops) {
    TypeShare& t = by_type[op.type];
    t.type = op.type;
    t.nodes += 1;
    t.total_us += op.mean_us;
  }
  const double total = ops_total_us(d);
  std::vector<TypeShare> v;
  for (auto& [_, t] : by_type) {
    t.pct = total > 0 ? 100.0 * t.total_us / total : 0.0;
    v.push_back(t);
  }
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.total_us > b.total_us; });
  return v;
}

}  // namespace opscope::reports

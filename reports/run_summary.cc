#include "reports/run_summary.h"

#include <algorithm>
#include <map>

#include "reports/units.h"

namespace opscope::reports {

std::string model_line(const ResultDocument& d) {
  return d.model.name + " (" + d.model.format + ", " + d.model.precision + " weights, " +
         std::to_string(d.ops.size()) + " nodes, " + format_count(d.model.params) +
         " params, " + format_count(d.model.macs) + " MACs)";
}

std::string config_line(const ResultDocument& d) {
  std::string s = join(d.config.backends, ",") + " \xC2\xB7 " +
                  std::to_string(d.config.threads) +
                  (d.config.threads == 1 ? " thread" : " threads");
  if (!d.config.affinity.empty()) s += " \xC2\xB7 cpus " + d.config.affinity;
  s += " \xC2\xB7 seed " + std::to_string(d.config.seed);
  s += " \xC2\xB7 " + std::to_string(d.latency_ms.count) + " warm runs";
  return s;
}

std::string device_line(const ResultDocument& d) {
  std::string s = d.device.cpu_model.empty() ? "unknown CPU" : d.device.cpu_model;
  s += " \xC2\xB7 " + d.device.arch + " \xC2\xB7 " + std::to_string(d.device.cores) + " cores";
  if (!d.device.id.empty()) s += " \xC2\xB7 host " + d.device.id;
  if (!d.device.governor.empty()) s += " \xC2\xB7 governor " + d.device.governor;
  return s;
}

namespace {

std::string zone_of_hottest(const DeviceState& s) {
  const ThermalZone* best = nullptr;
  for (const ThermalZone& z : s.thermal) {
    if (!best || z.temp_c > best->temp_c) best = &z;
  }
  return best ? best->type : std::string();
}

std::string freq_text(double khz) {
  return khz >= 1e6 ? format_fixed(khz / 1e6, 2) + " GHz" : format_fixed(khz / 1e3, 0) + " MHz";
}

}  // namespace

std::string device_state_line(const ResultDocument& d) {
  const DeviceState& b = d.state_before;
  const DeviceState& a = d.state_after;
  const std::string dot = " \xC2\xB7 ";
  const std::string deg = " \xC2\xB0" "C";
  std::vector<std::string> parts;
  // Hottest zone before -> after.
  if (!b.thermal.empty() || !a.thermal.empty()) {
    std::string s = "hottest zone " +
                    (b.thermal.empty() ? std::string("?") : format_fixed(b.max_temp_c(), 1) + deg) +
                    " \xE2\x86\x92 " +
                    (a.thermal.empty() ? std::string("?") : format_fixed(a.max_temp_c(), 1) + deg);
    const std::string zone = zone_of_hottest(a.thermal.empty() ? b : a);
    if (!zone.empty()) s += " (" + zone + ")";
    parts.push_back(s);
  }
  // Governors in force, each once, in CPU order.
  std::vector<std::string> governors;
  for (const DeviceState* s : {&b, &a}) {
    for (const CpuState& c : s->cpus) {
      if (!c.governor.empty() &&
          std::find(governors.begin(), governors.end(), c.governor) == governors.end()) {
        governors.push_back(c.governor);
      }
    }
  }
  if (!governors.empty()) {
    parts.push_back((governors.size() == 1 ? "governor " : "governors ") + join(governors, ", "));
  }
  // Mean current and maximum frequency after the case, over the CPUs read.
  double cur = 0, max = 0;
  int n = 0;
  for (const CpuState& c : a.cpus) {
    if (c.cur_khz > 0 && c.max_khz > 0) {
      cur += static_cast<double>(c.cur_khz);
      max += static_cast<double>(c.max_khz);
      ++n;
    }
  }
  if (n > 0) {
    parts.push_back(freq_text(cur / n) + " of " + freq_text(max / n) + " after" +
                    (n > 1 ? " (mean of " + std::to_string(n) + " cpus)" : ""));
  }
  const double battery = a.battery_pct >= 0 ? a.battery_pct : b.battery_pct;
  if (battery >= 0) parts.push_back("battery " + format_fixed(battery, 0) + "%");
  if (parts.empty() && (!a.cpus.empty() || !b.cpus.empty())) {
    const size_t cpus = std::max(a.cpus.size(), b.cpus.size());
    parts.push_back(std::to_string(cpus) + " cpus seen; no frequency, governor or thermal zone readable");
  }
  return join(parts, dot);
}

std::string placement_line(const ResultDocument& d) {
  if (d.partitions.empty()) return "no partitions recorded";
  std::string s = std::to_string(d.partitions.size()) +
                  (d.partitions.size() == 1 ? " partition: " : " partitions: ");
  for (size_t i = 0; i < d.partitions.size(); ++i) {
    if (i) s += " | ";
    s += d.partitions[i].backend + " \xC3\x97" + std::to_string(d.partitions[i].nodes.size());
  }
  return s;
}

std::vector<const OpStats*> ops_in_run_order(const ResultDocument& d) {
  const int n = static_cast<int>(d.ops.size());
  // A parent always precedes its body's ops; anything else is a top row.
  auto parent_of = [&](int i) {
    const int p = d.ops[static_cast<size_t>(i)].parent;
    return p >= 0 && p < i ? p : -1;
  };
  std::vector<std::vector<int>> children(d.ops.size());
  for (int i = 0; i < n; ++i) {
    if (parent_of(i) >= 0) children[static_cast<size_t>(parent_of(i))].push_back(i);
  }
  // Depth first without recursion: a document read from a file may chain
  // any number of rows.
  std::vector<const OpStats*> out;
  std::vector<int> stack;
  for (int top = 0; top < n; ++top) {
    if (parent_of(top) >= 0) continue;
    stack.push_back(top);
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      out.push_back(&d.ops[static_cast<size_t>(i)]);
      const std::vector<int>& c = children[static_cast<size_t>(i)];
      for (auto it = c.rbegin(); it != c.rend(); ++it) stack.push_back(*it);
    }
  }
  return out;
}

std::vector<const OpStats*> top_ops(const ResultDocument& d, int n) {
  std::vector<const OpStats*> v;
  for (const auto& op : d.ops) {
    if (op.depth == 0) v.push_back(&op);
  }
  std::stable_sort(v.begin(), v.end(),
                   [](const auto* a, const auto* b) { return a->mean_us > b->mean_us; });
  if (n >= 0 && static_cast<int>(v.size()) > n) v.resize(n);
  return v;
}

double ops_total_us(const ResultDocument& d) {
  double t = 0;
  for (const auto& op : d.ops) {
    if (op.depth == 0) t += op.mean_us;
  }
  return t;
}

std::vector<TypeShare> op_type_breakdown(const ResultDocument& d) {
  std::map<std::string, TypeShare> by_type;
  for (const auto& op : d.ops) {
    if (op.depth > 0) continue;
    TypeShare& t = by_type[op.type];
    t.type = op.type;
    t.nodes += 1;
    t.total_us += op.mean_us;
    t.macs += op.macs;
    t.weights_bytes += op.weights_bytes;
    t.backend_us[op.backend] += op.mean_us;
  }
  const double total = ops_total_us(d);
  std::vector<TypeShare> v;
  for (auto& [_, t] : by_type) v.push_back(std::move(t));
  // by_type is ordered by name, so equal totals stay in name order.
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.total_us > b.total_us; });
  double cdf = 0;
  for (TypeShare& t : v) {
    t.pct = total > 0 ? 100.0 * t.total_us / total : 0.0;
    cdf += t.pct;
    t.cdf_pct = cdf;
  }
  return v;
}

std::vector<TypeAcrossRuns> op_type_breakdown(const std::vector<const ResultDocument*>& docs) {
  std::map<std::string, TypeAcrossRuns> by_type;
  std::map<std::string, double> total;
  for (size_t r = 0; r < docs.size(); ++r) {
    for (const TypeShare& t : op_type_breakdown(*docs[r])) {
      TypeAcrossRuns& a = by_type[t.type];
      a.type = t.type;
      a.us.resize(docs.size(), 0.0);
      a.us[r] = t.total_us;
      total[t.type] += t.total_us;
    }
  }
  std::vector<TypeAcrossRuns> v;
  for (auto& [_, a] : by_type) v.push_back(std::move(a));
  std::stable_sort(v.begin(), v.end(), [&](const auto& a, const auto& b) {
    return total[a.type] > total[b.type];
  });
  return v;
}

std::map<std::string, double> backend_breakdown(const ResultDocument& d) {
  std::map<std::string, double> us;
  for (const auto& op : d.ops) {
    if (op.depth == 0) us[op.backend] += op.mean_us;
  }
  return us;
}

}  // namespace opscope::reports

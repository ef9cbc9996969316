#include "harness/run_report.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "harness/text_table.h"

namespace opscope::harness {
namespace {

using Align = TextTable::Align;

void add_op_columns(TextTable& t) {
  t.add_column("node");
  t.add_column("type", Align::kLeft);
  t.add_column("name", Align::kLeft);
  t.add_column("backend", Align::kLeft);
  t.add_column("count");
  t.add_column("first_us");
  t.add_column("avg_us");
  t.add_column("median_us");
  t.add_column("%");
  t.add_column("cdf%");
  t.add_column("MACs");
  t.add_column("live");
  t.add_column("weights");
  t.add_column("scratch");
}

std::vector<std::string> op_row(const OpStats& op, double cdf) {
  return {std::to_string(op.source_index),
          op.type,
          truncate_middle(op.name, 40),
          op.backend,
          std::to_string(op.count),
          format_fixed(op.first_us, 1),
          format_fixed(op.mean_us, 1),
          format_fixed(op.median_us, 1),
          format_fixed(op.pct, 2),
          format_fixed(cdf, 2),
          format_count(op.macs),
          format_bytes(op.live_bytes),
          format_bytes(op.weights_bytes),
          format_bytes(op.scratch_bytes)};
}

void print_header(const ResultDocument& d, std::FILE* out) {
  std::fprintf(out, "model   %s (%s, %s weights, %lld nodes, %s params, %s MACs)\n",
               d.model.name.c_str(), d.model.format.c_str(),
               d.model.precision.c_str(), static_cast<long long>(d.ops.size()),
               format_count(d.model.params).c_str(),
               format_count(d.model.macs).c_str());
  std::string backends;
  for (const auto& b : d.config.backends) backends += (backends.empty() ? "" : ",") + b;
  std::fprintf(out, "config  backends %s, threads %d, cpus %s, seed %llu\n", backends.c_str(),
               d.config.threads, d.config.affinity.empty() ? "?" : d.config.affinity.c_str(),
               static_cast<unsigned long long>(d.config.seed));
  if (!d.partitions.empty()) {
    std::string parts;
    for (const auto& p : d.partitions) {
      parts += (parts.empty() ? "" : " | ") + p.backend + " x" + std::to_string(p.nodes.size());
    }
    std::fprintf(out, "placement  %zu partition(s): %s\n", d.partitions.size(), parts.c_str());
  }
  std::fprintf(out, "device  %s, %s, %d cores\n", d.device.cpu_model.c_str(),
               d.device.arch.c_str(), d.device.cores);
}

void print_stages(const ResultDocument& d, std::FILE* out) {
  const Stages& s = d.stages;
  std::fprintf(out,
               "\nstages (ms)  load %.2f | partition %.2f | prepare %.2f | plan "
               "%.2f | first invoke %.2f | time to first result %.2f\n",
               s.load_ms, s.partition_ms, s.prepare_ms, s.plan_ms,
               s.first_invoke_ms,
               s.load_ms + s.partition_ms + s.prepare_ms + s.plan_ms + s.first_invoke_ms);
}

void print_latency(const ResultDocument& d, std::FILE* out) {
  const LatencyStats& l = d.latency_ms;
  std::fprintf(out,
               "latency (ms, %lld warm runs)  median %.3f | mean %.3f | min %.3f "
               "| p90 %.3f | p99 %.3f | max %.3f | stddev %.3f\n",
               static_cast<long long>(l.count), l.median, l.mean, l.min, l.p90,
               l.p99, l.max, l.stddev);
  const MemoryStats& m = d.memory;
  std::fprintf(out,
               "memory  peak RSS %s | RSS after load %s | arena %s (lower bound "
               "%s) | weights %s | inputs+outputs %s\n",
               format_bytes(m.peak_rss_bytes).c_str(),
               format_bytes(m.rss_after_load_bytes).c_str(),
               format_bytes(m.arena_bytes).c_str(),
               format_bytes(m.arena_lower_bound_bytes).c_str(),
               format_bytes(m.weights_bytes).c_str(),
               format_bytes(m.pinned_bytes).c_str());
}

void print_type_summary(const ResultDocument& d, std::FILE* out) {
  struct Agg {
    int nodes = 0;
    double avg_us = 0;
    int64_t macs = 0, weights = 0;
  };
  std::map<std::string, Agg> by_type;
  double total = 0;
  for (const OpStats& op : d.ops) {
    Agg& a = by_type[op.type];
    ++a.nodes;
    a.avg_us += op.mean_us;
    a.macs += op.macs;
    a.weights += op.weights_bytes;
    total += op.mean_us;
  }
  std::vector<std::pair<std::string, Agg>> rows(by_type.begin(), by_type.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.avg_us > b.second.avg_us;
  });
  TextTable t;
  t.add_column("type", Align::kLeft);
  t.add_column("nodes");
  t.add_column("avg_us");
  t.add_column("%");
  t.add_column("cdf%");
  t.add_column("MACs");
  t.add_column("GMAC/s");
  t.add_column("weights");
  double cdf = 0;
  for (const auto& [type, a] : rows) {
    const double pct = total > 0 ? 100.0 * a.avg_us / total : 0;
    cdf += pct;
    t.add_row({type, std::to_string(a.nodes), format_fixed(a.avg_us, 1),
               format_fixed(pct, 2), format_fixed(cdf, 2), format_count(a.macs),
               a.avg_us > 0 && a.macs > 0
                   ? format_fixed(static_cast<double>(a.macs) / a.avg_us / 1e3, 2)
                   : "-",
               format_bytes(a.weights)});
  }
  std::fprintf(out, "\n== summary by op type ==\n");
  t.print(out);
}

}  // namespace

void print_run_report(const ResultDocument& d, const RunReportOptions& opts,
                      std::FILE* out) {
  print_header(d, out);
  print_stages(d, out);
  print_latency(d, out);
  if (d.ops.empty()) return;
  const bool timed = std::any_of(d.ops.begin(), d.ops.end(),
                                 [](const OpStats& o) { return o.count > 0; });
  if (!timed) {
    std::fprintf(out, "\n(per-op timing off: --no-op-profile)\n");
  }
  if (opts.run_order) {
    TextTable t;
    add_op_columns(t);
    for (const OpStats& op : d.ops) t.add_row(op_row(op, op.cdf_pct));
    std::fprintf(out, "\n== operators, run order ==\n");
    t.print(out);
  }
  if (timed && opts.top_n > 0) {
    std::vector<const OpStats*> sorted;
    for (const OpStats& op : d.ops) sorted.push_back(&op);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const OpStats* a, const OpStats* b) {
                       return a->mean_us > b->mean_us;
                     });
    TextTable t;
    add_op_columns(t);
    double cdf = 0;
    for (int i = 0; i < std::min<int>(opts.top_n, static_cast<int>(sorted.size())); ++i) {
      cdf += sorted[i]->pct;
      t.add_row(op_row(*sorted[i], cdf));
    }
    std::fprintf(out, "\n== top %d operators by average time ==\n", opts.top_n);
    t.print(out);
  }
  print_type_summary(d, out);
  double op_sum_ms = 0;
  for (const OpStats& op : d.ops) op_sum_ms += op.mean_us / 1e3;
  if (timed) {
    std::fprintf(out,
                 "\nsum of per-op averages %.3f ms; invoke mean %.3f ms "
                 "(the difference is dispatch and profiling overhead)\n",
                 op_sum_ms, d.latency_ms.mean);
  }
}

}  // namespace opscope::harness

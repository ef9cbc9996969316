#include "cli/run_report.h"

#include <algorithm>
#include <string>
#include <vector>

#include "cli/text_table.h"
#include "reports/run_summary.h"

namespace opscope::cli {
namespace {

using Align = TextTable::Align;

// A PyTorch run's rows have the bytes each call allocated where our
// engine's have the live activations.
void add_op_columns(TextTable& t, bool pytorch = false) {
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
  t.add_column(pytorch ? "allocated" : "live");
  t.add_column("weights");
  t.add_column("scratch");
}

// "12+10,11,13": the node and the file nodes a fused op covers.
std::string node_cell(const OpStats& op) {
  std::string cell = std::to_string(op.source_index);
  // A body's ops carry their control-flow node's source index (and so do
  // their fused nodes): the index alone says where they come from.
  if (op.depth > 0) return cell;
  for (size_t k = 0; k < op.fused_sources.size(); ++k) {
    cell += (k == 0 ? "+" : ",") + std::to_string(op.fused_sources[k]);
  }
  return cell;
}

// The invokes that ran the op; "40 x16" for a body op that ran 16 times in
// each of them.
std::string count_cell(const OpStats& op) {
  std::string cell = std::to_string(op.count);
  if (op.depth > 0 && op.count > 0 && op.runs_per_invoke != 1) {
    cell += " x" + format_fixed(op.runs_per_invoke, 1);
  }
  return cell;
}

// `engine_only`: the MACs and memory cells, which only our engine measures
// ("-" for a PyTorch run).
std::vector<std::string> op_row(const OpStats& op, double cdf, bool engine_only = true) {
  // An op inside a control-flow body is indented under its node.
  std::vector<std::string> row = {node_cell(op),
                                  std::string(2 * static_cast<size_t>(std::clamp(op.depth, 0, 8)), ' ') + op.type,
                                  truncate_middle(op.name, 40),
                                  op.backend.empty() ? "-" : op.backend,  // a body op never run
                                  count_cell(op),
                                  format_fixed(op.first_us, 1),
                                  format_fixed(op.mean_us, 1),
                                  format_fixed(op.median_us, 1),
                                  format_fixed(op.pct, 2),
                                  format_fixed(cdf, 2)};
  if (engine_only) {
    row.insert(row.end(), {format_count(op.macs), format_bytes(op.live_bytes),
                           format_bytes(op.weights_bytes), format_bytes(op.scratch_bytes)});
  } else {
    row.insert(row.end(), {"-", format_bytes(op.allocated_bytes), "-", "-"});
  }
  return row;
}

void print_header(const ResultDocument& d, std::FILE* out) {
  if (d.on_pytorch()) {
    std::fprintf(out, "model   %s (%s, %s weights, %lld operator calls%s; runs on PyTorch's "
                      "runtime: no MACs or per-op memory)\n",
                 d.model.name.c_str(), d.model.format.c_str(), d.model.precision.c_str(),
                 static_cast<long long>(d.model.nodes),
                 d.model.params > 0 ? (", " + format_count(d.model.params) + " params").c_str()
                                    : "");
  } else {
    std::fprintf(out, "model   %s (%s, %s weights, %lld nodes, %s params, %s MACs)\n",
                 d.model.name.c_str(), d.model.format.c_str(), d.model.precision.c_str(),
                 static_cast<long long>(std::count_if(d.ops.begin(), d.ops.end(),
                                                      [](const OpStats& o) { return o.depth == 0; })),
                 format_count(d.model.params).c_str(),
                 format_count(d.model.macs).c_str());
  }
  std::string backends;
  for (const auto& b : d.config.backends) backends += (backends.empty() ? "" : ",") + b;
  if (d.on_pytorch()) {
    backends += " (quantized engine " + d.config.torch_engine + ", " +
                d.config.torch_memory_format + " inputs)";
  }
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
  const std::string state = reports::device_state_line(d);
  if (!state.empty()) std::fprintf(out, "state   %s\n", state.c_str());
}

void print_stages(const ResultDocument& d, std::FILE* out) {
  const Stages& s = d.stages;
  if (d.on_pytorch()) {
    std::fprintf(out,
                 "\nstages (ms)  load %.2f | prepare (the forward() that finds the calls) %.2f "
                 "| first invoke %.2f | time to first result %.2f\n",
                 s.load_ms, s.prepare_ms, s.first_invoke_ms,
                 s.load_ms + s.prepare_ms + s.first_invoke_ms);
    return;
  }
  std::fprintf(out,
               "\nstages (ms)  load %.2f | partition %.2f | prepare %.2f | plan "
               "%.2f | first invoke %.2f | time to first result %.2f\n",
               s.load_ms, s.partition_ms, s.prepare_ms, s.plan_ms,
               s.first_invoke_ms,
               s.load_ms + s.partition_ms + s.prepare_ms + s.plan_ms + s.first_invoke_ms);
  if (s.replans > 0) {
    std::fprintf(out,
                 "replans      %d during the invokes, %.2f ms in all (shapes set by values "
                 "computed at run time: docs/engine.md)\n",
                 s.replans, s.replan_ms);
  }
}

void print_latency(const ResultDocument& d, std::FILE* out) {
  const LatencyStats& l = d.latency_ms;
  std::fprintf(out,
               "latency (ms, %lld warm runs)  median %.3f | mean %.3f | min %.3f "
               "| p90 %.3f | p99 %.3f | max %.3f | stddev %.3f\n",
               static_cast<long long>(l.count), l.median, l.mean, l.min, l.p90,
               l.p99, l.max, l.stddev);
  // The headline above is unprofiled; what the per-op tables cost.
  const ProfilingOverhead& p = d.profiling;
  if (!p.empty()) {
    std::fprintf(out,
                 "profiling  %lld profiled invokes (blocks of %lld, interleaved; not in the "
                 "latency above): median %.3f ms vs %.3f ms unprofiled, overhead %+.1f%%\n",
                 static_cast<long long>(p.profiled_invokes),
                 static_cast<long long>(p.block_invokes), p.profiled_median_ms,
                 p.unprofiled_median_ms, p.overhead_pct);
  }
  const MemoryStats& m = d.memory;
  if (d.on_pytorch()) {
    std::fprintf(out, "memory  peak RSS %s | RSS after load %s\n",
                 format_bytes(m.peak_rss_bytes).c_str(),
                 format_bytes(m.rss_after_load_bytes).c_str());
    return;
  }
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
  TextTable t;
  t.add_column("type", Align::kLeft);
  t.add_column("nodes");
  t.add_column("avg_us");
  t.add_column("%");
  t.add_column("cdf%");
  t.add_column("MACs");
  t.add_column("GMAC/s");
  t.add_column("weights");
  for (const reports::TypeShare& s : reports::op_type_breakdown(d)) {
    t.add_row({s.type, std::to_string(s.nodes), format_fixed(s.total_us, 1),
               format_fixed(s.pct, 2), format_fixed(s.cdf_pct, 2), format_count(s.macs),
               s.total_us > 0 && s.macs > 0
                   ? format_fixed(static_cast<double>(s.macs) / s.total_us / 1e3, 2)
                   : "-",
               format_bytes(s.weights_bytes)});
  }
  std::fprintf(out, "\n== summary by op type ==\n");
  t.print(out);
}

}  // namespace

void print_run_warnings(const ResultDocument& d, std::FILE* out, const char* prefix) {
  for (const std::string& w : d.warnings) std::fprintf(out, "%s%s\n", prefix, w.c_str());
}

namespace {

void print_ops(const ResultDocument& d, const RunReportOptions& opts, std::FILE* out) {
  const bool timed = std::any_of(d.ops.begin(), d.ops.end(),
                                 [](const OpStats& o) { return o.count > 0; });
  if (!timed) {
    std::fprintf(out, "\n(per-op timing off: --no-op-profile)\n");
  }
  if (opts.run_order) {
    TextTable t;
    add_op_columns(t, d.on_pytorch());
    for (const OpStats* op : reports::ops_in_run_order(d)) {
      t.add_row(op_row(*op, op->cdf_pct, !d.on_pytorch()));
    }
    std::fprintf(out, "\n== operators, run order ==\n");
    t.print(out);
  }
  if (timed && opts.top_n > 0) {
    TextTable t;
    add_op_columns(t, d.on_pytorch());
    double cdf = 0;
    for (const OpStats* op : reports::top_ops(d, opts.top_n)) {
      cdf += op->pct;
      t.add_row(op_row(*op, cdf, !d.on_pytorch()));
    }
    std::fprintf(out, "\n== top %d operators by average time ==\n", opts.top_n);
    t.print(out);
  }
  print_type_summary(d, out);
  const double op_sum_ms = reports::ops_total_us(d) / 1e3;
  if (timed && !d.profiling.empty()) {
    // Per-op averages come from the profiled invokes: compare like with like.
    std::fprintf(out,
                 "\nsum of per-op averages %.3f ms; profiled invoke median %.3f ms "
                 "(the difference is dispatch); unprofiled %.3f ms\n",
                 op_sum_ms, d.profiling.profiled_median_ms, d.profiling.unprofiled_median_ms);
  } else if (timed) {
    std::fprintf(out,
                 "\nsum of per-op averages %.3f ms; invoke mean %.3f ms "
                 "(the difference is dispatch and profiling overhead)\n",
                 op_sum_ms, d.latency_ms.mean);
  }
}

}  // namespace

void print_run_report(const ResultDocument& d, const RunReportOptions& opts,
                      std::FILE* out) {
  print_header(d, out);
  print_stages(d, out);
  print_latency(d, out);
  if (!d.ops.empty()) print_ops(d, opts, out);
  // Last, where the terminal leaves them in sight.
  if (!d.warnings.empty()) {
    std::fprintf(out, "\n== warnings: the device may not have run at its best "
                      "(docs/result-document.md \"warnings\") ==\n");
    print_run_warnings(d, out, "warning: ");
  }
}

}  // namespace opscope::cli

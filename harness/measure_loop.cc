#include "harness/measure_loop.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "harness/statistics.h"

namespace opscope::harness {
namespace {

// Spins (no sleep: the scheduler would add its own latency) for `ns`.
void busy_wait_ns(uint64_t ns) {
  const uint64_t until = now_ns() + ns;
  while (now_ns() < until) {
  }
}

double elapsed_secs(uint64_t since_ns) { return static_cast<double>(now_ns() - since_ns) / 1e9; }

}  // namespace

ResultDocument failed_case(ResultDocument doc, const Status& st) {
  doc.status = "error";
  doc.error.code = std::string(to_string(st.code()));
  doc.error.message = st.message();
  return doc;
}

void fill_op_times(const profilers::LatencyProfiler& profiler, int node, OpStats& op) {
  const std::vector<uint64_t>& s = profiler.node_samples(node);
  std::vector<double> us(s.size());
  for (size_t k = 0; k < s.size(); ++k) us[k] = static_cast<double>(s[k]) / 1e3;
  const LatencyStats st = summarize_latency(us);
  op.count = st.count;
  op.mean_us = st.mean;
  op.median_us = st.median;
  op.min_us = st.min;
  op.max_us = st.max;
  op.first_us = static_cast<double>(profiler.node_first_ns(node)) / 1e3;
  op.runs_per_invoke =
      s.empty() ? 0.0 : static_cast<double>(profiler.node_runs(node)) / static_cast<double>(s.size());
}

void fill_op_shares(std::vector<OpStats>& ops) {
  // Ops inside control-flow bodies are part of their node's time: they get
  // their share of the total but add nothing to it or to the running sum.
  double total = 0;
  for (const OpStats& op : ops) {
    if (op.depth == 0) total += op.mean_us;
  }
  double cdf = 0;
  for (OpStats& op : ops) {
    op.pct = total > 0 ? 100.0 * op.mean_us / total : 0.0;
    if (op.depth == 0) cdf += op.pct;
    // A body's op comes after its parent (control_flow.h's layout).
    const bool nested = op.parent >= 0 && op.parent < static_cast<int>(ops.size());
    op.cdf_pct = nested ? ops[static_cast<size_t>(op.parent)].cdf_pct : cdf;
  }
}

Status measure_invokes(const CaseConfig& cfg, const InvokeFn& invoke,
                       profilers::LatencyProfiler* op_profiler, profilers::TraceRecorder& trace,
                       const std::function<void(const std::string&)>& say, ResultDocument& doc) {
  // First invoke: cold caches, lazy work; reported on its own.
  uint64_t t0 = now_ns();
  Status st = invoke(op_profiler);
  const uint64_t first_end = now_ns();
  doc.stages.first_invoke_ms = ns_to_ms(first_end - t0);
  trace.record_stage("first_invoke", t0, first_end);
  if (!st.is_ok()) return st;
  if (op_profiler) op_profiler->end_invoke();

  // Warm-up: by count and by time, both.
  say("warming up");
  const uint64_t warm_start = now_ns();
  for (int i = 0; i < cfg.warmup_runs || elapsed_secs(warm_start) < cfg.warmup_secs; ++i) {
    st = invoke(op_profiler);
    if (!st.is_ok()) return st;
    if (op_profiler) op_profiler->end_invoke();
  }
  if (op_profiler) op_profiler->clear_samples();

  // Measure. Unprofiled and profiled blocks of `block` invokes alternate
  // (U P U P ...): the headline latency_ms is the unprofiled invokes only,
  // and the stopping rule holds for them exactly as without profiling (at
  // least --runs of them and --min-secs of their summed time, or --max-secs
  // of the whole measurement). Interleaving, rather than one profiled run
  // after the other, exposes both kinds to the same drift of the machine, so
  // that their difference is the profiler's cost. Once the rule is met, one
  // last profiled block runs, so that per-op rows always have samples.
  // --no-op-profile: unprofiled blocks only.
  const int block = std::clamp(cfg.runs / 4, 1, 8);
  const size_t expected = static_cast<size_t>(std::max(cfg.runs, 16) + 16);
  std::vector<double> samples, profiled_samples;
  samples.reserve(expected);
  if (op_profiler) profiled_samples.reserve(expected);
  double unprofiled_secs = 0;
  const uint64_t measure_start = now_ns();
  uint64_t last_report = measure_start;
  bool enough = false, out_of_time = false;
  auto timed_invoke = [&](profilers::LatencyProfiler* p, std::vector<double>& into) -> Status {
    const uint64_t begin = now_ns();
    Status s = invoke(p);
    if (!s.is_ok()) return s;
    if (cfg.inject_delay_us > 0) busy_wait_ns(static_cast<uint64_t>(cfg.inject_delay_us) * 1000);
    const uint64_t end = now_ns();
    into.push_back(ns_to_ms(end - begin));
    // Profiled invokes carry the op timeline; without --op-profile the
    // trace keeps the unprofiled invokes' spans.
    if ((p || !op_profiler) && trace.wants_invoke()) {  // before end_invoke() clears the events
      trace.record_invoke(begin, end, p ? p->pending_events()
                                        : std::span<const profilers::LatencyProfiler::OpEvent>{});
    }
    if (p) p->end_invoke();
    if (end - last_report > 1000000000ull) {
      last_report = end;
      char line[128];
      std::snprintf(line, sizeof(line), "measuring: %zu runs (+%zu profiled), %.1f s",
                    samples.size(), profiled_samples.size(), elapsed_secs(measure_start));
      say(line);
    }
    out_of_time = elapsed_secs(measure_start) >= cfg.max_secs && !samples.empty();
    return Status::ok();
  };
  while (!enough && !out_of_time) {
    for (int i = 0; i < block && !enough && !out_of_time; ++i) {
      st = timed_invoke(nullptr, samples);
      if (!st.is_ok()) return st;
      unprofiled_secs += samples.back() / 1e3;
      enough = static_cast<int>(samples.size()) >= cfg.runs && unprofiled_secs >= cfg.min_secs;
    }
    for (int i = 0; op_profiler && i < block && !out_of_time; ++i) {
      st = timed_invoke(op_profiler, profiled_samples);
      if (!st.is_ok()) return st;
    }
  }
  if (!profiled_samples.empty()) {
    doc.profiling.profiled_invokes = static_cast<int64_t>(profiled_samples.size());
    doc.profiling.block_invokes = block;
    doc.profiling.profiled_median_ms = summarize_latency(profiled_samples).median;
    doc.profiling.unprofiled_median_ms = summarize_latency(samples).median;
    if (doc.profiling.unprofiled_median_ms > 0) {
      doc.profiling.overhead_pct =
          100.0 * (doc.profiling.profiled_median_ms / doc.profiling.unprofiled_median_ms - 1.0);
    }
  }
  doc.latency_ms = summarize_latency(samples);
  return Status::ok();
}

}  // namespace opscope::harness

#include "reports/chrome_trace.h"

#include <map>
#include <set>

#include "reports/report_text.h"
#include "reports/run_summary.h"

namespace opscope::reports {
namespace {

using nlohmann::json;

json metadata(const char* what, int pid, int64_t tid, const json& args) {
  json e = {{"name", what}, {"ph", "M"}, {"pid", pid}, {"args", args}};
  if (tid >= 0) e["tid"] = tid;
  return e;
}

json slice(const std::string& name, const std::string& cat, double ts, double dur, int pid,
           int64_t tid, json args) {
  return {{"name", name}, {"cat", cat},  {"ph", "X"},          {"ts", ts},
          {"dur", dur},   {"pid", pid},  {"tid", tid},         {"args", std::move(args)}};
}

json op_args(const OpStats& op, int invoke) {
  json args = {{"node_name", op.name},          {"op_type", op.type},
               {"backend", op.backend},         {"index", op.index},
               {"source_index", op.source_index}, {"invoke", invoke},
               {"output_shapes", op.output_shapes}, {"macs", op.macs},
               {"live_bytes", op.live_bytes},   {"weights_bytes", op.weights_bytes},
               {"scratch_bytes", op.scratch_bytes}};
  if (op.depth > 0) {  // inside a control-flow node's slice, on the same thread
    args["parent"] = op.parent;
    args["body"] = op.body;
    args["runs_per_invoke"] = op.runs_per_invoke;
  }
  return args;
}

// A run with a recorded trace: real timestamps, real threads.
void add_recorded(const ResultDocument& d, int pid, json& events) {
  std::set<int64_t> tids;
  for (const auto& s : d.trace.stages) {
    events.push_back(slice(s.name, "stage", s.begin_us, s.dur_us, pid, s.tid, json::object()));
    tids.insert(s.tid);
  }
  for (const auto& inv : d.trace.invokes) {
    const double ms = inv.dur_us / 1e3;
    events.push_back(slice("invoke #" + std::to_string(inv.index), "invoke", inv.begin_us,
                           inv.dur_us, pid, inv.tid,
                           {{"invoke", inv.index}, {"latency_ms", ms}}));
    tids.insert(inv.tid);
    for (const auto& e : inv.ops) {
      if (e.node < 0 || e.node >= static_cast<int>(d.ops.size())) continue;
      const auto& op = d.ops[e.node];
      events.push_back(slice(op.type, "op," + op.backend, e.begin_us, e.dur_us, pid, inv.tid,
                             op_args(op, inv.index)));
    }
  }
  int order = 0;
  for (int64_t tid : tids) {
    events.push_back(metadata("thread_name", pid, tid,
                              {{"name", "runner thread " + std::to_string(tid)}}));
    events.push_back(metadata("thread_sort_index", pid, tid, {{"sort_index", order++}}));
  }
}

// No trace stored: stages back to back, then one invoke laid out from the
// per-op means in run order.
void add_synthesized(const ResultDocument& d, int pid, json& events) {
  const int64_t tid = 1;
  const json synth = {{"synthesized", true}};
  double t = 0;
  const std::pair<const char*, double> stages[] = {
      {"load", d.stages.load_ms},       {"partition", d.stages.partition_ms},
      {"prepare", d.stages.prepare_ms}, {"plan", d.stages.plan_ms},
      {"first_invoke", d.stages.first_invoke_ms}};
  for (const auto& [name, ms] : stages) {
    events.push_back(slice(name, "stage", t, ms * 1e3, pid, tid, synth));
    t += ms * 1e3;
  }
  // The main graph's ops end to end; ops inside control-flow bodies are
  // within their node's time, which has no place for them here.
  const double total = ops_total_us(d);
  if (total > 0) {
    events.push_back(slice("invoke (per-op means)", "invoke", t, total, pid, tid, synth));
    for (const auto& op : d.ops) {
      if (op.depth > 0) continue;
      json args = op_args(op, 0);
      args["synthesized"] = true;
      events.push_back(slice(op.type, "op," + op.backend, t, op.mean_us, pid, tid, args));
      t += op.mean_us;
    }
  }
  events.push_back(metadata("thread_name", pid, tid,
                            {{"name", "synthesized from aggregates (no trace stored)"}}));
}

}  // namespace

json render_chrome_trace(const std::vector<store::StoredRun>& runs) {
  json events = json::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    const store::StoredRun& run = runs[i];
    const auto& d = run.doc;
    const int pid = run.id > 0 ? static_cast<int>(run.id) : static_cast<int>(i) + 1;
    std::string pname = run_label(run);
    if (d.status != "ok") pname += " (error: " + d.error.code + ")";
    events.push_back(metadata("process_name", pid, -1, {{"name", pname}}));
    events.push_back(metadata("process_sort_index", pid, -1, {{"sort_index", i}}));
    if (!d.trace.empty()) {
      add_recorded(d, pid, events);
    } else if (d.status == "ok") {
      add_synthesized(d, pid, events);
    }
  }
  json out;
  out["traceEvents"] = std::move(events);
  out["displayTimeUnit"] = "ms";
  out["otherData"] = {{"generator", "opscope report"}};
  if (!runs.empty()) {
    out["otherData"]["version"] = runs.front().doc.tool.version;
    out["otherData"]["git_commit"] = runs.front().doc.tool.git_commit;
  }
  return out;
}

}  // namespace opscope::reports

#include "harness/run_case.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "engine/control_flow.h"
#include "engine/macs.h"
#include "adapters/devices/probe.h"
#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "engine/session.h"
#include "result/op_category.h"
#include "harness/cpu_affinity.h"
#include "harness/device_warnings.h"
#include "harness/environment.h"
#include "harness/measure_loop.h"
#include "harness/run_pytorch_case.h"
#include "harness/model_loader.h"
#include "harness/session_io.h"
#include "harness/state_carry.h"
#include "harness/sha256.h"
#include "harness/trace_capture.h"
#include "profilers/latency_profiler.h"
#include "profilers/process_memory.h"
#include "profilers/trace_recorder.h"

namespace opscope::harness {
namespace {

void describe_model(const Model& model, const Graph& prepared,
                    ModelSummary& out) {
  out.path = model.info.path;
  out.name = model.info.name;
  out.sha256 = sha256_file_hex(model.info.path);
  out.format = std::string(to_string(model.info.format));
  out.size_bytes = static_cast<int64_t>(model.info.size_bytes);
  out.precision = std::string(to_string(model.info.weight_precision));
  out.nodes = model.info.source_nodes;
  out.params = model.info.params;
  out.macs = graph_macs(prepared);
}

// Whether every tensor of `n` has a known shape: a body's graph keeps the
// shapes the importer inferred, which may leave a dim free.
bool shapes_known(const Graph& g, const Node& n) {
  for (const std::vector<int>* ids : {&n.inputs, &n.outputs}) {
    for (int id : *ids) {
      if (id < 0) continue;
      for (auto d : g.tensors[static_cast<size_t>(id)].shape) {
        if (d < 0) return false;
      }
    }
  }
  return true;
}

// Per-op rows, one per node of the profiled index space (control_flow.h):
// the main graph's nodes in execution order, then the ops inside
// control-flow bodies, each naming its parent. % of the summed mean times
// and the cumulative % count the main graph's rows.
std::vector<OpStats> collect_ops(const Session& session,
                                 const profilers::LatencyProfiler* profiler) {
  const Graph& g = session.graph();
  const PartitionPlan& plan = session.partition_plan();
  const MemoryPlan& mem = session.memory_plan();
  const std::vector<ProfiledNode> nodes = profiled_nodes(g);
  std::vector<OpStats> ops;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    const ProfiledNode& p = nodes[static_cast<size_t>(i)];
    const Graph& graph = *p.graph;
    const Node& n = graph.nodes[static_cast<size_t>(p.node)];
    OpStats op;
    op.index = i;
    op.source_index = n.source_index;
    op.fused_sources = n.fused_sources;
    op.name = n.name;
    op.type = n.type_name.empty() ? std::string(to_string(n.op)) : n.type_name;
    op.category = std::string(op_category_of_type(to_string(n.op)));
    op.parent = p.parent;
    op.depth = p.depth;
    op.body = p.role;
    op.macs = shapes_known(graph, n) ? node_macs(graph, n) : 0;
    if (p.depth == 0) {
      op.backend = session.backend_names()[plan.node_backend[i]];
      op.live_bytes = static_cast<int64_t>(mem.nodes[i].live_bytes);
      op.weights_bytes = static_cast<int64_t>(mem.nodes[i].weights_bytes);
      op.scratch_bytes = static_cast<int64_t>(mem.nodes[i].scratch_bytes);
    } else if (profiler != nullptr && profiler->node_backend(i) >= 0) {
      // Bodies run as sessions on the session's backend list, so the id
      // indexes the same names.
      const int b = profiler->node_backend(i);
      if (b < static_cast<int>(session.backend_names().size())) op.backend = session.backend_names()[b];
    }
    for (int id : n.outputs) {
      if (id >= 0) op.output_shapes.push_back(shape_to_string(graph.tensors[id].shape));
    }
    if (profiler) fill_op_times(*profiler, i, op);
    ops.push_back(std::move(op));
  }
  fill_op_shares(ops);
  return ops;
}

// How long the probe script may take before the state is left empty.
constexpr double kProbeTimeoutSecs = 10;

// The device's state now (governors, frequencies, temperatures, battery):
// one run of the probe script. A probe that fails leaves the state empty; it
// is never an error of the case.
DeviceState probe_state() {
  auto probe = devices::probe_here(kProbeTimeoutSecs);
  return probe.is_ok() ? probe->state : DeviceState{};
}

// The case itself: `doc` arrives with the tool, device, config and model
// path filled in.
ResultDocument measure_case(const RunRequest& req, ResultDocument doc) {
  const CaseConfig& cfg = req.config;
  auto say = [&](const std::string& line) {
    if (req.progress) req.progress(line);
  };

  // Pin first: the session's thread pool inherits the mask.
  auto mask = pin_to_cpus(cfg.cpus);
  if (!mask.is_ok()) return failed_case(doc, mask.status());
  doc.config.affinity = *mask;

  // Load.
  const uint64_t load_start = now_ns();
  auto loaded = load_model(req.model_path, ModelLoadOptions{cfg.shapes, cfg.freeze});
  if (!loaded.is_ok()) return failed_case(doc, loaded.status());
  std::shared_ptr<Model> model = std::move(loaded).value();
  const uint64_t load_end = now_ns();
  doc.stages.load_ms = ns_to_ms(load_end - load_start);
  doc.memory.rss_after_load_bytes = static_cast<int64_t>(profilers::current_rss_bytes());

  // Partition, prepare, plan — with the profiler attached for the stages.
  const int num_nodes = profiled_node_count(model->graph);
  const int expected_invokes = std::max(cfg.runs, 16) + 16;
  profilers::LatencyProfiler profiler(num_nodes, expected_invokes);
  profilers::TraceRecorder trace(cfg.trace_invokes, profiler.event_capacity());
  SessionOptions options;
  options.backends = cfg.backends;
  options.threads = cfg.threads;
  options.min_partition_size = cfg.min_partition_size;
  options.profiler = &profiler;
  say("preparing " + doc.model.name);
  auto created = Session::create(model, options);
  if (!created.is_ok()) return failed_case(doc, created.status());
  std::unique_ptr<Session> session = std::move(created).value();
  describe_model(*model, session->graph(), doc.model);
  record_setup_stages(trace, profiler, load_start, load_end);
  doc.stages.partition_ms = ns_to_ms(profiler.stage_ns(Stage::kPartition));
  doc.stages.prepare_ms = ns_to_ms(profiler.stage_ns(Stage::kPrepare));
  doc.stages.plan_ms = ns_to_ms(profiler.stage_ns(Stage::kPlan));

  Status st = feed_inputs(*session, cfg.inputs, cfg.seed);
  if (!st.is_ok()) return failed_case(doc, st);
  auto carries = plan_state_carry(*session, cfg.carry_state);
  if (!carries.is_ok()) return failed_case(doc, carries.status());

  profilers::LatencyProfiler* op_profiler = cfg.op_profile ? &profiler : nullptr;
  st = measure_invokes(
      cfg,
      [&](profilers::LatencyProfiler* p) {
        session->set_profiler(p);
        Status s = session->invoke();
        if (s.is_ok()) carry_state(*session, *carries);
        return s;
      },
      op_profiler, trace, say, doc);
  if (!st.is_ok()) return failed_case(doc, st);
  // After the runs: a model whose shapes follow run-time values is planned
  // in full only once an invoke has learned them.
  for (const Partition& p : session->partition_plan().partitions) {
    doc.partitions.push_back({session->backend_names()[p.backend_id], p.nodes});
  }
  doc.stages.replans = session->replans();
  doc.stages.replan_ms = ns_to_ms(profiler.stage_ns(Stage::kReplan));
  session->set_profiler(op_profiler);
  doc.ops = collect_ops(*session, op_profiler);
  doc.trace = export_trace(trace);

  const MemoryPlan& mem = session->memory_plan();
  doc.memory.arena_bytes = static_cast<int64_t>(mem.arena_bytes);
  doc.memory.arena_lower_bound_bytes = static_cast<int64_t>(mem.arena_lower_bound_bytes);
  doc.memory.weights_bytes = static_cast<int64_t>(mem.weights_bytes);
  doc.memory.pinned_bytes = static_cast<int64_t>(mem.pinned_bytes);
  doc.memory.peak_rss_bytes = static_cast<int64_t>(profilers::peak_rss_bytes());

  doc.outputs = describe_outputs(*session);
  if (!req.save_outputs_dir.empty()) {
    st = save_outputs(*session, req.save_outputs_dir);
    if (!st.is_ok()) return failed_case(doc, st);
  }
  return doc;
}

}  // namespace

ResultDocument run_case(const RunRequest& req) {
  ResultDocument doc;
  doc.tool = capture_tool();
  doc.device = capture_device();
  doc.config = req.config;
  doc.model.path = req.model_path;
  doc.model.name = std::filesystem::path(req.model_path).filename().string();
  // The state before and after the case (before pinning and loading, after
  // the last invoke): a few milliseconds each, outside every timed region.
  doc.state_before = probe_state();
  if (pytorch::is_pytorch_path(req.model_path)) {
    doc = measure_pytorch_case(req.model_path, req.config, req.save_outputs_dir, req.progress,
                               std::move(doc));
  } else {
    doc = measure_case(req, std::move(doc));
  }
  doc.state_after = probe_state();
  doc.warnings = device_warnings(doc.state_before, doc.state_after, doc.config);
  return doc;
}

}  // namespace opscope::harness

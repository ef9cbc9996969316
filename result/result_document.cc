#include "result/result_document.h"

#include <algorithm>

#include "result/utf8.h"

namespace opscope {

using nlohmann::json;

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ToolInfo, name, version,
                                                git_commit, build_type,
                                                compiler)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CpuCluster, name, cpus, max_khz)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DeviceInfo, id, kind, os, arch,
                                                cpu_model, cores, ram_bytes,
                                                governor, emulated, native_isa,
                                                hostname, clusters, android_model,
                                                android_release, android_abi)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CpuState, cpu, cur_khz, max_khz, governor)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ThermalZone, type, temp_c)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DeviceState, cpus, thermal, battery_pct,
                                                battery_temp_c)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelSummary, path, name,
                                                sha256, format, size_bytes,
                                                precision, nodes, params, macs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseConfig, backends, threads,
                                                runs, warmup_runs, warmup_secs,
                                                min_secs, max_secs, inputs,
                                                seed, affinity, op_profile,
                                                min_partition_size, cpus,
                                                trace_invokes, inject_delay_us,
                                                shapes, carry_state, freeze, torch_engine,
                                                torch_memory_format)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Stages, load_ms, partition_ms,
                                                plan_ms, prepare_ms,
                                                first_invoke_ms, replans, replan_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LatencyStats, count, min, max,
                                                mean, median, stddev, p90, p95,
                                                p99, samples)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    MemoryStats, peak_rss_bytes, rss_after_load_bytes, arena_bytes,
    arena_lower_bound_bytes, weights_bytes, heap_peak_bytes, pinned_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    OpStats, index, source_index, fused_sources, name, type, backend, category, count, first_us,
    mean_us, median_us, min_us, max_us, pct, cdf_pct, macs, live_bytes,
    weights_bytes, scratch_bytes, output_shapes, allocated_bytes, parent, depth, body,
    runs_per_invoke)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PartitionInfo, backend, nodes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OutputInfo, name, dtype, shape,
                                                checksum)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ErrorInfo, code, message)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TraceSpan, name, begin_us,
                                                dur_us, tid)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TraceOpEvent, node, begin_us,
                                                dur_us)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TraceInvoke, index, begin_us,
                                                dur_us, tid, ops)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Trace, stages, invokes,
                                                dropped_events)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProfilingOverhead,
                                                profiled_median_ms,
                                                unprofiled_median_ms,
                                                overhead_pct, profiled_invokes,
                                                block_invokes)

double DeviceState::max_temp_c() const {
  double hottest = -1;
  for (const ThermalZone& z : thermal) hottest = std::max(hottest, z.temp_c);
  return hottest;
}

json op_to_json(const OpStats& op) { return op; }

OpStats op_from_json(const json& j) { return j.get<OpStats>(); }

json to_json(const ResultDocument& d) {
  json j;
  j["schema_version"] = d.schema_version;
  j["tool"] = d.tool;
  j["device"] = d.device;
  j["model"] = d.model;
  j["config"] = d.config;
  j["stages"] = d.stages;
  if (d.stages.replans == 0) {  // only models whose shapes follow run-time values re-plan
    j["stages"].erase("replans");
    j["stages"].erase("replan_ms");
  }
  j["latency_ms"] = d.latency_ms;
  j["memory"] = d.memory;
  j["ops"] = d.ops;
  j["partitions"] = d.partitions;
  j["outputs"] = d.outputs;
  j["status"] = d.status;
  if (d.status != "ok") j["error"] = d.error;
  if (!d.trace.empty()) j["trace"] = d.trace;
  if (!d.profiling.empty()) j["profiling"] = d.profiling;
  if (!d.state_before.empty() || !d.state_after.empty()) {
    j["device_state"] = {{"before", d.state_before}, {"after", d.state_after}};
  }
  if (!d.warnings.empty()) j["warnings"] = d.warnings;
  if (!d.on_pytorch()) {
    for (json& op : j["ops"]) op.erase("allocated_bytes");
  } else {
    // Absent, not zero: what only our engine measures.
    j["model"].erase("macs");
    if (d.model.params == 0) j["model"].erase("params");  // prepacked: not counted
    for (const char* k : {"arena_bytes", "arena_lower_bound_bytes", "weights_bytes",
                          "heap_peak_bytes", "pinned_bytes"}) {
      j["memory"].erase(k);
    }
    for (const char* k : {"partition_ms", "plan_ms"}) j["stages"].erase(k);
    for (json& op : j["ops"]) {
      for (const char* k : {"macs", "live_bytes", "weights_bytes", "scratch_bytes",
                            "fused_sources"}) {
        op.erase(k);
      }
    }
  }
  // Names and paths come from model files and flags as bytes.
  escape_invalid_utf8(j);
  return j;
}

namespace {

// Throws nlohmann::json exceptions on a field of the wrong type.
ResultDocument result_from_json(const json& j) {
  ResultDocument d;
  d.schema_version = j.value("schema_version", 0);
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key)) field = j.at(key).get<std::decay_t<decltype(field)>>();
  };
  get("tool", d.tool);
  get("device", d.device);
  get("model", d.model);
  get("config", d.config);
  get("stages", d.stages);
  get("latency_ms", d.latency_ms);
  get("memory", d.memory);
  get("ops", d.ops);
  get("partitions", d.partitions);
  get("outputs", d.outputs);
  get("status", d.status);
  get("error", d.error);
  get("trace", d.trace);
  get("profiling", d.profiling);
  if (j.contains("device_state")) {
    const json& s = j.at("device_state");
    if (s.contains("before")) d.state_before = s.at("before").get<DeviceState>();
    if (s.contains("after")) d.state_after = s.at("after").get<DeviceState>();
  }
  get("warnings", d.warnings);
  return d;
}

}  // namespace

std::optional<ResultDocument> parse_result_document(const json& j, std::string* error) {
  if (!j.is_object()) {
    if (error) *error = "not a JSON object";
    return std::nullopt;
  }
  try {
    return result_from_json(j);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

std::optional<ResultDocument> parse_result_document_text(std::string_view text, json* value,
                                                    std::string* error) {
  // A document stored by an older version may hold bytes that are not
  // UTF-8; they are read as \xNN (result/utf8.h), not refused.
  json j = json::parse(escape_invalid_utf8_in_json_text(text), nullptr,
                       /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    if (error) *error = "not valid JSON";
    return std::nullopt;
  }
  std::optional<ResultDocument> doc = parse_result_document(j, error);
  if (doc && value) *value = std::move(j);
  return doc;
}

}  // namespace opscope

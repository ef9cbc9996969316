// The result document (runner -> host), schema version 1: its own target
// (opscope_result), needing only nlohmann/json, so that the store, the
// reports and the dashboard read results without linking the engine.
//
// One JSON object per case; field names are a contract (see
// docs/result-document.md and ARCHITECTURE.md). Times are milliseconds as
// doubles unless a name says _ns or _us; sizes are bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace opscope {

inline constexpr int kSchemaVersion = 1;

struct ToolInfo {
  std::string name = "opscope";
  std::string version, git_commit, build_type, compiler;
};

// A group of cores with one maximum frequency (big.LITTLE: "little", "mid",
// "big" by rising max frequency; one cluster on most x86 machines: "all").
struct CpuCluster {
  std::string name;
  std::vector<int> cpus;
  int64_t max_khz = 0;
};

struct DeviceInfo {
  // id: the configured device name (`opscope devices`), or this machine's
  // host name for a local run. hostname: what the device calls itself.
  std::string id, kind = "local", os, arch, cpu_model, governor, hostname;
  int cores = 0;
  int64_t ram_bytes = 0;
  bool emulated = false;
  // The instruction set of the native backend's kernels in the process
  // that ran the case (native_env.h selected_isa(): the CPU's best, or
  // OPSCOPE_NATIVE_ISA's): "portable", "avx2", "avxvnni", "avx512vnni",
  // "neondot". Empty in documents from before it was recorded.
  std::string native_isa;
  std::vector<CpuCluster> clusters;  // optional in JSON
  // Android only (empty elsewhere): ro.product.model,
  // ro.build.version.release, ro.product.cpu.abi.
  std::string android_model, android_release, android_abi;
};

// The device's state at one moment, read before and after each case
// (governors, frequencies, temperatures): what makes two runs of one build
// differ on phones and boards. A value that cannot be read stays at its
// default (0, "", -1 for the battery).
struct CpuState {
  int cpu = 0;
  int64_t cur_khz = 0, max_khz = 0;
  std::string governor;
};
struct ThermalZone {
  std::string type;  // e.g. "x86_pkg_temp", "cpu-thermal"
  double temp_c = 0;
};
struct DeviceState {
  std::vector<CpuState> cpus;
  std::vector<ThermalZone> thermal;
  double battery_pct = -1, battery_temp_c = -1;
  bool empty() const { return cpus.empty() && thermal.empty() && battery_pct < 0; }
  // The hottest thermal zone, or -1 when none was readable.
  double max_temp_c() const;
};

struct ModelSummary {
  std::string path, name, sha256, format, precision;
  int64_t size_bytes = 0, nodes = 0, params = 0, macs = 0;
};

struct CaseConfig {
  std::vector<std::string> backends = {"cpu"};
  int threads = 1;
  int runs = 50;  // minimum measured invokes
  int warmup_runs = 3;
  double warmup_secs = 0.0;
  double min_secs = 1.0;
  double max_secs = 60.0;
  std::vector<std::string> inputs;  // "NAME=FILE.npy" or "random"
  uint64_t seed = 1;
  std::string affinity;  // the CPU mask in force, e.g. "0,1"
  bool op_profile = true;
  int min_partition_size = 1;
  std::string cpus;  // what the user asked for with --cpus ("" = no pinning)
  std::vector<std::string> shapes;  // --shape NAME=1x3x224x224 (ONNX free dims)
  // --carry-state OUT=IN: after each invoke, output OUT is copied into
  // input IN (a stateful model's state; harness/state_carry.h).
  std::vector<std::string> carry_state;
  // --freeze NAME=NUMBER|NAME=FILE.npy: ONNX graph inputs made constants at
  // load (harness/model_loader.h).
  std::vector<std::string> freeze;
  int trace_invokes = 3;  // measured invokes whose op timeline is kept
  // Test only: busy-wait this long after each measured invoke, inside the
  // timed region (a known slowdown for the gate's power test).
  int64_t inject_delay_us = 0;
  // PyTorch files only (docs/pytorch.md): the quantized engine PyTorch's
  // int8 operators ran on ("qnnpack", "fbgemm", "onednn") and the memory
  // format of 4-d inputs ("channels_last", "contiguous"); empty otherwise.
  std::string torch_engine, torch_memory_format;
};

struct Stages {
  double load_ms = 0, partition_ms = 0, plan_ms = 0, prepare_ms = 0,
         first_invoke_ms = 0;
  // Re-plans inside invokes (shapes set by run-time values,
  // engine/value_operands.h): how many over the whole run, and their time.
  int replans = 0;
  double replan_ms = 0;
};

struct LatencyStats {
  int64_t count = 0;
  double min = 0, max = 0, mean = 0, median = 0, stddev = 0, p90 = 0,
         p95 = 0, p99 = 0;
  std::vector<double> samples;
};

struct MemoryStats {
  int64_t peak_rss_bytes = 0, rss_after_load_bytes = 0, arena_bytes = 0,
          arena_lower_bound_bytes = 0, weights_bytes = 0, heap_peak_bytes = 0,
          pinned_bytes = 0;
};

struct OpStats {
  int index = 0, source_index = 0;
  // The other file nodes this op covers when it is a fused group (the
  // Dequantize/Quantize/Relu nodes of an int8 op): its time is theirs too.
  std::vector<int> fused_sources;
  std::string name, type, backend;
  // "conv", "depthwise", "linear", "pooling", "activation" or "other"
  // (op_category.h); empty in documents written before it existed.
  std::string category;
  int64_t count = 0;
  double first_us = 0, mean_us = 0, median_us = 0, min_us = 0, max_us = 0;
  double pct = 0, cdf_pct = 0;
  int64_t macs = 0, live_bytes = 0, weights_bytes = 0, scratch_bytes = 0;
  // PyTorch runs only (absent for our engine, whose memory plan gives the
  // fields above): the bytes the call allocated from PyTorch's CPU
  // allocator in a profiled invoke.
  int64_t allocated_bytes = 0;
  std::vector<std::string> output_shapes;
  // An op inside a control-flow body (an If's branch, a loop's body): the
  // index in `ops` of the node that ran it, its depth (0: the main graph)
  // and the body's role ("then_branch", ...). Its times are per invoke
  // (the sum of its runs in that invoke, over the invokes that ran it);
  // runs_per_invoke is how many times it ran in such an invoke (1 for
  // main-graph ops). Its memory fields are 0: a body's memory is its own.
  int parent = -1, depth = 0;
  std::string body;
  double runs_per_invoke = 1;
};

struct PartitionInfo {
  std::string backend;
  std::vector<int> nodes;
};

struct OutputInfo {
  std::string name, dtype, shape, checksum;
};

struct ErrorInfo {
  std::string code, message;
};

// The timeline of the first K measured invokes (--trace-invokes K): every
// op event and the setup stages, in microseconds since the load began, with
// the kernel thread id. Empty when tracing is off.
struct TraceSpan {
  std::string name;
  double begin_us = 0, dur_us = 0;
  int64_t tid = 0;
};
struct TraceOpEvent {
  int node = 0;  // index into ops[] (the engine graph's node index)
  double begin_us = 0, dur_us = 0;
};
struct TraceInvoke {
  int index = 0;  // measured invoke number, from 0
  double begin_us = 0, dur_us = 0;
  int64_t tid = 0;  // the thread that ran the invoke and timed its ops
  std::vector<TraceOpEvent> ops;
};
struct Trace {
  std::vector<TraceSpan> stages;
  std::vector<TraceInvoke> invokes;
  int64_t dropped_events = 0;
  bool empty() const { return stages.empty() && invokes.empty(); }
};

// What the per-op profiler cost in this run: the headline latency_ms comes
// from unprofiled invokes, the per-op rows from profiled invokes measured in
// blocks interleaved with them (docs/result-document.md "profiling").
// Written only when profiled invokes ran (not with --no-op-profile).
struct ProfilingOverhead {
  double profiled_median_ms = 0, unprofiled_median_ms = 0;
  double overhead_pct = 0;  // 100 * (profiled / unprofiled - 1)
  int64_t profiled_invokes = 0;
  int64_t block_invokes = 0;  // invokes per block, profiled or not
  bool empty() const { return profiled_invokes == 0; }
};

struct ResultDocument {
  // Whether the case ran on PyTorch's runtime (docs/pytorch.md), not on our
  // engine: the fields only the engine measures (MACs, the arena, weight
  // and per-op memory, the partition and plan stages) have no meaning then
  // and to_json leaves them out rather than writing zeros.
  bool on_pytorch() const {
    return model.format == "pytorch-lite" || model.format == "torchscript";
  }

  int schema_version = kSchemaVersion;
  ToolInfo tool;
  DeviceInfo device;
  ModelSummary model;
  CaseConfig config;
  Stages stages;
  LatencyStats latency_ms;
  MemoryStats memory;
  std::vector<OpStats> ops;
  std::vector<PartitionInfo> partitions;
  std::vector<OutputInfo> outputs;
  std::string status = "ok";  // ok | error
  ErrorInfo error;
  Trace trace;  // optional in JSON: written only when not empty
  ProfilingOverhead profiling;  // optional in JSON: written only when not empty
  // optional in JSON: written only when read (docs/result-document.md
  // "device_state"): {"before": DeviceState, "after": DeviceState}.
  DeviceState state_before, state_after;
  // Why the numbers may not be what the device can do (a governor that is
  // not "performance", a device that heated during the case): shown by the
  // CLI, the reports and the dashboard. Optional in JSON.
  std::vector<std::string> warnings;
};

// Every string in it is UTF-8: bytes that are not (a Latin-1 tensor name,
// a path) are written as \xNN (result/utf8.h).
nlohmann::json to_json(const ResultDocument& doc);

// One op of `ops` as to_json writes it: every field, none erased (to_json
// leaves out the ones a runtime does not measure). The store splits an op
// into columns and puts it back together with these.
nlohmann::json op_to_json(const OpStats& op);
// Throws nlohmann::json exceptions on a field of the wrong type.
OpStats op_from_json(const nlohmann::json& j);

// The one way to read a result document, for the host, the store, the
// reports and the dashboard alike. Unknown fields are ignored, missing ones
// keep their defaults. Never throws: a value that is not a JSON object, or a
// known field of the wrong type, gives nullopt and *error (when given) says
// why.
std::optional<ResultDocument> parse_result_document(const nlohmann::json& j,
                                                    std::string* error = nullptr);
// The same from JSON text; `value`, when given, receives the parsed JSON
// (what the store keeps verbatim, unknown fields included). Bytes that are
// not UTF-8 inside its strings are read as \xNN, not refused.
std::optional<ResultDocument> parse_result_document_text(std::string_view text,
                                                    nlohmann::json* value,
                                                    std::string* error = nullptr);

}  // namespace opscope

// The measurement protocol every runtime the runner drives shares (our
// engine, PyTorch): a first invoke reported on its own, warm-up by count and
// by time, then unprofiled and profiled blocks of invokes interleaved until
// the stopping rule holds. It fills doc.stages.first_invoke_ms,
// doc.latency_ms and doc.profiling, and records the trace.
#pragma once

#include <functional>
#include <string>

#include "engine/status.h"
#include "profilers/latency_profiler.h"
#include "profilers/trace_recorder.h"
#include "result/result_document.h"

namespace opscope::harness {

// One invoke with `profiler` attached (null: unprofiled). The measured time
// is taken around this call.
using InvokeFn = std::function<Status(profilers::LatencyProfiler* profiler)>;

// `op_profiler` is null with --no-op-profile. On failure, returns the
// invoke's status (doc keeps what was filled so far).
Status measure_invokes(const CaseConfig& cfg, const InvokeFn& invoke,
                       profilers::LatencyProfiler* op_profiler, profilers::TraceRecorder& trace,
                       const std::function<void(const std::string&)>& say, ResultDocument& doc);

// The pieces of the document every runtime fills the same way.
//
// Stage and latency times are milliseconds of now_ns() differences.
inline double ns_to_ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }
//
// `doc` as a failed case: status "error", the code's name and the message.
ResultDocument failed_case(ResultDocument doc, const Status& st);
// op's count and first/mean/median/min/max times from the profiler's samples
// of `node`.
void fill_op_times(const profilers::LatencyProfiler& profiler, int node, OpStats& op);
// pct (share of the summed mean times) and cdf_pct (accumulated in row order).
void fill_op_shares(std::vector<OpStats>& ops);

}  // namespace opscope::harness

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

}  // namespace opscope::harness

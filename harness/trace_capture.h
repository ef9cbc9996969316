// Turns what a TraceRecorder kept into the result document's `trace`:
// microseconds since the first recorded stage (the load), op events as
// indices into ops[].
#pragma once

#include "profilers/trace_recorder.h"
#include "result/result_document.h"

namespace opscope::harness {

// Records load [load_begin_ns, load_end_ns) and the session's partition,
// prepare and plan stages as the profiler saw them.
void record_setup_stages(profilers::TraceRecorder& recorder,
                         const profilers::LatencyProfiler& profiler,
                         uint64_t load_begin_ns, uint64_t load_end_ns);

Trace export_trace(const profilers::TraceRecorder& recorder);

}  // namespace opscope::harness

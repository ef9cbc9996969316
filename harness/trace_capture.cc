#include "harness/trace_capture.h"

#include <algorithm>
#include <limits>

namespace opscope::harness {

void record_setup_stages(profilers::TraceRecorder& rec,
                         const profilers::LatencyProfiler& profiler,
                         uint64_t load_begin_ns, uint64_t load_end_ns) {
  rec.record_stage("load", load_begin_ns, load_end_ns);
  const struct {
    Stage stage;
    const char* name;
  } stages[] = {{Stage::kPartition, "partition"},
                {Stage::kPrepare, "prepare"},
                {Stage::kPlan, "plan"}};
  for (const auto& s : stages) {
    const uint64_t begin = profiler.stage_begin_ns(s.stage);
    if (begin != 0) rec.record_stage(s.name, begin, begin + profiler.stage_ns(s.stage));
  }
}

Trace export_trace(const profilers::TraceRecorder& rec) {
  Trace t;
  // The origin: the earliest timestamp kept, so every time is >= 0.
  uint64_t origin = std::numeric_limits<uint64_t>::max();
  for (const auto& s : rec.stages()) origin = std::min(origin, s.begin_ns);
  for (const auto& i : rec.invokes()) origin = std::min(origin, i.begin_ns);
  auto us = [&](uint64_t ns) { return static_cast<double>(ns - origin) / 1e3; };
  auto dur = [](uint64_t b, uint64_t e) {
    return e > b ? static_cast<double>(e - b) / 1e3 : 0.0;
  };
  for (const auto& s : rec.stages()) {
    t.stages.push_back({s.name, us(s.begin_ns), dur(s.begin_ns, s.end_ns), s.tid});
  }
  const auto events = rec.events();
  int index = 0;
  for (const auto& inv : rec.invokes()) {
    TraceInvoke ti;
    ti.index = index++;
    ti.begin_us = us(inv.begin_ns);
    ti.dur_us = dur(inv.begin_ns, inv.end_ns);
    ti.tid = inv.tid;
    for (size_t k = 0; k < inv.num_events; ++k) {
      const auto& e = events[inv.first_event + k];
      ti.ops.push_back({e.node, us(e.start_ns), dur(e.start_ns, e.end_ns)});
    }
    t.invokes.push_back(std::move(ti));
  }
  t.dropped_events = static_cast<int64_t>(rec.dropped_events());
  return t;
}

}  // namespace opscope::harness

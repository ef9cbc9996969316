#include "profilers/trace_recorder.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace opscope::profilers {

TraceRecorder::TraceRecorder(int max_invokes, size_t max_events_per_invoke)
    : per_invoke_(max_events_per_invoke) {
  const size_t n = static_cast<size_t>(std::max(0, max_invokes));
  stages_.resize(kMaxStages);
  invokes_.resize(n);
  events_.resize(n * max_events_per_invoke);
}

void TraceRecorder::record_invoke(uint64_t begin_ns, uint64_t end_ns,
                                  std::span<const LatencyProfiler::OpEvent> events) {
  if (!wants_invoke()) return;
  const size_t kept = std::min(events.size(), per_invoke_);
  dropped_ += events.size() - kept;
  std::copy_n(events.begin(), kept, events_.begin() + static_cast<std::ptrdiff_t>(num_events_));
  invokes_[num_invokes_++] = Invoke{begin_ns, end_ns, current_tid(), num_events_, kept};
  num_events_ += kept;
}

void TraceRecorder::record_stage(const char* name, uint64_t begin_ns, uint64_t end_ns) {
  if (num_stages_ == stages_.size()) return;
  stages_[num_stages_++] = Span{name, begin_ns, end_ns, current_tid()};
}

int64_t TraceRecorder::current_tid() {
  thread_local const int64_t tid = static_cast<int64_t>(::syscall(SYS_gettid));
  return tid;
}

}  // namespace opscope::profilers

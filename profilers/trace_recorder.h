// Keeps the timeline of the first K measured invokes: every op event with
// its begin and end, the invoke's own span and the thread that ran it, plus
// the setup stages. What the Chrome trace report is drawn from.
//
// All storage is sized at construction; record_invoke() copies into it and
// never allocates. It is called after an invoke, outside the timed region,
// with the events the LatencyProfiler holds for that invoke (before its
// end_invoke() clears them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "profilers/latency_profiler.h"

namespace opscope::profilers {

class TraceRecorder {
 public:
  struct Span {
    const char* name = "";  // static string
    uint64_t begin_ns = 0, end_ns = 0;
    int64_t tid = 0;
  };
  struct Invoke {
    uint64_t begin_ns = 0, end_ns = 0;
    int64_t tid = 0;
    size_t first_event = 0, num_events = 0;  // into events()
  };

  // `max_invokes` 0 records nothing; `max_events_per_invoke` is the op-event
  // capacity of one invoke (LatencyProfiler::event_capacity()).
  TraceRecorder(int max_invokes, size_t max_events_per_invoke);

  bool wants_invoke() const { return num_invokes_ < invokes_.size(); }
  // One measured invoke; ignored once max_invokes are kept. Events beyond
  // the per-invoke capacity are dropped (and counted).
  void record_invoke(uint64_t begin_ns, uint64_t end_ns,
                     std::span<const LatencyProfiler::OpEvent> events);
  // A setup stage (load, partition, ...); at most kMaxStages.
  void record_stage(const char* name, uint64_t begin_ns, uint64_t end_ns);

  std::span<const Span> stages() const { return {stages_.data(), num_stages_}; }
  std::span<const Invoke> invokes() const { return {invokes_.data(), num_invokes_}; }
  std::span<const LatencyProfiler::OpEvent> events() const {
    return {events_.data(), num_events_};
  }
  size_t dropped_events() const { return dropped_; }

  // The calling thread's kernel id (cached per thread).
  static int64_t current_tid();

 private:
  static constexpr size_t kMaxStages = 16;
  std::vector<Span> stages_;
  std::vector<Invoke> invokes_;
  std::vector<LatencyProfiler::OpEvent> events_;
  size_t num_stages_ = 0, num_invokes_ = 0, num_events_ = 0, dropped_ = 0;
  size_t per_invoke_ = 0;
};

}  // namespace opscope::profilers

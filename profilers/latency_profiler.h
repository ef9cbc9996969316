// Stage durations and per-op latency, implementing the engine's Profiler.
//
// Hot path: begin_op/end_op add the event's duration to its node's sum for
// this invoke and write {node, backend, start, end} into a buffer sized at
// construction (for the trace; what does not fit is dropped from it only);
// no allocation, no strings. After each invoke the harness calls
// end_invoke() (outside the timed region) to turn the sums into per-node
// samples: one sample per node per invoke, the sum of its events'
// durations; node_runs() counts the events (a node inside a loop body runs
// many times per invoke).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/profiling.h"

namespace opscope::profilers {

class LatencyProfiler final : public Profiler {
 public:
  // One op event as recorded on the hot path (engine graph node index,
  // backend id, monotonic ns).
  struct OpEvent {
    int32_t node;
    int32_t backend;
    uint64_t start_ns;
    uint64_t end_ns;
  };

  // `expected_invokes` reserves the per-node sample storage up front.
  LatencyProfiler(int num_nodes, int expected_invokes);

  void begin_stage(Stage stage) override;
  void end_stage(Stage stage) override;
  void begin_op(int node_index, int backend_id) override;
  void end_op(int node_index, int backend_id) override;
  void add_op_event(int node_index, int backend_id, uint64_t start_ns,
                    uint64_t end_ns) override;

  // Folds the current invoke's events into the per-node samples.
  void end_invoke();
  // Forgets the samples collected so far (e.g. after warm-up); keeps the
  // first-invoke times.
  void clear_samples();

  // Nanoseconds of the last completed span of a stage (0 if never run).
  uint64_t stage_ns(Stage stage) const {
    return stage_ns_[static_cast<int>(stage)];
  }
  // Per node: the samples (ns) since the last clear_samples().
  const std::vector<uint64_t>& node_samples(int node) const {
    return samples_[node];
  }
  // Per node: how many events (runs) it had since the last clear_samples():
  // one per invoke for a main-graph node, any number for an op inside a
  // loop body or a branch (control_flow.h).
  uint64_t node_runs(int node) const { return runs_[node]; }
  // Per node: its time in the first invoke after construction (ns).
  uint64_t node_first_ns(int node) const { return first_ns_[node]; }
  // The backend id that ran the node in the last invoke (-1: never ran).
  int node_backend(int node) const { return backend_[node]; }
  // Whether an event overflowed the buffer (dropped from the trace; the
  // per-node samples count it).
  bool overflowed() const { return overflowed_; }
  // The current invoke's events, valid until end_invoke() (for tracing).
  std::span<const OpEvent> pending_events() const {
    return {events_.data(), num_events_};
  }
  // How many events one invoke can hold.
  size_t event_capacity() const { return events_.size(); }
  // Monotonic ns at which a stage last began (0 if never run).
  uint64_t stage_begin_ns(Stage stage) const {
    return stage_begin_[static_cast<int>(stage)];
  }

 private:
  using Event = OpEvent;
  static constexpr int kNumStages = 6;  // engine/profiling.h's Stage values

  std::array<uint64_t, kNumStages> stage_begin_{};
  std::array<uint64_t, kNumStages> stage_ns_{};
  std::vector<Event> events_;  // capacity fixed at construction
  size_t num_events_ = 0;
  uint64_t open_start_ns_ = 0;
  bool overflowed_ = false;
  bool first_invoke_done_ = false;
  std::vector<std::vector<uint64_t>> samples_;
  std::vector<uint64_t> accum_;  // per node, current invoke
  std::vector<uint64_t> runs_;   // per node, since clear_samples()
  std::vector<uint64_t> first_ns_;
  std::vector<int> backend_;
  std::vector<char> ran_;  // per node, current invoke
};

}  // namespace opscope::profilers

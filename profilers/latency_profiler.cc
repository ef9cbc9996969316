#include "profilers/latency_profiler.h"

namespace opscope::profilers {

LatencyProfiler::LatencyProfiler(int num_nodes, int expected_invokes) {
  // A delegate may report a few events per node; 4x leaves room.
  events_.resize(static_cast<size_t>(num_nodes) * 4 + 16);
  samples_.resize(num_nodes);
  for (auto& s : samples_) s.reserve(expected_invokes > 0 ? expected_invokes : 64);
  accum_.assign(num_nodes, 0);
  runs_.assign(num_nodes, 0);
  first_ns_.assign(num_nodes, 0);
  backend_.assign(num_nodes, -1);
  ran_.assign(num_nodes, 0);
}

void LatencyProfiler::begin_stage(Stage stage) {
  stage_begin_[static_cast<int>(stage)] = now_ns();
}

void LatencyProfiler::end_stage(Stage stage) {
  const int s = static_cast<int>(stage);
  // Re-plans happen inside invokes, any number of times: their time adds up.
  // The setup stages happen once; the last one counts.
  if (stage == Stage::kReplan) {
    stage_ns_[s] += now_ns() - stage_begin_[s];
  } else {
    stage_ns_[s] = now_ns() - stage_begin_[s];
  }
}

void LatencyProfiler::begin_op(int, int) { open_start_ns_ = now_ns(); }

void LatencyProfiler::end_op(int node_index, int backend_id) {
  add_op_event(node_index, backend_id, open_start_ns_, now_ns());
}

void LatencyProfiler::add_op_event(int node_index, int backend_id,
                                   uint64_t start_ns, uint64_t end_ns) {
  // The per-node sums take every event; the buffer (for the trace) keeps
  // what fits: a loop body's ops run any number of times per invoke.
  if (node_index >= 0 && node_index < static_cast<int>(accum_.size())) {
    accum_[node_index] += end_ns - start_ns;
    ++runs_[node_index];
    backend_[node_index] = backend_id;
    ran_[node_index] = 1;
  }
  if (num_events_ == events_.size()) {
    overflowed_ = true;
    return;
  }
  events_[num_events_++] = Event{node_index, backend_id, start_ns, end_ns};
}

void LatencyProfiler::end_invoke() {
  const int num_nodes = static_cast<int>(samples_.size());
  for (int n = 0; n < num_nodes; ++n) {
    if (!ran_[n]) continue;
    ran_[n] = 0;
    samples_[n].push_back(accum_[n]);
    if (!first_invoke_done_) first_ns_[n] = accum_[n];
    accum_[n] = 0;
  }
  first_invoke_done_ = true;
  num_events_ = 0;
}

void LatencyProfiler::clear_samples() {
  for (auto& s : samples_) s.clear();
  runs_.assign(runs_.size(), 0);
}

}  // namespace opscope::profilers

// The engine's profiler interface: an event sink for stages and operators.
//
// The engine calls it; implementations live in profilers/. With no profiler
// attached the cost at each op is one null check. Implementations must not
// allocate or format strings in begin_op/end_op: record the node index, the
// backend id and a timestamp, and resolve names when exporting.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>

namespace opscope {

// kReplan: an invoke re-planning because a run-time operand changed a shape
// (engine/value_operands.h); it lies inside that invoke's time.
enum class Stage : uint8_t { kLoad, kPartition, kPlan, kPrepare, kInvoke, kReplan };
std::string_view to_string(Stage stage);

// Monotonic clock in nanoseconds.
inline uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<uint64_t>(ts.tv_nsec);
}

class Profiler {
 public:
  virtual ~Profiler() = default;

  virtual void begin_stage(Stage stage) { (void)stage; }
  virtual void end_stage(Stage stage) { (void)stage; }

  // One original node run by a backend; `node_index` is the index in the
  // session's graph, `backend_id` the index in the session's backend list.
  virtual void begin_op(int node_index, int backend_id) {
    (void)node_index, (void)backend_id;
  }
  virtual void end_op(int node_index, int backend_id) {
    (void)node_index, (void)backend_id;
  }
  // A completed op event with explicit timestamps, for delegates that learn
  // their per-node times after the fact.
  virtual void add_op_event(int node_index, int backend_id, uint64_t start_ns,
                            uint64_t end_ns) {
    (void)node_index, (void)backend_id, (void)start_ns, (void)end_ns;
  }
};

// RAII op event; free when `profiler` is null.
class ScopedOpProfile {
 public:
  ScopedOpProfile(Profiler* profiler, int node_index, int backend_id)
      : profiler_(profiler), node_(node_index), backend_(backend_id) {
    if (profiler_) profiler_->begin_op(node_, backend_);
  }
  ~ScopedOpProfile() {
    if (profiler_) profiler_->end_op(node_, backend_);
  }
  ScopedOpProfile(const ScopedOpProfile&) = delete;
  ScopedOpProfile& operator=(const ScopedOpProfile&) = delete;

 private:
  Profiler* profiler_;
  int node_;
  int backend_;
};

// RAII stage event; free when `profiler` is null.
class ScopedStage {
 public:
  ScopedStage(Profiler* profiler, Stage stage)
      : profiler_(profiler), stage_(stage) {
    if (profiler_) profiler_->begin_stage(stage_);
  }
  ~ScopedStage() {
    if (profiler_) profiler_->end_stage(stage_);
  }
  ScopedStage(const ScopedStage&) = delete;
  ScopedStage& operator=(const ScopedStage&) = delete;

 private:
  Profiler* profiler_;
  Stage stage_;
};

}  // namespace opscope

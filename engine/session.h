// A Session runs one model on a list of backends.
//
// create(): partition (stage kPartition), compile each partition in
// execution order — kernels' prepare, shape resolution, weight packing —
// (stage kPrepare), then plan memory (stage kPlan: the arena needs the
// resolved shapes and scratch sizes) and allocate. Graph inputs and outputs
// get their own pinned buffers; every other activation and every node's
// scratch lives in one arena.
// invoke(): runs the partitions in order; with a profiler attached, every
// original node reports an event.
//
// Shapes that depend on values computed at run time (value_operands.h) are
// planned with values learned from runs: until they are known the plan
// stops before the first node that needs them, and invoke() runs that
// prefix, reads the values and plans again; a later run that brings other
// values re-plans and runs again. Each re-plan is a Stage::kReplan event
// inside the invoke; replans() counts them.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/graph.h"
#include "engine/partitioner.h"
#include "engine/profiling.h"
#include "engine/status.h"

namespace opscope {

struct SessionOptions {
  // Backend priority list; unclaimed nodes fall to the later ones.
  std::vector<std::string> backends = {"cpu"};
  int threads = 1;
  // Partitions of any backend but the last that are shorter than this are
  // handed down the list (see partitioner.h).
  int min_partition_size = 1;
  Profiler* profiler = nullptr;
  // Give every activation a buffer of its own for the whole session instead
  // of a slot in the shared arena, so that after invoke() every node's
  // outputs can still be read with tensor_data() (`opscope quant-diff`
  // compares them op by op). Costs nothing when false: it only changes the
  // lifetimes handed to the memory planner, never the hot path. When true
  // the arena holds the sum of all activations (the memory figures then
  // describe this capture layout, not the planned one).
  bool keep_all_tensors = false;
};

// Per-node memory, the per-op RAM figures of the result.
struct NodeMemory {
  size_t live_bytes = 0;     // activations live while the node runs
  size_t weights_bytes = 0;  // constant inputs of the node
  size_t scratch_bytes = 0;  // the node's scratch
};

struct MemoryPlan {
  size_t arena_bytes = 0;
  size_t arena_lower_bound_bytes = 0;
  size_t pinned_bytes = 0;   // graph inputs and outputs
  size_t weights_bytes = 0;  // all constants used by nodes
  std::vector<NodeMemory> nodes;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> create(
      std::shared_ptr<const Model> model, const SessionOptions& options);
  ~Session();

  // The graph as prepared: every shape resolved.
  const Graph& graph() const { return graph_; }
  const Model& model() const { return *model_; }

  int num_inputs() const { return static_cast<int>(graph_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(graph_.outputs.size()); }
  const Tensor& input_tensor(int i) const {
    return graph_.tensors[graph_.inputs[i]];
  }
  const Tensor& output_tensor(int i) const {
    return graph_.tensors[graph_.outputs[i]];
  }
  void* input_data(int i) { return buffers_[graph_.inputs[i]]; }
  const void* output_data(int i) const { return buffers_[graph_.outputs[i]]; }
  // Any tensor's data by tensor id. After invoke() this is the value the
  // last invoke left there only for graph inputs, outputs and constants,
  // unless the session was created with keep_all_tensors (otherwise the
  // arena slot may since hold another tensor). Null for tensors no node uses.
  const void* tensor_data(int tensor_id) const { return buffers_[tensor_id]; }

  // Runs the graph once. Fails when a kernel finds input values that make
  // its op undefined (GATHER's index out of range), naming the node; the
  // outputs of that invoke are then meaningless. Input buffers stay where
  // they are across re-plans; output buffers and shapes may change, so read
  // output_data() and output_tensor() after each invoke.
  Status invoke();

  // How many times invoke() has re-planned (learning values included).
  int replans() const { return replans_; }
  // Whether the current plan covers every node (false until every run-time
  // value operand has been learned by an invoke).
  bool fully_planned() const { return planned_nodes_ == static_cast<int>(graph_.nodes.size()); }

  void set_profiler(Profiler* profiler) { profiler_ = profiler; }

  const std::vector<std::string>& backend_names() const {
    return backend_names_;
  }
  const PartitionPlan& partition_plan() const { return partition_plan_; }
  const MemoryPlan& memory_plan() const { return memory_plan_; }

 private:
  Session() = default;
  // Partitions, compiles and plans memory for the nodes before the first
  // one whose run-time value operands have no planned values (all nodes
  // when none lacks them). `profiler` gets the stage events (null: none).
  Status plan(Profiler* profiler);
  Status plan_memory(bool keep_all_tensors);
  Status run_plan(Profiler* profiler);
  // After a run of the current plan (a prefix that ended, or a run stopped
  // by kShapeChanged): the planned values to use next.
  Status learn_values(bool prefix_ran);
  void free_plan();

  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  Graph graph_;
  Profiler* profiler_ = nullptr;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::vector<std::string> backend_names_;
  PartitionPlan partition_plan_;
  std::vector<std::unique_ptr<CompiledPartition>> compiled_;
  MemoryPlan memory_plan_;
  std::vector<void*> buffers_;       // by tensor id
  std::vector<void*> node_scratch_;  // by node index
  std::vector<void*> allocations_;   // the current plan's, freed on re-plan
  std::vector<void*> input_buffers_;  // by graph input; kept across re-plans
  // Nodes with run-time value operands, in order; the values planned for
  // their operands; how many nodes the current plan covers.
  std::vector<int> dynamic_nodes_;
  std::map<int, std::vector<int64_t>> planned_values_;
  int planned_nodes_ = 0;
  int replans_ = 0;
  Status broken_;  // a re-plan that failed: every later invoke returns it
};

}  // namespace opscope

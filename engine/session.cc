#include "engine/session.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "engine/memory_planner.h"
#include "engine/value_operands.h"

namespace opscope {
namespace {

// Every buffer gets this many readable bytes past its end: vectorized
// kernels (XNNPACK's XNN_EXTRA_BYTES is 16) may load past the last element.
constexpr size_t kTailSlack = 64;

void* aligned_alloc_zeroed(size_t bytes) {
  const size_t size = (bytes + 63) / 64 * 64 + kTailSlack;
  void* p = std::aligned_alloc(64, size);
  if (p) std::memset(p, 0, size);
  return p;
}

}  // namespace

Session::~Session() {
  compiled_.clear();
  for (void* p : allocations_) std::free(p);
  for (void* p : input_buffers_) std::free(p);
}

Result<std::unique_ptr<Session>> Session::create(
    std::shared_ptr<const Model> model, const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->model_ = model;
  s->options_ = options;
  s->graph_ = model->graph;  // constants keep pointing at the model's data
  s->profiler_ = options.profiler;
  if (options.backends.empty()) {
    return Status(ErrorCode::kInvalidArgument, "no backend given");
  }
  for (int i = 0; i < static_cast<int>(model->graph.nodes.size()); ++i) {
    if (!runtime_value_operands(model->graph, model->graph.nodes[i]).empty()) {
      s->dynamic_nodes_.push_back(i);
    }
  }
  // Graph inputs never change shape: their buffers outlive every plan, so
  // a caller may fill them once and invoke again after a re-plan.
  for (int id : model->graph.inputs) {
    void* p = aligned_alloc_zeroed(model->graph.tensors[id].bytes());
    if (!p) {
      return Status(ErrorCode::kResourceExhausted,
                    "cannot allocate " + std::to_string(model->graph.tensors[id].bytes()) +
                        " bytes for input '" + model->graph.tensors[id].name + "'");
    }
    s->input_buffers_.push_back(p);
  }
  OPSCOPE_RETURN_IF_ERROR(s->plan(s->profiler_));
  return s;
}

void Session::free_plan() {
  compiled_.clear();
  for (void* p : allocations_) std::free(p);
  allocations_.clear();
}

Status Session::plan(Profiler* profiler) {
  free_plan();
  graph_ = model_->graph;
  graph_.planned_values = planned_values_;
  const int num_nodes = static_cast<int>(graph_.nodes.size());
  planned_nodes_ = num_nodes;
  for (int node : dynamic_nodes_) {
    bool known = true;
    for (int id : runtime_value_operands(graph_, graph_.nodes[node])) {
      known = known && planned_values_.count(id) > 0;
    }
    if (!known) {
      planned_nodes_ = node;
      break;
    }
  }
  std::vector<Backend*> backends;
  {
    // The first plan creates the backends: their set-up (thread pools,
    // XNNPACK's initialization) counts as partitioning, as it always has.
    ScopedStage stage(profiler, Stage::kPartition);
    if (backends_.empty()) {
      BackendConfig config;
      config.threads = std::max(1, options_.threads);
      config.body_backends = options_.backends;
      for (const std::string& name : options_.backends) {
        OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, create_backend(name, config));
        backend_names_.emplace_back(backend->name());
        backends_.push_back(std::move(backend));
      }
    }
    for (auto& b : backends_) backends.push_back(b.get());
    PartitionOptions partition_options;
    partition_options.min_partition_size = std::max(1, options_.min_partition_size);
    // The whole graph once, so that a node no backend can run fails here
    // and not at the invoke that first reaches it; then the planned part.
    partition_plan_ = plan_partitions(graph_, backends, partition_options);
    if (partition_plan_.unsupported.empty() && planned_nodes_ < num_nodes) {
      Graph prefix = graph_;
      prefix.nodes.resize(static_cast<size_t>(planned_nodes_));
      partition_plan_ = plan_partitions(prefix, backends, partition_options);
      partition_plan_.node_backend.resize(static_cast<size_t>(num_nodes), -1);
    }
  }
  if (!partition_plan_.unsupported.empty()) {
    std::string msg;
    for (const UnsupportedNode& u : partition_plan_.unsupported) {
      if (!msg.empty()) msg += "\n";
      msg += describe_node(graph_, u.node) + ": " + u.reason;
    }
    return Status(ErrorCode::kUnsupportedOp,
                  model_->info.name + ": " + std::to_string(partition_plan_.unsupported.size()) +
                      " node(s) no backend can run:\n" + msg);
  }

  {
    ScopedStage stage(profiler, Stage::kPrepare);
    for (const Partition& p : partition_plan_.partitions) {
      auto compiled = backends[p.backend_id]->compile(graph_, p.nodes, p.backend_id);
      if (!compiled.is_ok()) {
        return compiled.status().with_prefix(model_->info.name);
      }
      compiled_.push_back(std::move(compiled).value());
    }
  }
  {
    ScopedStage stage(profiler, Stage::kPlan);
    OPSCOPE_RETURN_IF_ERROR(plan_memory(options_.keep_all_tensors));
    for (auto& partition : compiled_) {
      Status st = partition->bind(buffers_.data(), node_scratch_.data());
      if (!st.is_ok()) return st.with_prefix(model_->info.name);
    }
  }
  // A value operand's buffer holds its planned values until a run writes
  // it, so that after a stopped run the first operand that differs is the
  // one that changed.
  for (const auto& [id, values] : planned_values_) {
    if (buffers_[id] != nullptr) write_int_buffer(graph_.tensors[id], values, buffers_[id]);
  }
  return Status::ok();
}

Status Session::plan_memory(bool keep_all_tensors) {
  const int num_nodes = static_cast<int>(graph_.nodes.size());
  const int num_tensors = static_cast<int>(graph_.tensors.size());

  // Graph inputs and outputs, and the run-time value operands (read by the
  // session after a run), get buffers of their own.
  std::vector<char> pinned(num_tensors, 0);
  for (int id : graph_.inputs) pinned[id] = 1;
  for (int id : graph_.outputs) pinned[id] = 1;
  for (int node : dynamic_nodes_) {
    for (int id : runtime_value_operands(graph_, graph_.nodes[node])) pinned[id] = 1;
  }

  // Lifetimes in execution steps, over the planned nodes.
  std::vector<int> first(num_tensors, -1), last(num_tensors, -1);
  for (int i = 0; i < planned_nodes_; ++i) {
    const Node& node = graph_.nodes[i];
    for (int id : node.outputs) {
      if (first[id] < 0) first[id] = i;
      last[id] = std::max(last[id], i);
    }
    for (int id : node.inputs) {
      if (id < 0) continue;
      if (first[id] < 0) first[id] = 0;
      last[id] = std::max(last[id], i);
    }
  }

  MemoryPlanner planner;
  std::vector<int> tensor_buffer(num_tensors, -1);
  for (int id = 0; id < num_tensors; ++id) {
    const Tensor& t = graph_.tensors[id];
    if (t.is_constant() || pinned[id] || first[id] < 0) continue;
    // keep_all_tensors: live from the first step to the last, so no other
    // tensor (and no scratch) ever shares its bytes.
    tensor_buffer[id] = keep_all_tensors
                            ? planner.add_buffer(t.bytes(), 0, std::max(0, num_nodes - 1))
                            : planner.add_buffer(t.bytes(), first[id], last[id]);
  }
  std::vector<int> scratch_buffer(num_nodes, -1);
  std::vector<size_t> scratch_bytes(num_nodes, 0);
  for (size_t p = 0; p < compiled_.size(); ++p) {
    for (int node : partition_plan_.partitions[p].nodes) {
      scratch_bytes[node] = compiled_[p]->scratch_bytes(node);
      if (scratch_bytes[node] > 0) {
        scratch_buffer[node] = planner.add_buffer(scratch_bytes[node], node, node);
      }
    }
  }
  planner.plan();

  memory_plan_ = MemoryPlan{};
  memory_plan_.arena_bytes = planner.arena_bytes();
  memory_plan_.arena_lower_bound_bytes = planner.lower_bound_bytes();
  uint8_t* arena = nullptr;
  if (planner.arena_bytes() > 0) {
    arena = static_cast<uint8_t*>(aligned_alloc_zeroed(planner.arena_bytes()));
    if (!arena) {
      return Status(ErrorCode::kResourceExhausted,
                    "cannot allocate an arena of " +
                        std::to_string(planner.arena_bytes()) + " bytes");
    }
    allocations_.push_back(arena);
  }

  buffers_.assign(num_tensors, nullptr);
  for (int id = 0; id < num_tensors; ++id) {
    const Tensor& t = graph_.tensors[id];
    if (t.is_constant()) {
      buffers_[id] = const_cast<uint8_t*>(t.data);
    } else if (tensor_buffer[id] >= 0) {
      buffers_[id] = arena + planner.offset(tensor_buffer[id]);
    }
  }
  // Pinned tensors: own buffers, never overwritten by the arena. Graph
  // inputs keep the session's; a graph output that is also an input or a
  // constant shares it.
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    buffers_[graph_.inputs[i]] = input_buffers_[i];
    memory_plan_.pinned_bytes += graph_.tensors[graph_.inputs[i]].bytes();
  }
  for (int id = 0; id < num_tensors; ++id) {
    // Tensors of nodes beyond a partial plan have no resolved shape yet.
    if (!pinned[id] || buffers_[id] != nullptr || first[id] < 0) continue;
    const size_t bytes = graph_.tensors[id].bytes();
    void* p = aligned_alloc_zeroed(bytes);
    if (!p) {
      return Status(ErrorCode::kResourceExhausted,
                    "cannot allocate " + std::to_string(bytes) +
                        " bytes for tensor '" + graph_.tensors[id].name + "'");
    }
    allocations_.push_back(p);
    buffers_[id] = p;
    memory_plan_.pinned_bytes += bytes;
  }
  node_scratch_.assign(num_nodes, nullptr);
  for (int i = 0; i < num_nodes; ++i) {
    if (scratch_buffer[i] >= 0) {
      node_scratch_[i] = arena + planner.offset(scratch_buffer[i]);
    }
  }

  // Per-node figures: live activations (inputs, outputs and everything
  // alive across the node), weights, scratch.
  std::vector<char> counted_weight(num_tensors, 0);
  memory_plan_.nodes.assign(num_nodes, NodeMemory{});
  for (int id = 0; id < num_tensors; ++id) {
    const Tensor& t = graph_.tensors[id];
    if (t.is_constant() || first[id] < 0) continue;
    const int begin = pinned[id] && graph_.tensors[id].role == TensorRole::kInput
                          ? 0 : first[id];
    const int end = pinned[id] && graph_.tensors[id].role == TensorRole::kOutput
                        ? num_nodes - 1 : last[id];
    for (int i = begin; i <= end; ++i) {
      memory_plan_.nodes[i].live_bytes += t.bytes();
    }
  }
  for (int i = 0; i < planned_nodes_; ++i) {
    for (int id : graph_.nodes[i].inputs) {
      if (id < 0 || !graph_.tensors[id].is_constant()) continue;
      memory_plan_.nodes[i].weights_bytes += graph_.tensors[id].data_bytes;
      if (!counted_weight[id]) {
        counted_weight[id] = 1;
        memory_plan_.weights_bytes += graph_.tensors[id].data_bytes;
      }
    }
    memory_plan_.nodes[i].scratch_bytes = scratch_bytes[i];
  }
  return Status::ok();
}

Status Session::run_plan(Profiler* profiler) {
  for (auto& partition : compiled_) {
    OPSCOPE_RETURN_IF_ERROR(partition->execute(buffers_.data(), node_scratch_.data(), profiler));
  }
  return Status::ok();
}

Status Session::learn_values(bool prefix_ran) {
  if (prefix_ran) {
    // The plan stopped before node planned_nodes_: its operands are known now.
    for (int id : runtime_value_operands(graph_, graph_.nodes[planned_nodes_])) {
      planned_values_[id] = read_int_buffer(graph_.tensors[id], buffers_[id]);
    }
    return Status::ok();
  }
  // A kernel stopped the run: the first planned node whose operands hold
  // other values than planned is where the shapes changed. Later nodes'
  // values may follow from these, so they are learned again.
  for (size_t k = 0; k < dynamic_nodes_.size(); ++k) {
    const int node = dynamic_nodes_[k];
    if (node >= planned_nodes_) break;
    bool changed = false;
    for (int id : runtime_value_operands(graph_, graph_.nodes[node])) {
      std::vector<int64_t> now = read_int_buffer(graph_.tensors[id], buffers_[id]);
      if (now != planned_values_[id]) {
        planned_values_[id] = std::move(now);
        changed = true;
      }
    }
    if (!changed) continue;
    for (size_t later = k + 1; later < dynamic_nodes_.size(); ++later) {
      for (int id : runtime_value_operands(graph_, graph_.nodes[dynamic_nodes_[later]])) {
        planned_values_.erase(id);
      }
    }
    return Status::ok();
  }
  return Status(ErrorCode::kInternal,
                model_->info.name + ": a kernel reported a changed shape but no run-time "
                                    "value operand differs from its planned values");
}

Status Session::invoke() {
  // Each pass either learns the operands of one more node or settles a
  // change; twice the number of dynamic nodes (and one) bounds a run whose
  // values change at every node.
  const size_t max_passes = 2 * dynamic_nodes_.size() + 2;
  if (!broken_.is_ok()) return broken_;
  for (size_t pass = 0;; ++pass) {
    const bool whole = fully_planned();
    // Only a run of the whole graph reports op events; a prefix run is
    // part of the re-plan.
    const Status st = run_plan(whole ? profiler_ : nullptr);
    if (st.code() != ErrorCode::kShapeChanged && (whole || !st.is_ok())) return st;
    if (pass + 1 >= max_passes) {
      return Status(ErrorCode::kInternal,
                    model_->info.name + ": shapes did not settle after " +
                        std::to_string(pass + 1) + " runs of one invoke");
    }
    ScopedStage stage(profiler_, Stage::kReplan);
    ++replans_;
    Status replanned = learn_values(/*prefix_ran=*/st.is_ok());
    if (replanned.is_ok()) replanned = plan(nullptr);
    if (!replanned.is_ok()) {
      // Values no plan can hold (a slice step of 0): the session has no plan
      // left, so every later invoke fails the same way.
      free_plan();
      broken_ = replanned;
      return broken_;
    }
  }
}

}  // namespace opscope

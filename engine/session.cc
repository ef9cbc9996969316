#include "engine/session.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "engine/memory_planner.h"

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
  for (void* p : allocations_) std::free(p);
}

Result<std::unique_ptr<Session>> Session::create(
    std::shared_ptr<const Model> model, const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->model_ = model;
  s->graph_ = model->graph;  // constants keep pointing at the model's data
  s->profiler_ = options.profiler;
  if (options.backends.empty()) {
    return Status(ErrorCode::kInvalidArgument, "no backend given");
  }

  std::vector<Backend*> backends;
  {
    ScopedStage stage(s->profiler_, Stage::kPartition);
    BackendConfig config;
    config.threads = std::max(1, options.threads);
    config.body_backends = options.backends;
    for (const std::string& name : options.backends) {
      OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend,
                               create_backend(name, config));
      s->backend_names_.emplace_back(backend->name());
      backends.push_back(backend.get());
      s->backends_.push_back(std::move(backend));
    }
    PartitionOptions partition_options;
    partition_options.min_partition_size = std::max(1, options.min_partition_size);
    s->partition_plan_ = plan_partitions(s->graph_, backends, partition_options);
  }
  if (!s->partition_plan_.unsupported.empty()) {
    std::string msg;
    for (const UnsupportedNode& u : s->partition_plan_.unsupported) {
      if (!msg.empty()) msg += "\n";
      msg += describe_node(s->graph_, u.node) + ": " + u.reason;
    }
    return Status(ErrorCode::kUnsupportedOp,
                  model->info.name + ": " +
                      std::to_string(s->partition_plan_.unsupported.size()) +
                      " node(s) no backend can run:\n" + msg);
  }

  {
    ScopedStage stage(s->profiler_, Stage::kPrepare);
    for (const Partition& p : s->partition_plan_.partitions) {
      auto compiled = backends[p.backend_id]->compile(s->graph_, p.nodes,
                                                      p.backend_id);
      if (!compiled.is_ok()) {
        return compiled.status().with_prefix(model->info.name);
      }
      s->compiled_.push_back(std::move(compiled).value());
    }
  }
  {
    ScopedStage stage(s->profiler_, Stage::kPlan);
    OPSCOPE_RETURN_IF_ERROR(s->plan_memory(options.keep_all_tensors));
    for (auto& partition : s->compiled_) {
      Status st = partition->bind(s->buffers_.data(), s->node_scratch_.data());
      if (!st.is_ok()) return st.with_prefix(model->info.name);
    }
  }
  return s;
}

Status Session::plan_memory(bool keep_all_tensors) {
  const int num_nodes = static_cast<int>(graph_.nodes.size());
  const int num_tensors = static_cast<int>(graph_.tensors.size());

  std::vector<char> pinned(num_tensors, 0);
  for (int id : graph_.inputs) pinned[id] = 1;
  for (int id : graph_.outputs) pinned[id] = 1;

  // Lifetimes in execution steps.
  std::vector<int> first(num_tensors, -1), last(num_tensors, -1);
  for (int i = 0; i < num_nodes; ++i) {
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
  // Pinned graph inputs and outputs: own buffers, never overwritten by the
  // arena. A graph output that is also an input or a constant shares it.
  for (int id = 0; id < num_tensors; ++id) {
    if (!pinned[id] || buffers_[id] != nullptr) continue;
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
  for (int i = 0; i < num_nodes; ++i) {
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

Status Session::invoke() {
  for (auto& partition : compiled_) {
    OPSCOPE_RETURN_IF_ERROR(
        partition->execute(buffers_.data(), node_scratch_.data(), profiler_));
  }
  return Status::ok();
}

}  // namespace opscope

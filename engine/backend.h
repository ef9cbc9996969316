// Backends and delegation.
//
// A backend says which nodes it `supports`, then `compile`s a partition (a
// connected set of supported nodes, in execution order) into something it can
// `execute` (which returns a Status). Partitions are compiled in execution order, so when compile() is
// called the shapes of the partition's inputs are final; compile() must set
// the shapes of every tensor the partition produces.
//
// A backend reports one profiler event per original node it runs (never one
// opaque event for a whole partition).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/profiling.h"
#include "engine/status.h"

namespace opscope {

struct BackendConfig {
  int threads = 1;
  // The backends the bodies of control-flow nodes (IF branches, loop
  // bodies) run on: the session's own list (control_flow.h).
  std::vector<std::string> body_backends = {"cpu"};
};

class CompiledPartition {
 public:
  virtual ~CompiledPartition() = default;
  // Scratch bytes the node (graph index) needs during execute.
  virtual size_t scratch_bytes(int node_index) const = 0;
  // Binds the partition to its memory, once, after the memory plan: tensor
  // data by tensor id and each node's scratch by graph node index. These
  // pointers stay valid and unchanged for every later execute(). Backends
  // that set up their operators against fixed pointers do it here.
  virtual Status bind(void* const* buffers, void* const* node_scratch) {
    (void)buffers, (void)node_scratch;
    return Status::ok();
  }
  // Runs the partition's nodes. `buffers` holds every tensor's data by
  // tensor id; `node_scratch` each node's scratch by graph node index.
  // Never allocates on success. Returns why it stopped before its last node:
  // a kernel's run-time check of input values (see Kernel::run in kernel.h)
  // or a delegate's failed run call, naming the node. The failure path alone
  // builds strings; the partition's outputs are then meaningless.
  virtual Status execute(void* const* buffers, void* const* node_scratch,
                         Profiler* profiler) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // Whether this backend can run graph.nodes[node_index]; if not, the reason
  // goes to `why_not` (when given).
  virtual bool supports(const Graph& graph, int node_index,
                        std::string* why_not) const = 0;
  // `backend_id` is what this backend passes to the profiler.
  virtual Result<std::unique_ptr<CompiledPartition>> compile(
      Graph& graph, const std::vector<int>& nodes, int backend_id) = 0;
};

// Backend names a user may list: "cpu" (the reference kernels; alias
// "reference"), "xnnpack" (when built with it), "native" (our own int8
// kernels, engine/backends/native/).
std::vector<std::string> available_backends();
Result<std::unique_ptr<Backend>> create_backend(std::string_view name,
                                                const BackendConfig& config);

}  // namespace opscope

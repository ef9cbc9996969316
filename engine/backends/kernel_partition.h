// A compiled partition that is a list of prepared kernels run in order, one
// profiler event per node: the reference backend's and the native backend's.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "engine/backend.h"
#include "engine/kernel.h"

namespace opscope {

class KernelPartition final : public CompiledPartition {
 public:
  struct Step {
    int node = 0;
    std::unique_ptr<Kernel> kernel;
    size_t scratch_bytes = 0;
  };

  // `keep_alive` holds what the kernels use and do not own (the native
  // backend's thread pool); may be null.
  KernelPartition(std::vector<Step> steps, int backend_id,
                  std::shared_ptr<const void> keep_alive = nullptr)
      : steps_(std::move(steps)), backend_id_(backend_id), keep_alive_(std::move(keep_alive)) {}

  size_t scratch_bytes(int node_index) const override {
    for (const Step& s : steps_) {
      if (s.node == node_index) return s.scratch_bytes;
    }
    return 0;
  }

  Status execute(void* const* buffers, void* const* node_scratch,
                 Profiler* profiler) override {
    Status failure;
    RunContext ctx;
    ctx.buffers = buffers;
    ctx.failure = &failure;
    ctx.profiler = profiler;
    for (Step& s : steps_) {
      ctx.scratch = node_scratch[s.node];
      ScopedOpProfile op(profiler, s.node, backend_id_);
      s.kernel->run(ctx);
      // Later nodes would only compute from the failed node's zeros.
      if (!failure.is_ok()) return failure;
    }
    return Status::ok();
  }

 private:
  std::vector<Step> steps_;
  int backend_id_;
  std::shared_ptr<const void> keep_alive_;
};

}  // namespace opscope

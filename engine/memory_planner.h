// Arena memory planning: greedy by size, best-fit offsets.
//
// Buffers are added with their size and the first and last step (node
// position in execution order) that use them. plan() sorts them by size,
// descending, and gives each the lowest-waste gap among the buffers already
// placed whose lifetimes overlap it. The arena is the highest end offset.
// The lower bound is the largest sum of simultaneously live buffer sizes: no
// plan can do better, so a reader can see how good this one is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace opscope {

class MemoryPlanner {
 public:
  static constexpr size_t kAlignment = 64;

  // Returns the buffer's id. Requires first_use <= last_use.
  int add_buffer(size_t bytes, int first_use, int last_use);
  void plan();

  size_t offset(int buffer) const { return buffers_[buffer].offset; }
  size_t arena_bytes() const { return arena_bytes_; }
  size_t lower_bound_bytes() const { return lower_bound_bytes_; }
  int num_buffers() const { return static_cast<int>(buffers_.size()); }

 private:
  struct Buffer {
    size_t bytes = 0;
    int first_use = 0;
    int last_use = 0;
    size_t offset = 0;
  };
  std::vector<Buffer> buffers_;
  size_t arena_bytes_ = 0;
  size_t lower_bound_bytes_ = 0;
};

}  // namespace opscope

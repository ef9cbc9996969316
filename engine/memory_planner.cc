#include "engine/memory_planner.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>

namespace opscope {
namespace {

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

}  // namespace

int MemoryPlanner::add_buffer(size_t bytes, int first_use, int last_use) {
  assert(first_use <= last_use);
  buffers_.push_back(Buffer{align_up(bytes, kAlignment), first_use, last_use, 0});
  return static_cast<int>(buffers_.size()) - 1;
}

void MemoryPlanner::plan() {
  const int n = num_buffers();
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Largest first; ties by earlier first use for a stable, readable plan.
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (buffers_[a].bytes != buffers_[b].bytes) {
      return buffers_[a].bytes > buffers_[b].bytes;
    }
    return buffers_[a].first_use < buffers_[b].first_use;
  });

  std::vector<int> placed;  // ids, kept sorted by offset
  placed.reserve(n);
  arena_bytes_ = 0;
  for (int id : order) {
    Buffer& b = buffers_[id];
    // Walk the placed buffers that overlap in time, in offset order, and
    // pick the smallest gap that fits (best fit); else go past the last.
    size_t best_offset = 0;
    size_t best_waste = std::numeric_limits<size_t>::max();
    size_t cursor = 0;
    for (int other_id : placed) {
      const Buffer& o = buffers_[other_id];
      if (o.last_use < b.first_use || o.first_use > b.last_use) continue;
      if (o.offset >= cursor) {
        const size_t gap = o.offset - cursor;
        if (gap >= b.bytes && gap - b.bytes < best_waste) {
          best_waste = gap - b.bytes;
          best_offset = cursor;
        }
      }
      cursor = std::max(cursor, o.offset + o.bytes);
    }
    if (best_waste == std::numeric_limits<size_t>::max()) best_offset = cursor;
    b.offset = best_offset;
    arena_bytes_ = std::max(arena_bytes_, b.offset + b.bytes);
    auto pos = std::upper_bound(
        placed.begin(), placed.end(), id, [&](int lhs, int rhs) {
          return buffers_[lhs].offset < buffers_[rhs].offset;
        });
    placed.insert(pos, id);
  }

  // Lower bound: the peak of live bytes over steps.
  int last_step = 0;
  for (const Buffer& b : buffers_) last_step = std::max(last_step, b.last_use);
  std::vector<int64_t> delta(static_cast<size_t>(last_step) + 2, 0);
  for (const Buffer& b : buffers_) {
    delta[b.first_use] += static_cast<int64_t>(b.bytes);
    delta[b.last_use + 1] -= static_cast<int64_t>(b.bytes);
  }
  int64_t live = 0, peak = 0;
  for (int64_t d : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  lower_bound_bytes_ = static_cast<size_t>(peak);
}

}  // namespace opscope

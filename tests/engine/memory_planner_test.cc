// The memory planner against an exhaustive check: no two buffers that are
// live at the same step overlap in the arena, and the arena is never smaller
// than the lower bound.
#include "engine/memory_planner.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace opscope {
namespace {

struct Spec {
  size_t bytes;
  int first, last;
};

void expect_valid_plan(const std::vector<Spec>& specs) {
  MemoryPlanner planner;
  for (const Spec& s : specs) planner.add_buffer(s.bytes, s.first, s.last);
  planner.plan();
  for (size_t a = 0; a < specs.size(); ++a) {
    EXPECT_EQ(planner.offset(a) % MemoryPlanner::kAlignment, 0u);
    EXPECT_LE(planner.offset(a) + specs[a].bytes, planner.arena_bytes());
    for (size_t b = a + 1; b < specs.size(); ++b) {
      const bool time_overlap = specs[a].first <= specs[b].last &&
                                specs[b].first <= specs[a].last;
      if (!time_overlap) continue;
      const size_t a0 = planner.offset(a), a1 = a0 + specs[a].bytes;
      const size_t b0 = planner.offset(b), b1 = b0 + specs[b].bytes;
      EXPECT_TRUE(a1 <= b0 || b1 <= a0)
          << "buffers " << a << " and " << b << " overlap";
    }
  }
  EXPECT_GE(planner.arena_bytes(), planner.lower_bound_bytes());
}

TEST(MemoryPlanner, ChainReusesMemory) {
  // a -> b -> c -> d: each buffer lives two steps; 2 slots suffice.
  std::vector<Spec> specs = {{1024, 0, 1}, {1024, 1, 2}, {1024, 2, 3}, {1024, 3, 4}};
  expect_valid_plan(specs);
  MemoryPlanner planner;
  for (const Spec& s : specs) planner.add_buffer(s.bytes, s.first, s.last);
  planner.plan();
  EXPECT_EQ(planner.arena_bytes(), 2048u);
  EXPECT_EQ(planner.lower_bound_bytes(), 2048u);
}

TEST(MemoryPlanner, BestFitPicksTheSmallestGap) {
  // Two long-lived buffers leave a small and a large gap; a short-lived
  // small buffer must take the small gap.
  MemoryPlanner planner;
  planner.add_buffer(4096, 0, 10);  // placed first (largest)
  planner.add_buffer(1024, 0, 2);   // then these
  planner.add_buffer(1024, 3, 10);
  planner.add_buffer(1024, 4, 5);
  planner.plan();
  EXPECT_LE(planner.arena_bytes(), 4096u + 2048u);
}

TEST(MemoryPlanner, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<Spec> specs;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const int first = static_cast<int>(rng() % 30);
      const int last = first + static_cast<int>(rng() % 8);
      specs.push_back({1 + rng() % 100000, first, last});
    }
    expect_valid_plan(specs);
  }
}

TEST(MemoryPlanner, EmptyPlanIsZero) {
  MemoryPlanner planner;
  planner.plan();
  EXPECT_EQ(planner.arena_bytes(), 0u);
  EXPECT_EQ(planner.lower_bound_bytes(), 0u);
}

}  // namespace
}  // namespace opscope

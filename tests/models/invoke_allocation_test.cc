// invoke() never allocates: malloc, calloc, realloc and aligned allocations
// are interposed in this test binary and counted while a real model runs,
// on the reference backend and on xnnpack,cpu (1 and 2 threads), with the
// per-op profiler attached.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "datasets/random_input.h"
#include "engine/session.h"
#include "harness/model_loader.h"
#include "profilers/latency_profiler.h"
#include "profilers/trace_recorder.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
void count() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  count();
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  count();
  *out = __libc_memalign(alignment, n);
  return *out ? 0 : 12;  // ENOMEM
}
}

namespace opscope {
namespace {

namespace fs = std::filesystem;

struct Case {
  const char* model;
  std::vector<std::string> backends;
  int threads;
};

// The counter itself works: a vector's allocation is seen.
TEST(AllocationCounter, SeesAllocations) {
  g_allocations = 0;
  g_counting = true;
  auto* v = new std::vector<int>(1000);
  g_counting = false;
  delete v;
  EXPECT_GE(g_allocations.load(), 1);
}

class InvokeAllocation : public ::testing::TestWithParam<Case> {};

TEST_P(InvokeAllocation, InvokeDoesNotAllocate) {
  const Case& c = GetParam();
  const char* dir = std::getenv("OPSCOPE_MODEL_DIR");
  const fs::path path = fs::path(dir ? dir : "") / (std::string(c.model) + ".tflite");
  if (!fs::exists(path)) {
    const char* req = std::getenv("OPSCOPE_REQUIRE_ORACLE");
    if (req && std::string(req) == "1") FAIL() << "missing " << path;
    GTEST_SKIP() << "model not fetched";
  }
  auto model = harness::load_model(path.string());
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  profilers::LatencyProfiler profiler(static_cast<int>((*model)->graph.nodes.size()), 8);
  SessionOptions options;
  options.backends = c.backends;
  options.threads = c.threads;
  options.profiler = &profiler;
  auto session = Session::create(*model, options);
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Session& s = **session;
  for (int i = 0; i < s.num_inputs(); ++i) {
    datasets::fill_random(s.input_tensor(i), 1, datasets::default_range(s.input_tensor(i)),
                          s.input_data(i));
  }
  ASSERT_TRUE(s.invoke().is_ok());  // first invoke: lazy work is allowed here
  profiler.end_invoke();

  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 3; ++i) (void)s.invoke();
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0) << "allocations during 3 warm invokes";

  // Keeping the op timeline (--trace-invokes) copies into buffers sized up
  // front: the measurement loop of run_case (invoke, record, end_invoke)
  // allocates nothing either.
  profiler.end_invoke();  // folds the invokes above, outside the count
  profilers::TraceRecorder trace(2, profiler.event_capacity());
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 3; ++i) {
    const uint64_t t0 = now_ns();
    (void)s.invoke();
    trace.record_invoke(t0, now_ns(), profiler.pending_events());
    profiler.end_invoke();  // within the 8 samples reserved per node
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0) << "allocations while tracing 3 invokes";
  EXPECT_EQ(trace.invokes().size(), 2u);
  EXPECT_GE(trace.events().size(), 2 * s.graph().nodes.size());
}

std::vector<Case> cases() {
  std::vector<Case> v;
  for (const char* m : {"selfie_segmentation", "face_detection_full_range", "hand_landmark_full",
                        "embedding_model", "hey_mycroft_v0.1"}) {
    v.push_back({m, {"cpu"}, 1});
#if OPSCOPE_WITH_XNNPACK
    v.push_back({m, {"xnnpack", "cpu"}, 1});
    v.push_back({m, {"xnnpack", "cpu"}, 2});
#endif
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(RealModels, InvokeAllocation, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = std::string(info.param.model) + "_" +
                                              info.param.backends[0] + "_" +
                                              std::to_string(info.param.threads) + "t";
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace opscope

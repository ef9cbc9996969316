// The sweep matrix (harness/sweep_plan.h): what `opscope sweep` stores, so it
// is tested with the store (one ctest entry for the store side).
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "harness/sweep_plan.h"
#include "tests/adapters/store/store_test_util.h"

namespace opscope::harness {
namespace {

SweepPlan two_by_two(int repeat) {
  SweepPlan p;
  p.models = {{"float", "a.tflite"}, {"", "b.tflite"}};
  p.backends = {"cpu", "xnnpack,cpu"};
  p.threads = {1, 2};
  p.repeat = repeat;
  return p;
}

std::string key(const SweepCase& c) {
  return c.opts.model + "|" + c.opts.backends + "|" + std::to_string(c.opts.config.threads);
}

TEST(SweepPlan, EveryRoundRunsTheWholeMatrixOnceInAShuffledOrder) {
  const auto cases = expand_sweep(two_by_two(3));
  ASSERT_EQ(cases.size(), 24u);  // 2 models x 2 backends x 2 thread counts x 3
  std::vector<std::string> orders;
  for (int round = 0; round < 3; ++round) {
    std::set<std::string> keys;
    std::string order;
    for (int i = 0; i < 8; ++i) {
      const SweepCase& c = cases[round * 8 + i];
      EXPECT_EQ(c.round, round);
      keys.insert(key(c));
      order += key(c) + ";";
    }
    EXPECT_EQ(keys.size(), 8u) << "round " << round << " repeats a case";
    orders.push_back(order);
  }
  EXPECT_FALSE(orders[0] == orders[1] && orders[1] == orders[2]) << "not shuffled";
  // The backend list reaches the case config, the variant label its case.
  for (const SweepCase& c : cases) {
    EXPECT_EQ(c.opts.config.backends.size(), c.opts.backends == "cpu" ? 1u : 2u);
    EXPECT_EQ(c.variant, c.opts.model == "a.tflite" ? "float" : "");
  }
}

TEST(SweepPlan, TheSeedFixesTheOrder) {
  auto order = [](uint64_t seed, bool shuffle) {
    SweepPlan p = two_by_two(2);
    p.shuffle_seed = seed;
    p.shuffle = shuffle;
    std::string s;
    for (const SweepCase& c : expand_sweep(p)) s += key(c) + ";";
    return s;
  };
  EXPECT_EQ(order(7, true), order(7, true));
  EXPECT_NE(order(7, true), order(8, true));
  EXPECT_EQ(order(7, false), order(8, false));
}

TEST(SweepPlan, ParsesFlagValuesAndRejectsBadOnes) {
  EXPECT_EQ(*parse_thread_list("1,2,4"), (std::vector<int>{1, 2, 4}));
  for (const char* bad : {"", "1,,2", "0", "2x", "-1", "300"}) {
    auto r = parse_thread_list(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
  }
  auto v = parse_variant("int8=m_int8.tflite");
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(v->variant, "int8");
  EXPECT_EQ(v->path, "m_int8.tflite");
  EXPECT_FALSE(parse_variant("m.tflite").is_ok());
  EXPECT_FALSE(parse_variant("=m.tflite").is_ok());
}

TEST(SweepPlan, LoadsAPlanFile) {
  store::testing::ScratchDir dir;
  const std::string path = dir.file("plan.json");
  std::ofstream(path) << R"({"models": ["b.tflite"], "variants": {"int8": "q.tflite"},
    "backends": ["xnnpack,cpu"], "threads": [2, 4], "repeat": 2, "seed": 9,
    "cool_down_secs": 0.5, "timeout_secs": 30, "tags": {"branch": "main"},
    "run": {"runs": 7, "warmup": 1, "min_secs": 0.25, "cpus": "0"}})";
  SweepPlan p;
  ASSERT_TRUE(load_sweep_plan(path, p).is_ok());
  ASSERT_TRUE(check_sweep_plan(p).is_ok());
  ASSERT_EQ(p.models.size(), 2u);
  EXPECT_EQ(p.models[1].variant, "int8");
  EXPECT_EQ(p.threads, (std::vector<int>{2, 4}));
  EXPECT_EQ(p.repeat, 2);
  EXPECT_EQ(p.shuffle_seed, 9u);
  EXPECT_DOUBLE_EQ(p.timeout_secs, 30);
  EXPECT_EQ(p.tags.at("branch"), "main");
  EXPECT_EQ(p.run.config.runs, 7);
  EXPECT_EQ(p.run.config.cpus, "0");
  EXPECT_EQ(expand_sweep(p).size(), 8u);

  std::ofstream(dir.file("typo.json")) << R"({"modles": ["b.tflite"]})";
  SweepPlan q;
  const Status typo = load_sweep_plan(dir.file("typo.json"), q);
  EXPECT_NE(typo.message().find("unknown field 'modles'"), std::string::npos) << typo.message();
  std::ofstream(dir.file("type.json")) << R"({"threads": "1,2"})";
  EXPECT_EQ(load_sweep_plan(dir.file("type.json"), q).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(load_sweep_plan(dir.file("none.json"), q).code(), ErrorCode::kIoError);
  EXPECT_FALSE(check_sweep_plan(SweepPlan{}).is_ok());  // no models
}

}  // namespace
}  // namespace opscope::harness

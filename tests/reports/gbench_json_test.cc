// The gbench-json report against Google Benchmark's own JSON reporter: a
// real Google Benchmark binary (gbench_reference_main.cc, Debian's
// libbenchmark) runs with --benchmark_repetitions=3; every context key and
// every key of its iteration and aggregate rows must be in ours with the
// same JSON type, in the same order, and the aggregate names must match.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>

#include "reports/gbench_json.h"
#include "reports/report_writer.h"
#include "tests/reports/report_runs.h"

namespace opscope::reports {
namespace {

using nlohmann::ordered_json;

ordered_json reference_output() {
  const std::string cmd = std::string(OPSCOPE_GBENCH_REFERENCE) +
                          " --benchmark_format=json --benchmark_repetitions=3"
                          " --benchmark_min_time=0.001 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof(buf), p.get())) > 0) out.append(buf, n);
  return ordered_json::parse(out);
}

std::vector<std::string> keys(const ordered_json& o) {
  std::vector<std::string> k;
  for (auto it = o.begin(); it != o.end(); ++it) k.push_back(it.key());
  return k;
}

// Every key of `ref` is in `ours`, with the same type (numbers: any number),
// and the shared keys come in the same relative order.
void expect_same_shape(const ordered_json& ref, const ordered_json& ours, const std::string& what) {
  std::vector<std::string> ours_keys = keys(ours);
  size_t last = 0;
  for (const std::string& k : keys(ref)) {
    auto pos = std::find(ours_keys.begin(), ours_keys.end(), k);
    ASSERT_NE(pos, ours_keys.end()) << what << ": missing key " << k;
    const size_t at = static_cast<size_t>(pos - ours_keys.begin());
    EXPECT_GE(at, last) << what << ": key " << k << " out of order";
    last = at;
    const bool same = ref[k].is_number() ? ours[k].is_number() : ref[k].type() == ours[k].type();
    EXPECT_TRUE(same) << what << ": key " << k << " is " << ours[k].type_name() << ", reference "
                      << ref[k].type_name();
  }
}

TEST(GbenchJson, MatchesGoogleBenchmarksOwnReporter) {
  const auto& runs = testing::real_runs();
  if (runs.empty()) {
    if (testing::models_required()) FAIL() << "selfie_segmentation missing";
    GTEST_SKIP() << "models not fetched";
  }
  const ordered_json ref = reference_output();
  const ordered_json ours = ordered_json::parse(render_report(Format::kGbenchJson, runs));
  ASSERT_TRUE(ref.contains("context") && ref.contains("benchmarks"));
  EXPECT_EQ(keys(ours).front(), "context");
  expect_same_shape(ref["context"], ours["context"], "context");

  const ordered_json* ref_iter = nullptr;
  const ordered_json* ref_agg = nullptr;
  std::set<std::string> ref_aggs, our_aggs;
  for (const auto& b : ref["benchmarks"]) {
    if (b["run_type"] == "iteration" && !ref_iter) ref_iter = &b;
    if (b["run_type"] == "aggregate") {
      if (!ref_agg) ref_agg = &b;
      ref_aggs.insert(b["aggregate_name"].get<std::string>());
    }
  }
  ASSERT_TRUE(ref_iter && ref_agg);

  // Run [0]: one iteration row per sample, then the aggregates.
  const auto& d = runs[0].doc;
  int iterations = 0;
  for (const auto& b : ours["benchmarks"]) {
    if (b["family_index"] != 0) continue;
    if (b["run_type"] == "iteration") {
      ++iterations;
      expect_same_shape(*ref_iter, b, "iteration row");
      EXPECT_EQ(b["repetitions"].get<size_t>(), d.latency_ms.samples.size());
      EXPECT_EQ(b["time_unit"], "ms");
    } else {
      expect_same_shape(*ref_agg, b, "aggregate row");
      our_aggs.insert(b["aggregate_name"].get<std::string>());
      if (b["aggregate_name"] == "median") {
        EXPECT_NEAR(b["real_time"].get<double>(), d.latency_ms.median, 1e-9);
      }
      EXPECT_EQ(b["name"].get<std::string>(),
                b["run_name"].get<std::string>() + "_" + b["aggregate_name"].get<std::string>());
    }
  }
  EXPECT_EQ(iterations, static_cast<int>(d.latency_ms.samples.size()));
  EXPECT_EQ(our_aggs, ref_aggs);

  // The failed run is one row marked as Google Benchmark marks errors.
  bool error_row = false;
  for (const auto& b : ours["benchmarks"]) {
    if (b["family_index"] == 2) {
      error_row = b.value("error_occurred", false) &&
                  b["error_message"].get<std::string>().find("io_error") != std::string::npos;
    }
  }
  EXPECT_TRUE(error_row);
}

TEST(GbenchJson, AggregatesOnlyHasOneRowPerName) {
  const auto& runs = testing::real_runs();
  if (runs.empty()) GTEST_SKIP() << "models not fetched";
  GbenchOptions o;
  o.aggregates_only = true;
  const auto j = render_gbench_json(runs, o);
  std::set<std::string> names;
  for (const auto& b : j["benchmarks"]) {
    if (b.value("error_occurred", false)) continue;
    EXPECT_EQ(b["run_type"], "aggregate");
    EXPECT_TRUE(names.insert(b["name"].get<std::string>()).second) << b["name"];
  }
  EXPECT_EQ(names.size(), 8u);  // 2 ok runs x mean, median, stddev, cv
}

}  // namespace
}  // namespace opscope::reports

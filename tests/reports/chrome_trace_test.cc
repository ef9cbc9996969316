// The Chrome trace is Trace Event Format as chrome://tracing and Perfetto
// read it: a JSON object with traceEvents; complete ("X") events carry
// name/ph/ts/dur/pid/tid; one slice per op per traced invoke, nested inside
// its invoke slice on the same track; process and thread names.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "reports/chrome_trace.h"
#include "reports/report_writer.h"
#include "tests/reports/report_runs.h"

namespace opscope::reports {
namespace {

using nlohmann::json;

#define REQUIRE_RUNS()                                                   \
  const auto& runs = testing::real_runs();                               \
  if (runs.empty()) {                                                    \
    if (testing::models_required()) FAIL() << "selfie_segmentation missing"; \
    GTEST_SKIP() << "models not fetched";                                \
  }

TEST(ChromeTrace, EveryEventHasTheRequiredFields) {
  REQUIRE_RUNS();
  // Parse the text as written, not the in-memory object.
  const json t = json::parse(render_report(Format::kChromeTrace, runs));
  ASSERT_TRUE(t.is_object());
  ASSERT_TRUE(t.contains("traceEvents"));
  ASSERT_TRUE(t["traceEvents"].is_array());
  int complete = 0;
  for (const json& e : t["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("name") && e.contains("pid")) << e.dump();
    if (e["ph"] == "X") {
      ++complete;
      for (const char* k : {"ts", "dur", "tid"}) ASSERT_TRUE(e.contains(k)) << k << e.dump();
      EXPECT_TRUE(e["ts"].is_number() && e["dur"].is_number()) << e.dump();
      EXPECT_GE(e["ts"].get<double>(), 0.0);
      EXPECT_GE(e["dur"].get<double>(), 0.0);
    } else {
      EXPECT_EQ(e["ph"], "M") << e.dump();
    }
  }
  EXPECT_GT(complete, 0);
}

TEST(ChromeTrace, OneSlicePerOpPerTracedInvokeNestedInItsInvoke) {
  REQUIRE_RUNS();
  const json t = json::parse(render_report(Format::kChromeTrace, runs));
  struct Slice {
    double ts, end;
    int64_t tid;
  };
  std::map<int, std::vector<Slice>> invokes, ops;  // by pid
  std::map<int, std::set<std::string>> stages;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const Slice s{e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>(),
                  e["tid"].get<int64_t>()};
    const std::string cat = e.value("cat", "");
    const int pid = e["pid"].get<int>();
    if (cat == "invoke") invokes[pid].push_back(s);
    if (cat.rfind("op,", 0) == 0) {
      ops[pid].push_back(s);
      const json& a = e["args"];
      for (const char* k : {"op_type", "backend", "output_shapes", "source_index",
                            "live_bytes", "weights_bytes"}) {
        ASSERT_TRUE(a.contains(k)) << k;
      }
    }
    if (cat == "stage") stages[pid].insert(e["name"].get<std::string>());
  }
  const auto& d = runs[0].doc;
  ASSERT_EQ(d.trace.invokes.size(), static_cast<size_t>(testing::kTraceInvokes));
  const int pid = static_cast<int>(runs[0].id);
  EXPECT_EQ(invokes[pid].size(), static_cast<size_t>(testing::kTraceInvokes));
  EXPECT_EQ(ops[pid].size(), d.ops.size() * testing::kTraceInvokes);
  EXPECT_EQ(ops[2].size(), runs[1].doc.ops.size() * 2);  // cpu run: 2 traced invokes
  EXPECT_TRUE(ops[3].empty());                           // the failed run
  for (const char* s : {"load", "partition", "prepare", "plan", "first_invoke"}) {
    EXPECT_TRUE(stages[pid].count(s)) << s;
  }
  for (const auto& [p, list] : ops) {
    for (const Slice& op : list) {
      int parents = 0;
      for (const Slice& inv : invokes[p]) {
        if (inv.tid == op.tid && op.ts >= inv.ts - 1e-3 && op.end <= inv.end + 1e-3) ++parents;
      }
      ASSERT_EQ(parents, 1) << "op slice at " << op.ts << " in pid " << p;
    }
    // Ops on a track do not overlap one another (they run one after another).
    std::vector<Slice> sorted = list;
    std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.ts < b.ts; });
    for (size_t i = 1; i < sorted.size(); ++i) {
      ASSERT_LE(sorted[i - 1].end, sorted[i].ts + 1e-3);
    }
  }
}

TEST(ChromeTrace, NamesProcessesAndThreads) {
  REQUIRE_RUNS();
  const json t = render_chrome_trace(runs);
  std::set<int> named_pids, pids_with_slices;
  std::set<std::pair<int, int64_t>> named_tids, tids_with_slices;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name") named_pids.insert(e["pid"].get<int>());
    if (e["ph"] == "M" && e["name"] == "thread_name") {
      named_tids.insert({e["pid"].get<int>(), e["tid"].get<int64_t>()});
      EXPECT_FALSE(e["args"]["name"].get<std::string>().empty());
    }
    if (e["ph"] == "X") {
      pids_with_slices.insert(e["pid"].get<int>());
      tids_with_slices.insert({e["pid"].get<int>(), e["tid"].get<int64_t>()});
    }
  }
  EXPECT_EQ(named_pids.size(), runs.size());
  for (int p : pids_with_slices) EXPECT_TRUE(named_pids.count(p)) << p;
  for (const auto& pt : tids_with_slices) EXPECT_TRUE(named_tids.count(pt)) << pt.second;
}

TEST(ChromeTrace, RunWithoutTraceIsSynthesizedFromMeans) {
  REQUIRE_RUNS();
  store::StoredRun r = runs[0];
  r.doc.trace = {};
  const json t = render_chrome_trace({r});
  int op_slices = 0;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] == "X" && e["cat"].get<std::string>().rfind("op,", 0) == 0) {
      ++op_slices;
      EXPECT_TRUE(e["args"]["synthesized"].get<bool>());
    }
  }
  EXPECT_EQ(op_slices, static_cast<int>(r.doc.ops.size()));
}

// An op inside an If's branch: its slice lies inside the If's on the same
// thread (how the engine times it) and names its parent; the synthesized
// timeline, which lays the main graph's ops end to end, leaves it out.
TEST(ChromeTrace, OpsInsideControlFlowNestInTheirNodesSlice) {
  store::StoredRun r;
  r.doc.model.name = "branchy";
  r.doc.status = "ok";
  OpStats if_op, body_op;
  if_op.index = 0;
  if_op.type = "If";
  if_op.mean_us = 10;
  body_op.index = 1;
  body_op.type = "Add";
  body_op.parent = 0;
  body_op.depth = 1;
  body_op.body = "then_branch";
  body_op.mean_us = 3;
  r.doc.ops = {if_op, body_op};
  TraceInvoke inv;
  inv.begin_us = 100;
  inv.dur_us = 20;
  inv.tid = 7;
  inv.ops = {{0, 102, 10}, {1, 104, 3}};
  r.doc.trace.invokes = {inv};
  const json t = render_chrome_trace({r});
  const json* parent = nullptr;
  const json* child = nullptr;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] != "X") continue;
    if (e["name"] == "If") parent = &e;
    if (e["name"] == "Add") child = &e;
  }
  ASSERT_NE(parent, nullptr);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ((*child)["tid"], (*parent)["tid"]);
  EXPECT_GE((*child)["ts"].get<double>(), (*parent)["ts"].get<double>());
  EXPECT_LE((*child)["ts"].get<double>() + (*child)["dur"].get<double>(),
            (*parent)["ts"].get<double>() + (*parent)["dur"].get<double>());
  EXPECT_EQ((*child)["args"]["parent"], 0);
  EXPECT_EQ((*child)["args"]["body"], "then_branch");
  EXPECT_FALSE((*parent)["args"].contains("parent"));

  r.doc.trace = {};
  int synthesized = 0;
  const json synth = render_chrome_trace({r});
  for (const json& e : synth["traceEvents"]) {
    if (e["ph"] == "X" && e["cat"].get<std::string>().rfind("op,", 0) == 0) {
      ++synthesized;
      EXPECT_EQ(e["name"], "If");
    }
  }
  EXPECT_EQ(synthesized, 1);
}

}  // namespace
}  // namespace opscope::reports

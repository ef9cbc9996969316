// Per-op rows inside control flow through run_case: a Loop's body ops are
// rows after the main graph's, under the Loop (parent, depth 1, body
// "body"), each run four times per invoke, their time within the Loop's;
// the main graph's shares still add up to 100%; the run-order table
// indents them under the Loop with "x4" counts, and the summaries leave
// them out. The model: onnx_loop_models.h's for-loop, written to a file.
// TFLite's WHILE the same way: its cond's ops run once more than its body's.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/run_report.h"
#include "harness/run_case.h"
#include "reports/run_summary.h"
#include "tests/adapters/formats/onnx_loop_models.h"
#include "tests/adapters/formats/tflite_control_flow_models.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;

TEST(ControlFlowRows, LoopBodyOpsRunFourTimesPerInvokeUnderTheLoop) {
  const fs::path path = fs::temp_directory_path() /
                        ("opscope_loop_rows_" + std::to_string(::getpid()) + ".onnx");
  const std::string bytes = onnx_loop_models::loop_model(onnx_loop_models::for_loop());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  harness::RunRequest req;
  req.model_path = path.string();
  req.config.runs = 5;
  req.config.warmup_runs = 1;
  req.config.min_secs = 0;
  const ResultDocument doc = harness::run_case(req);
  fs::remove(path);
  ASSERT_EQ(doc.status, "ok") << doc.error.message;

  int loop_row = -1;
  for (const OpStats& op : doc.ops) {
    if (op.type == "Loop") loop_row = op.index;
  }
  ASSERT_GE(loop_row, 0);
  const OpStats& loop = doc.ops[static_cast<size_t>(loop_row)];
  EXPECT_EQ(loop.depth, 0);
  EXPECT_GT(loop.count, 0);
  int body_rows = 0;
  double body_us = 0;
  for (const OpStats& op : doc.ops) {
    if (op.depth == 0) {
      EXPECT_LT(op.index, static_cast<int>(doc.ops.size()));
      continue;
    }
    ++body_rows;
    body_us += op.mean_us;
    EXPECT_EQ(op.parent, loop_row) << op.name;
    EXPECT_EQ(op.depth, 1) << op.name;
    EXPECT_EQ(op.body, "body") << op.name;
    EXPECT_EQ(op.count, loop.count) << op.name;
    EXPECT_EQ(op.runs_per_invoke, 4.0) << op.name;
    EXPECT_EQ(op.live_bytes, 0) << op.name;
  }
  EXPECT_GE(body_rows, 3);  // Add, Cast, Mul (and the condition's copy)
  EXPECT_LE(body_us, loop.mean_us);
  EXPECT_NEAR(doc.ops.back().cdf_pct, loop.cdf_pct, 1e-9);
  double top_pct = 0;
  for (const OpStats& op : doc.ops) {
    if (op.depth == 0) top_pct += op.pct;
  }
  EXPECT_NEAR(top_pct, 100.0, 1e-6);
  for (const reports::TypeShare& t : reports::op_type_breakdown(doc)) {
    EXPECT_NE(t.type, "Mul") << "body ops count in the Loop's time, not on their own";
  }

  // The run-order table: the body rows right after the Loop, indented, "x4".
  const std::vector<const OpStats*> order = reports::ops_in_run_order(doc);
  ASSERT_EQ(order.size(), doc.ops.size());
  size_t at = 0;
  while (at < order.size() && order[at]->index != loop_row) ++at;
  ASSERT_LT(at + 1, order.size());
  EXPECT_EQ(order[at + 1]->parent, loop_row);
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  cli::print_run_report(doc, cli::RunReportOptions{}, out);
  std::fclose(out);
  const std::string report(text, size);
  std::free(text);
  EXPECT_NE(report.find("  Mul"), std::string::npos) << report;
  EXPECT_NE(report.find(" x4.0"), std::string::npos) << report;
}

// tflite_control_flow_models.h's WHILE with a constant n = 5: the body's
// three ops run 5 times per invoke, the cond's LESS 6 times (the last
// ends the loop).
TEST(ControlFlowRows, TfliteWhileBodyOpsRunOncePerIteration) {
  const fs::path path = fs::temp_directory_path() /
                        ("opscope_while_rows_" + std::to_string(::getpid()) + ".tflite");
  const std::vector<uint8_t> bytes = tflite::testing::control_flow_models::while_model(5);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  harness::RunRequest req;
  req.model_path = path.string();
  req.config.runs = 3;
  req.config.warmup_runs = 1;
  req.config.min_secs = 0;
  const ResultDocument doc = harness::run_case(req);
  fs::remove(path);
  ASSERT_EQ(doc.status, "ok") << doc.error.message;

  int while_row = -1;
  for (const OpStats& op : doc.ops) {
    if (op.type == "WHILE") while_row = op.index;
  }
  ASSERT_GE(while_row, 0);
  const OpStats& loop = doc.ops[static_cast<size_t>(while_row)];
  EXPECT_EQ(loop.depth, 0);
  int body_rows = 0, cond_rows = 0;
  for (const OpStats& op : doc.ops) {
    if (op.depth == 0) continue;
    EXPECT_EQ(op.parent, while_row) << op.name;
    EXPECT_EQ(op.depth, 1) << op.name;
    EXPECT_EQ(op.count, loop.count) << op.name;
    if (op.body == "body") {
      ++body_rows;
      EXPECT_EQ(op.runs_per_invoke, 5.0) << op.name;
    } else {
      ++cond_rows;
      EXPECT_EQ(op.body, "cond") << op.name;
      EXPECT_EQ(op.type, "LESS") << op.name;
      EXPECT_EQ(op.runs_per_invoke, 6.0) << op.name;
    }
  }
  EXPECT_EQ(body_rows, 3);  // ADD (i + 1), MUL, ADD
  EXPECT_EQ(cond_rows, 1);
}

}  // namespace
}  // namespace opscope

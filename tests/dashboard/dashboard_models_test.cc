// The dashboard's models (QAbstractItemModelTester attached before any data
// arrives), its proxies, and the pure functions that feed them: per-op diffs,
// comparisons and trends must say what the harness's compare and gate say.
#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QFile>
#include <QItemSelectionModel>
#include <QStandardItemModel>
#include <QTemporaryDir>

#include <numeric>
#include <sstream>

#include "dashboard/data/analysis.h"
#include "dashboard/models/ops_model.h"
#include "dashboard/models/roles.h"
#include "dashboard/models/runs_model.h"
#include "dashboard/models/verdict_models.h"
#include "dashboard/widgets/export.h"
#include "tests/dashboard/synthetic_runs.h"

namespace opscope::dashboard {
namespace {

using testing::SyntheticRun;
using testing::synthetic_document;

// Rows from a tiny text description, one run per line:
//   id model variant backends threads status median_ms p90_ms peak_bytes tag
RunList runs_from_text(const std::string& text) {
  RunList runs;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    store::RunRow r;
    std::string tag;
    if (!(f >> r.id >> r.model >> r.variant >> r.backends >> r.threads >> r.status >> r.median_ms >>
          r.p90_ms >> r.peak_rss_bytes >> tag)) {
      continue;
    }
    if (r.variant == "-") r.variant.clear();
    r.device = "vm";
    r.created_at = "2026-11-22T01:11:4" + std::to_string(r.id % 10) + "Z";
    r.precision = r.variant == "int8" ? "int8" : "f32";
    r.tags["commit"] = tag;
    runs.push_back(r);
  }
  return runs;
}

const char* const kRuns = R"(6 selfie.tflite float xnnpack,cpu 1 ok 9.5 10.1 18000000 c2
5 hand.tflite - cpu 1 error 0 0 0 c1
4 selfie_int8.tflite int8 cpu 1 ok 89.1 95.0 14000000 c1
3 selfie_int8.tflite int8 xnnpack,cpu 1 ok 10.4 12.0 14000000 c1
2 selfie.tflite float cpu 1 ok 15.8 17.0 18000000 c1
1 selfie.tflite float xnnpack,cpu 1 ok 7.0 7.5 18000000 c1)";

store::StoredRun stored(int64_t id, const SyntheticRun& s, const std::string& variant,
                        const std::string& commit = "c1") {
  store::StoredRun r;
  r.id = id;
  r.created_at = "2026-11-22T01:11:4" + std::to_string(id % 10) + "Z";
  r.variant = variant;
  r.tags = {{"commit", commit}};
  r.doc = synthetic_document(s);
  return r;
}

SyntheticRun float_xnn() { return SyntheticRun{}; }
SyntheticRun int8_xnn() {
  SyntheticRun s;
  s.model = "selfie_segmentation_int8.tflite";
  s.precision = "int8";
  s.median_ms = 10.4;
  s.seed = 3;
  return s;
}

QVector<qint64> ids_in_view_order(const QAbstractItemModel& m) {
  QVector<qint64> ids;
  for (int r = 0; r < m.rowCount(); ++r) ids << m.index(r, 0).data(kRunIdRole).toLongLong();
  return ids;
}

TEST(RunsModel, PassesTheModelTesterAndShowsEveryRun) {
  RunsModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  RunsFilterModel proxy;
  proxy.setSourceModel(&model);
  QAbstractItemModelTester proxy_tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
  model.setRuns(runs_from_text(kRuns));
  ASSERT_EQ(model.rowCount(), 6);
  EXPECT_EQ(model.index(0, RunsModel::kMedian).data().toString(), "9.500");
  EXPECT_EQ(model.index(1, RunsModel::kMedian).data().toString(), "");  // failed: no median
  EXPECT_EQ(model.index(1, RunsModel::kStatus).data().toString(), "error");
  EXPECT_EQ(model.index(0, RunsModel::kTags).data().toString(), "commit=c2");
  EXPECT_EQ(model.index(0, RunsModel::kPeakMemory).data().toString(), "17.2");
  model.setRuns({});
  EXPECT_EQ(model.rowCount(), 0);
}

TEST(RunsFilterModel, SortsByValueNotByText) {
  RunsModel model;
  RunsFilterModel proxy;
  proxy.setSourceModel(&model);
  model.setRuns(runs_from_text(kRuns));
  proxy.sort(RunsModel::kMedian, Qt::AscendingOrder);
  // As text "89.100" < "9.500"; as numbers 9.5 < 89.1. The failed run sorts first.
  EXPECT_EQ(ids_in_view_order(proxy), (QVector<qint64>{5, 1, 6, 3, 2, 4}));
}

TEST(RunsFilterModel, FiltersByEveryWordAndByStatus) {
  RunsModel model;
  RunsFilterModel proxy;
  proxy.setSourceModel(&model);
  QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
  model.setRuns(runs_from_text(kRuns));
  proxy.setText("int8");
  EXPECT_EQ(ids_in_view_order(proxy), (QVector<qint64>{4, 3}));
  proxy.setText("INT8 xnnpack");  // every word, any case
  EXPECT_EQ(ids_in_view_order(proxy), (QVector<qint64>{3}));
  proxy.setText("commit=c2");
  EXPECT_EQ(ids_in_view_order(proxy), (QVector<qint64>{6}));
  proxy.setText("");
  proxy.setOnlyOk(true);
  EXPECT_EQ(proxy.rowCount(), 5);
  proxy.setText("error");
  EXPECT_EQ(proxy.rowCount(), 0);
}

TEST(RunsModel, NewRunsAreInsertedSoTheSelectionStays) {
  RunsModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  RunList runs = runs_from_text(kRuns);
  model.setRuns(runs);
  QItemSelectionModel selection(&model);
  selection.select(model.index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
  int resets = 0, inserts = 0;
  QObject::connect(&model, &QAbstractItemModel::modelReset, [&] { ++resets; });
  QObject::connect(&model, &QAbstractItemModel::rowsInserted, [&] { ++inserts; });
  RunList more = runs_from_text("8 selfie.tflite float cpu 1 ok 15.9 17.0 18000000 c3\n"
                                "7 selfie.tflite float cpu 1 ok 15.7 17.0 18000000 c3");
  more.insert(more.end(), runs.begin(), runs.end());
  model.setRuns(more);
  EXPECT_EQ(resets, 0);
  EXPECT_EQ(inserts, 1);
  ASSERT_EQ(selection.selectedRows().size(), 1);
  EXPECT_EQ(selection.selectedRows().front().data(kRunIdRole).toLongLong(), 4);
  model.setRuns(more);  // the same list again (the watcher fired, nothing new)
  EXPECT_EQ(resets, 0);
  model.setRuns(runs_from_text(kRuns));  // rows went away: a reset
  EXPECT_EQ(resets, 1);
}

TEST(Operators, OneRunTableAndTwinDiffMatchedBySourceIndex) {
  const OperatorsData one = build_operators({stored(1, float_xnn(), "float")});
  ASSERT_TRUE(one.message.empty());
  OpsModel ops;
  QAbstractItemModelTester ops_tester(&ops, QAbstractItemModelTester::FailureReportingMode::Fatal);
  ops.setOps(one.runs.front().doc.ops);
  EXPECT_EQ(ops.rowCount(), 136);
  EXPECT_EQ(ops.index(9, OpsModel::kBackend).data().toString(), "cpu");  // RESIZE_BILINEAR
  EXPECT_EQ(ops.index(0, OpsModel::kBackend).data().toString(), "xnnpack");
  EXPECT_TRUE(ops.index(0, OpsModel::kBackend).data(Qt::BackgroundRole).isValid());
  EXPECT_NEAR(ops.index(135, OpsModel::kCdfPct).data(kSortRole).toDouble(), 100.0, 1e-6);

  const OperatorsData two =
      build_operators({stored(1, float_xnn(), "float"), stored(3, int8_xnn(), "int8")});
  ASSERT_TRUE(two.message.empty());
  // Source indices 0..135 plus -1 (the int8 model's own quantize/dequantize).
  ASSERT_EQ(two.diff.size(), 137u);
  int both = 0, base_only = 0, cand_only = 0;
  for (const OpDiffRow& r : two.diff) {
    if (r.diff.in_base && r.diff.in_cand) {
      ++both;
      EXPECT_EQ(r.diff.base_type, r.diff.cand_type) << "source index " << r.diff.source_index;
    } else if (r.diff.in_base) {
      ++base_only;
      EXPECT_EQ(r.diff.base_type, "DEQUANTIZE");  // the float model's fp16 weights
    } else {
      ++cand_only;
      EXPECT_EQ(r.diff.source_index, -1);
    }
  }
  EXPECT_EQ(base_only, 9);  // every 15th node of 136
  EXPECT_EQ(cand_only, 1);
  EXPECT_EQ(both, 127);

  OpDiffModel diff;
  QAbstractItemModelTester diff_tester(&diff, QAbstractItemModelTester::FailureReportingMode::Fatal);
  diff.setRows(two.diff, false);
  EXPECT_EQ(diff.rowCount(), 137);
  EXPECT_EQ(diff.columnCount(), OpDiffModel::kSnrDb);
  std::vector<OpDiffRow> rows = two.diff;
  rows[0].quant = QuantOpError{32.5, 0.9991, 0.7, 0.012};
  diff.setRows(rows, true);
  EXPECT_EQ(diff.columnCount(), OpDiffModel::kColumnCountWithQuant);
  EXPECT_EQ(diff.index(0, OpDiffModel::kSnrDb).data().toString(), "32.5");
  EXPECT_EQ(diff.index(1, OpDiffModel::kSnrDb).data().toString(), "");  // no entry: blank
}

TEST(Operators, AFailedRunGivesAMessageNotRows) {
  SyntheticRun bad;
  bad.failed = true;
  const OperatorsData d = build_operators({stored(5, bad, "")});
  EXPECT_NE(d.message.find("run 5 failed: unsupported_op"), std::string::npos) << d.message;
}

TEST(Compare, VerdictsAreTheGates) {
  SyntheticRun slow = float_xnn();
  slow.median_ms = 8.4;
  slow.seed = 6;
  const std::vector<store::StoredRun> runs = {stored(1, float_xnn(), "float", "c1"),
                                              stored(7, slow, "float", "c3")};
  const CompareData d = build_compare(runs);
  ASSERT_EQ(d.sides.size(), 2u);  // one configuration: run against run
  ASSERT_EQ(d.cases.size(), 1u);
  // The same runs through the CLI's path: compare_runs, then evaluate_gate.
  const harness::Comparison cli = harness::compare_runs({runs[0]}, {runs[1]});
  const harness::GateResult gate = harness::evaluate_gate(cli, {});
  EXPECT_EQ(d.overall, gate.overall);
  // One run against one, nothing stored: the run-level gate cannot pass or
  // fail a change of this size (docs/statistics.md), it says so.
  EXPECT_EQ(d.overall, harness::Verdict::kUndecided);
  EXPECT_EQ(d.cases[0].verdict.reason, gate.cases[0].reason);
  EXPECT_DOUBLE_EQ(d.cases[0].comparison.ratio, cli.cases[0].ratio);

  CompareModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  model.setCases(d.cases);
  EXPECT_EQ(model.index(0, CompareModel::kVerdict).data().toString(), "UNDECIDED");
}

TEST(Compare, ConfigurationsPoolTheirRunsAndTheFirstIsTheBaseline) {
  SyntheticRun f2 = float_xnn();
  f2.seed = 9;
  SyntheticRun failed = int8_xnn();
  failed.failed = true;
  const CompareData d = build_compare({stored(1, float_xnn(), "float"), stored(3, int8_xnn(), "int8"),
                                       stored(6, f2, "float"), stored(8, failed, "int8")});
  ASSERT_EQ(d.sides.size(), 2u);
  EXPECT_EQ(d.sides[0].run_ids, (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(d.sides[1].run_ids, (std::vector<int64_t>{3, 8}));
  EXPECT_EQ(d.sides[1].failed_runs, 1);
  EXPECT_EQ(d.sides[0].samples_ms.size(), 80u);
  EXPECT_FALSE(d.cases[0].comparison.paired_by_key);  // float vs int8: paired anyway
}

TEST(Compare, OneRunIsNotAComparison) {
  const CompareData d = build_compare({stored(1, float_xnn(), "float")});
  EXPECT_TRUE(d.cases.empty());
  EXPECT_FALSE(d.message.empty());
  EXPECT_EQ(d.sides.size(), 1u);  // its distribution is still shown
}

TEST(Trend, EachPointIsJudgedAgainstThePrevious) {
  SyntheticRun c2 = float_xnn();
  c2.seed = 5;
  SyntheticRun c3 = float_xnn();
  c3.seed = 6;
  c3.median_ms = 8.4;
  TrendQuery q;
  q.model = "selfie_segmentation.tflite";
  q.variant = "float";
  q.backends = "xnnpack,cpu";
  q.threads = 1;
  q.x_tag = "commit";
  const TrendData t = build_trend(q, {stored(1, float_xnn(), "float", "c1"),
                                      stored(6, c2, "float", "c2"), stored(7, c3, "float", "c3")});
  ASSERT_EQ(t.points.size(), 3u);
  EXPECT_EQ(t.points[0].label, "c1");
  // One run per point: the run-level gate says UNDECIDED for both.
  EXPECT_EQ(t.points[1].verdict, harness::Verdict::kUndecided);
  EXPECT_EQ(t.points[2].verdict, harness::Verdict::kUndecided);
  EXPECT_NE(t.points[2].reason.find("vs c2"), std::string::npos) << t.points[2].reason;
  EXPECT_GT(t.points[2].median_ms, t.points[1].median_ms * 1.1);

  TrendModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  model.setPoints(t.points);
  EXPECT_EQ(model.rowCount(), 3);
  EXPECT_EQ(model.index(2, TrendModel::kVerdict).data().toString(), "UNDECIDED");

  q.x_tag = "nosuchtag";
  EXPECT_FALSE(build_trend(q, {stored(1, float_xnn(), "float")}).message.empty());
}

TEST(Breakdown, TimeByTypeAndBackendAddsUpToTheOps) {
  const ResultDocument doc = synthetic_document(float_xnn());
  const TypeBreakdown b = breakdown_by_type(doc, 6);
  ASSERT_EQ(b.types.size(), 6u);
  EXPECT_EQ(b.types.back(), "other");
  EXPECT_EQ(b.backends, (std::vector<std::string>{"cpu", "xnnpack"}));
  double sum = 0, ops = 0;
  for (const auto& row : b.ms) sum = std::accumulate(row.begin(), row.end(), sum);
  // The summary layer sums mean times (reports/run_summary.h), as the
  // console and the reports do.
  for (const auto& op : doc.ops) ops += op.mean_us / 1000.0;
  EXPECT_NEAR(sum, ops, 1e-9);
  EXPECT_EQ(b.types.front(), "CONV_2D");  // the heaviest type first
}

TEST(Export, CsvQuotesWhatNeedsQuoting) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("xnnpack,cpu"), "\"xnnpack,cpu\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  QStandardItemModel m(2, 2);
  m.setHorizontalHeaderLabels({"Backends", "Median ms"});
  m.setItem(0, 0, new QStandardItem("xnnpack,cpu"));
  m.setItem(0, 1, new QStandardItem("7.000"));
  m.setItem(1, 0, new QStandardItem("cpu"));
  m.setItem(1, 1, new QStandardItem("15.800"));
  QTemporaryDir dir;
  const QString path = dir.filePath("runs.csv");
  QString error;
  ASSERT_TRUE(write_csv(m, path, &error)) << error.toStdString();
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  EXPECT_EQ(f.readAll().toStdString(), "Backends,Median ms\n\"xnnpack,cpu\",7.000\ncpu,15.800\n");
  EXPECT_FALSE(write_csv(m, "/nonexistent-folder/x.csv", &error));
  EXPECT_TRUE(error.contains("/nonexistent-folder/x.csv")) << error.toStdString();
}

}  // namespace
}  // namespace opscope::dashboard

// The loader against real SQLite files made with the real store code: it
// answers off the GUI thread with plain data, follows new runs through its
// file watcher, and turns every bad database into a message, never a crash.
#include <gtest/gtest.h>

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <SQLiteCpp/Database.h>

#include "dashboard/loader/store_loader.h"
#include "dashboard/views/main_window.h"
#include "tests/dashboard/fixture_store.h"

namespace opscope::dashboard {
namespace {

using testing::FixtureIds;
using testing::ScratchDir;

QString q(const std::string& s) { return QString::fromStdString(s); }

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.file("results.db");
    ids_ = testing::build_fixture_store(db_);
  }
  // Opens the fixture and waits for its run list.
  RunList openFixture(StoreLoader& loader) {
    QSignalSpy runs(&loader, &StoreLoader::runsAvailable);
    loader.open(q(db_));
    EXPECT_TRUE(runs.wait(5000));
    return runs.isEmpty() ? RunList{} : runs.takeFirst().at(0).value<RunList>();
  }
  ScratchDir dir_;
  std::string db_;
  FixtureIds ids_;
};

TEST_F(LoaderTest, OpensAndListsTheRunsNewestFirst) {
  StoreLoader loader;
  QSignalSpy opened(&loader, &StoreLoader::opened);
  const RunList runs = openFixture(loader);
  ASSERT_EQ(opened.size(), 1);
  ASSERT_EQ(runs.size(), static_cast<size_t>(FixtureIds::kRuns));
  EXPECT_EQ(runs.front().id, ids_.float_xnn_c3);
  EXPECT_EQ(runs.back().id, ids_.float_xnn);
  EXPECT_EQ(runs.back().tags.at("commit"), "c1");
}

TEST_F(LoaderTest, AnswersOffTheGuiThread) {
  StoreLoader loader;
  openFixture(loader);
  // The worker's thread is not this one: a request returns before its answer.
  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids_.float_xnn});
  EXPECT_TRUE(ops.isEmpty());
  ASSERT_TRUE(ops.wait(5000));
  const auto data = ops.takeFirst().at(0).value<OperatorsData>();
  ASSERT_EQ(data.runs.size(), 1u);
  EXPECT_EQ(data.runs[0].doc.ops.size(), 136u);
}

TEST_F(LoaderTest, TwoRunsGiveTheirPerOpDiff) {
  StoreLoader loader;
  openFixture(loader);
  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids_.float_xnn, ids_.int8_xnn});
  ASSERT_TRUE(ops.wait(5000));
  const auto data = ops.takeFirst().at(0).value<OperatorsData>();
  EXPECT_TRUE(data.message.empty()) << data.message;
  EXPECT_EQ(data.diff.size(), 137u);
  // The stored quant-diff of this pair joins by source index.
  ASSERT_TRUE(data.has_quant_diff);
  EXPECT_EQ(data.quant_task_metric, "mask_iou");
  int with_error = 0;
  for (const OpDiffRow& r : data.diff) {
    if (!r.quant) continue;
    ++with_error;
    EXPECT_NEAR(r.quant->snr_db, 40.0 - 0.13 * r.diff.source_index, 1e-9);
  }
  EXPECT_EQ(with_error, 127);  // every matched float node but the DEQUANTIZEs
}

TEST_F(LoaderTest, QuantDiffColumnsFollowTheModelPairInEitherOrder) {
  StoreLoader loader;
  openFixture(loader);
  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids_.int8_xnn, ids_.float_xnn});  // the runs quant-diff recorded
  ASSERT_TRUE(ops.wait(5000));
  EXPECT_TRUE(ops.takeFirst().at(0).value<OperatorsData>().has_quant_diff);
  // Other runs of the same two files (a sweep's, on another backend): the
  // errors belong to the files, so they join too.
  loader.requestOperators({ids_.float_cpu, ids_.int8_cpu});
  ASSERT_TRUE(ops.wait(5000));
  const auto same_files = ops.takeFirst().at(0).value<OperatorsData>();
  EXPECT_TRUE(same_files.has_quant_diff);
  EXPECT_EQ(same_files.quant_task_metric, "mask_iou");
  // Two float runs: no int8 file, no quant-diff.
  loader.requestOperators({ids_.float_xnn, ids_.float_cpu});
  ASSERT_TRUE(ops.wait(5000));
  const auto floats = ops.takeFirst().at(0).value<OperatorsData>();
  EXPECT_FALSE(floats.has_quant_diff);
  for (const OpDiffRow& r : floats.diff) EXPECT_FALSE(r.quant.has_value());
}

TEST_F(LoaderTest, OnlyTheNewestRequestIsAnswered) {
  StoreLoader loader;
  openFixture(loader);
  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids_.float_cpu});
  loader.requestOperators({ids_.int8_cpu});
  ASSERT_TRUE(ops.wait(5000));
  QTest::qWait(100);  // the superseded answer, had it been let through, lands here
  ASSERT_EQ(ops.size(), 1);
  EXPECT_EQ(ops.takeFirst().at(0).value<OperatorsData>().runs[0].id, ids_.int8_cpu);
}

TEST_F(LoaderTest, CompareAndTrendCarryTheGatesVerdicts) {
  StoreLoader loader;
  openFixture(loader);
  QSignalSpy cmp(&loader, &StoreLoader::compareAvailable);
  loader.requestCompare({ids_.float_xnn_c2, ids_.float_xnn_c3});
  ASSERT_TRUE(cmp.wait(5000));
  const auto c = cmp.takeFirst().at(0).value<CompareData>();
  ASSERT_EQ(c.cases.size(), 1u);
  // One run against one: the run-level gate says UNDECIDED (docs/statistics.md).
  EXPECT_EQ(c.overall, harness::Verdict::kUndecided) << c.cases[0].verdict.reason;

  QSignalSpy trend(&loader, &StoreLoader::trendAvailable);
  TrendQuery query{"selfie_segmentation.tflite", "float", "xnnpack,cpu", "vm", 1, "commit"};
  loader.requestTrend(query);
  ASSERT_TRUE(trend.wait(5000));
  const auto t = trend.takeFirst().at(0).value<TrendData>();
  ASSERT_EQ(t.points.size(), 3u);
  EXPECT_EQ(t.points[2].verdict, harness::Verdict::kUndecided);
}

TEST_F(LoaderTest, FollowsNewRunsThroughTheWatcher) {
  StoreLoader loader;
  loader.setReloadDelay(50);
  openFixture(loader);
  QSignalSpy changed(&loader, &StoreLoader::storeChanged);
  QSignalSpy runs(&loader, &StoreLoader::runsAvailable);
  {  // another writer (as `opscope run --db` would be)
    auto other = store::open_sqlite_store(db_);
    ASSERT_TRUE(other.is_ok());
    testing::SyntheticRun s;
    s.seed = 42;
    ASSERT_TRUE((*other)->ingest(testing::synthetic_document(s), {{"commit", "c4"}}, "", "float").is_ok());
  }
  ASSERT_TRUE(runs.wait(5000));
  EXPECT_GE(changed.size(), 1);
  EXPECT_EQ(runs.last().at(0).value<RunList>().size(), static_cast<size_t>(FixtureIds::kRuns + 1));
}

TEST_F(LoaderTest, AFailedRunGivesAMessage) {
  StoreLoader loader;
  openFixture(loader);
  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids_.failed});
  ASSERT_TRUE(ops.wait(5000));
  const auto data = ops.takeFirst().at(0).value<OperatorsData>();
  EXPECT_NE(data.message.find("failed: unsupported_op"), std::string::npos) << data.message;
}

TEST_F(LoaderTest, AMissingRunIsAFailureNamingIt) {
  StoreLoader loader;
  openFixture(loader);
  QSignalSpy failed(&loader, &StoreLoader::failed);
  loader.requestOperators({9999});
  ASSERT_TRUE(failed.wait(5000));
  EXPECT_TRUE(failed.takeFirst().at(0).toString().contains("no run with id 9999"));
}

// ---- bad databases: the message reaches the window ----------------------------

// Opens `path` in a main window; returns the banner once the loader answered.
QString banner_after_open(const QString& path) {
  MainWindow window;
  QSignalSpy failed(window.loader(), &StoreLoader::openFailed);
  window.openStore(path);
  if (failed.isEmpty() && !failed.wait(5000)) return QStringLiteral("<no openFailed signal>");
  return window.bannerText();
}

TEST(BadDatabase, NotASqliteFile) {
  ScratchDir dir;
  const std::string path = dir.file("notes.db");
  {
    QFile f(q(path));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("these are my notes, not a database\n").repeated(200));
  }
  const QString banner = banner_after_open(q(path));
  EXPECT_TRUE(banner.contains("not a SQLite database")) << banner.toStdString();
  EXPECT_TRUE(banner.contains(q(path))) << banner.toStdString();
}

TEST(BadDatabase, NewerSchema) {
  ScratchDir dir;
  const std::string path = dir.file("future.db");
  testing::build_fixture_store(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  const QString banner = banner_after_open(q(path));
  EXPECT_TRUE(banner.contains("schema version 99, newer than this opscope reads"))
      << banner.toStdString();
}

TEST(BadDatabase, SomeOtherSqliteDatabase) {
  ScratchDir dir;
  const std::string path = dir.file("other.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE recipes (name TEXT)");
  }
  const QString banner = banner_after_open(q(path));
  EXPECT_TRUE(banner.contains("not an opscope results store")) << banner.toStdString();
}

TEST(BadDatabase, MissingFileIsNotCreated) {
  ScratchDir dir;
  const std::string path = dir.file("typo.db");
  const QString banner = banner_after_open(q(path));
  EXPECT_TRUE(banner.contains("no such file")) << banner.toStdString();
  EXPECT_FALSE(QFile::exists(q(path)));
}

TEST(BadDatabase, EmptyStoreSaysSo) {
  ScratchDir dir;
  const std::string path = dir.file("empty.db");
  ASSERT_TRUE(store::open_sqlite_store(path).is_ok());
  MainWindow window;
  QSignalSpy runs(window.loader(), &StoreLoader::runsAvailable);
  window.openStore(q(path));
  ASSERT_TRUE(runs.wait(5000));
  EXPECT_EQ(window.bannerText(), "");
  EXPECT_EQ(window.runsView()->model()->rowCount(), 0);
  EXPECT_TRUE(window.runsView()->message().contains("no runs yet"))
      << window.runsView()->message().toStdString();
}

// Bytes that are not UTF-8 already in the store (written by an older
// version or by hand): the loader lists and loads the runs, showing \xNN.
TEST(BadDatabase, TextThatIsNotUtf8IsShownEscaped) {
  ScratchDir dir;
  const std::string path = dir.file("latin1.db");
  const FixtureIds ids = testing::build_fixture_store(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    SQLite::Statement st(db, "UPDATE tags SET value = ?1 WHERE key = 'branch'");
    st.bind(1, std::string("caf\xE9"));
    st.exec();
    SQLite::Statement run(db, "UPDATE runs SET variant = ?1, document = "
                              "replace(document, 'selfie_segmentation', ?1)");
    run.bind(1, std::string("v\xFF"));
    run.exec();
  }
  StoreLoader loader;
  QSignalSpy runs(&loader, &StoreLoader::runsAvailable);
  loader.open(q(path));
  ASSERT_TRUE(runs.wait(5000));
  const RunList list = runs.takeFirst().at(0).value<RunList>();
  ASSERT_EQ(list.size(), static_cast<size_t>(FixtureIds::kRuns));
  EXPECT_EQ(list.front().tags.at("branch"), "caf\\xE9");
  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids.float_xnn});
  ASSERT_TRUE(ops.wait(5000));
}

TEST(BadDatabase, SelectingAFailedRunShowsItsError) {
  ScratchDir dir;
  const std::string path = dir.file("results.db");
  const FixtureIds ids = testing::build_fixture_store(path);
  MainWindow window;
  QSignalSpy runs(window.loader(), &StoreLoader::runsAvailable);
  window.openStore(q(path));
  ASSERT_TRUE(runs.wait(5000));
  QSignalSpy shown(window.operatorsView(), &OperatorsView::dataShown);
  QSignalSpy compared(window.compareView(), &CompareView::dataShown);
  window.runsView()->selectIds({ids.failed});
  ASSERT_TRUE(shown.wait(5000));
  EXPECT_TRUE(window.operatorsView()->title().contains("failed: unsupported_op"))
      << window.operatorsView()->title().toStdString();
  EXPECT_FALSE(window.operatorsView()->chartPanel()->isShowingChart());
  // Compared with a good run, the gate cannot decide: it says why.
  window.runsView()->selectIds({ids.float_xnn, ids.failed});
  ASSERT_TRUE(compared.wait(5000) || !compared.isEmpty());
  while (window.compareView()->model()->rowCount() == 0 && compared.wait(2000)) {
  }
  ASSERT_EQ(window.compareView()->model()->rowCount(), 1);
  EXPECT_EQ(window.compareView()->model()->index(0, CompareModel::kVerdict).data().toString(),
            "UNDECIDED");
  EXPECT_TRUE(window.compareView()->model()->index(0, CompareModel::kReason).data().toString()
                  .contains("candidate run failed"));
}

}  // namespace
}  // namespace opscope::dashboard

// Renders every view of the main window from the fixture database to PNG
// (in $OPSCOPE_SCREENSHOT_DIR, the build folder under ctest) and checks that
// the charts drew something — non-background pixels in each plot area — and
// that the bars, boxes, points and rows are as many as the data says.
// Also exports a chart to PNG and SVG and a table to CSV.
#include <gtest/gtest.h>

#include <QAbstractBarSeries>
#include <QBarCategoryAxis>
#include <QBoxPlotSeries>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <map>

#include "dashboard/views/main_window.h"
#include "tests/dashboard/fixture_store.h"

namespace opscope::dashboard {
namespace {

using testing::FixtureIds;

QString screenshot_dir() {
  const QString dir = qEnvironmentVariableIsSet("OPSCOPE_SCREENSHOT_DIR")
                          ? qEnvironmentVariable("OPSCOPE_SCREENSHOT_DIR")
                          : QDir::currentPath() + QStringLiteral("/screenshots");
  QDir().mkpath(dir);
  return dir;
}

// The share of pixels in the chart's plot area that differ from the area's
// most common colour (its background).
double drawn_fraction(ChartPanel* panel) {
  QChartView* view = panel->chartView();
  const QImage image = view->grab().toImage();
  const QRect plot = view->mapFromScene(panel->chart()->plotArea()).boundingRect();
  const QRect area = plot.intersected(QRect(QPoint(0, 0), view->size()));
  const qreal dpr = image.devicePixelRatio();
  std::map<QRgb, int> count;
  int total = 0;
  for (int y = area.top(); y <= area.bottom(); ++y) {
    for (int x = area.left(); x <= area.right(); ++x) {
      ++count[image.pixel(static_cast<int>(x * dpr), static_cast<int>(y * dpr))];
      ++total;
    }
  }
  if (total == 0) return 0;
  int background = 0;
  for (const auto& [rgb, n] : count) background = std::max(background, n);
  return 1.0 - static_cast<double>(background) / total;
}

template <typename Series>
Series* only_series(ChartPanel* panel) {
  Series* found = nullptr;
  for (QAbstractSeries* s : panel->chart()->series()) {
    if (auto* t = qobject_cast<Series*>(s)) found = t;
  }
  return found;
}

int category_count(ChartPanel* panel) {
  for (QAbstractAxis* a : panel->chart()->axes()) {
    if (auto* c = qobject_cast<QBarCategoryAxis*>(a)) return c->count();
  }
  return -1;
}

class ScreenshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ids_ = testing::build_fixture_store(dir_.file("results.db"));
    window_.resize(1280, 820);
    window_.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window_));
    QSignalSpy runs(window_.runsView(), &RunsView::runsShown);
    window_.openStore(QString::fromStdString(dir_.file("results.db")));
    ASSERT_TRUE(runs.wait(5000));
  }

  // Selects runs and waits until `view` has shown what they asked for.
  template <typename View>
  void select(const QList<qint64>& ids, View* view) {
    QSignalSpy shown(view, &View::dataShown);
    window_.runsView()->selectIds(ids);
    ASSERT_TRUE(shown.wait(5000));
    QTest::qWait(50);  // a later answer supersedes an earlier one; let both land
  }

  // Shows `tab` and saves the whole window as docs-ready PNG.
  void snap(QWidget* tab, const QString& name) {
    window_.tabs()->setCurrentWidget(tab);
    QCoreApplication::processEvents();
    const QString path = screenshot_dir() + QLatin1Char('/') + name;
    ASSERT_TRUE(window_.grab().save(path, "PNG")) << path.toStdString();
  }

  testing::ScratchDir dir_;
  FixtureIds ids_;
  MainWindow window_;
};

TEST_F(ScreenshotTest, RunsView) {
  select({ids_.float_xnn, ids_.int8_xnn}, window_.compareView());
  snap(window_.runsView(), "dashboard_runs.png");
  EXPECT_EQ(window_.runsView()->selectedIds(), (QList<qint64>{ids_.float_xnn, ids_.int8_xnn}));
  EXPECT_EQ(window_.runsView()->proxy()->rowCount(), FixtureIds::kRuns);
  EXPECT_EQ(window_.bannerText(), "");
}

TEST_F(ScreenshotTest, OperatorsViewOfOneRun) {
  OperatorsView* v = window_.operatorsView();
  select({ids_.float_xnn}, v);
  snap(v, "dashboard_operators.png");
  EXPECT_EQ(v->opsModel()->rowCount(), 136);
  auto* bars = only_series<QAbstractBarSeries>(v->chartPanel());
  ASSERT_NE(bars, nullptr);
  EXPECT_EQ(bars->count(), 2);                  // one stack per backend: cpu, xnnpack
  EXPECT_EQ(category_count(v->chartPanel()), 10);  // nine op types and "other"
  EXPECT_GT(drawn_fraction(v->chartPanel()), 0.05);
}

TEST_F(ScreenshotTest, OperatorsViewOfAFloatRunAndItsInt8Twin) {
  OperatorsView* v = window_.operatorsView();
  select({ids_.float_xnn, ids_.int8_xnn}, v);
  snap(v, "dashboard_operators_diff.png");
  EXPECT_TRUE(v->showingDiff());
  EXPECT_EQ(v->diffModel()->rowCount(), 137);
  EXPECT_TRUE(v->diffModel()->hasQuantColumns());  // the fixture stored a quant-diff
  EXPECT_EQ(v->diffModel()->headerData(OpDiffModel::kSnrDb, Qt::Horizontal).toString(), "SNR dB");
  EXPECT_EQ(category_count(v->chartPanel()), 2);  // a bar per run
  auto* bars = only_series<QAbstractBarSeries>(v->chartPanel());
  ASSERT_NE(bars, nullptr);
  EXPECT_EQ(bars->count(), 8);  // seven op types and "other", stacked
  EXPECT_GT(drawn_fraction(v->chartPanel()), 0.05);
}

TEST_F(ScreenshotTest, CompareViewOfTwoBackendsAndTwoPrecisions) {
  CompareView* v = window_.compareView();
  select({ids_.float_xnn, ids_.float_cpu, ids_.int8_xnn, ids_.int8_cpu}, v);
  snap(v, "dashboard_compare.png");
  auto* boxes = only_series<QBoxPlotSeries>(v->latencyChart());
  ASSERT_NE(boxes, nullptr);
  EXPECT_EQ(boxes->count(), 4);
  EXPECT_EQ(v->model()->rowCount(), 3);
  EXPECT_TRUE(v->verdictText().contains("FAIL")) << v->verdictText().toStdString();
  for (ChartPanel* p : {v->latencyChart(), v->stagesChart(), v->memoryChart()}) {
    EXPECT_GT(drawn_fraction(p), 0.02);
  }
  EXPECT_EQ(category_count(v->stagesChart()), 4);
  EXPECT_EQ(only_series<QAbstractBarSeries>(v->memoryChart())->count(), 4);
}

TEST_F(ScreenshotTest, TrendsViewByCommit) {
  TrendsView* v = window_.trendsView();
  QSignalSpy shown(v, &TrendsView::dataShown);
  window_.tabs()->setCurrentWidget(v);  // a hidden Trends view loads nothing
  v->choose({"selfie_segmentation.tflite", "float", "xnnpack,cpu", "vm", 1, "commit"});
  ASSERT_TRUE(shown.wait(5000));
  while (v->query().x_tag != "commit" || v->model()->rowCount() != 3) {
    ASSERT_TRUE(shown.wait(5000));
  }
  snap(v, "dashboard_trends.png");
  std::vector<QScatterSeries*> scatters;
  QLineSeries* line = nullptr;
  for (QAbstractSeries* s : v->chartPanel()->chart()->series()) {
    if (auto* sc = qobject_cast<QScatterSeries*>(s)) {
      scatters.push_back(sc);
    } else if (auto* l = qobject_cast<QLineSeries*>(s)) {
      line = l;
    }
  }
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->count(), 3);
  ASSERT_EQ(scatters.size(), 3u);
  EXPECT_EQ(scatters[2]->count(), 0);  // one run per commit: the gate fails nothing
  EXPECT_GT(drawn_fraction(v->chartPanel()), 0.01);
}

TEST_F(ScreenshotTest, ExportsChartsAndTables) {
  OperatorsView* v = window_.operatorsView();
  select({ids_.float_xnn}, v);
  window_.tabs()->setCurrentWidget(v);
  QCoreApplication::processEvents();
  const QString dir = QString::fromStdString(dir_.file(""));
  QString error;
  ASSERT_TRUE(v->chartPanel()->savePng(dir + "chart.png", &error)) << error.toStdString();
  QImage png(dir + "chart.png");
  EXPECT_EQ(png.size(), v->chartPanel()->chartView()->grab().toImage().size());
  ASSERT_TRUE(v->chartPanel()->saveSvg(dir + "chart.svg", &error)) << error.toStdString();
  QFile svg(dir + "chart.svg");
  ASSERT_TRUE(svg.open(QIODevice::ReadOnly));
  const QByteArray text = svg.readAll();
  EXPECT_TRUE(text.contains("<svg"));
  EXPECT_TRUE(text.contains("Time by op type"));
  EXPECT_TRUE(text.contains("CONV_2D"));  // axis labels stay text
  ASSERT_TRUE(window_.runsView()->table()->saveCsv(dir + "runs.csv", &error)) << error.toStdString();
  QFile csv(dir + "runs.csv");
  ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
  const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
  EXPECT_EQ(lines.size(), FixtureIds::kRuns + 1);
  EXPECT_TRUE(lines[0].startsWith("Id,Model,Variant"));
  EXPECT_FALSE(v->chartPanel()->savePng("/nonexistent-folder/chart.png", &error));
  EXPECT_TRUE(error.contains("/nonexistent-folder/chart.png"));
}

// With OPSCOPE_DASHBOARD_STORE=FILE (a store made by `opscope sweep`, e.g.
// the demo's opscope.db), renders a copy of it: the newest float and int8
// runs of its first model on two backends, compared and diffed per op
// (dashboard_real_*.png). Skipped otherwise: CI has no such store.
TEST(RealStore, ComparesFloatAndInt8OnTwoBackends) {
  const QString source = qEnvironmentVariable("OPSCOPE_DASHBOARD_STORE");
  if (source.isEmpty()) GTEST_SKIP() << "set OPSCOPE_DASHBOARD_STORE to a results store";
  testing::ScratchDir dir;
  const QString copy = QString::fromStdString(dir.file("real.db"));
  ASSERT_TRUE(QFile::copy(source, copy));  // opening may migrate: never the original
  MainWindow window;
  window.resize(1280, 820);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  QSignalSpy runs(window.runsView(), &RunsView::runsShown);
  window.openStore(copy);
  ASSERT_TRUE(runs.wait(10000)) << window.bannerText().toStdString();
  // Newest first: the first ok run of each (variant, backends) of one model.
  std::map<std::pair<std::string, std::string>, qint64> pick;
  std::string model;
  for (const store::RunRow& r : window.runsView()->model()->runs()) {
    if (r.status != "ok" || r.variant.empty()) continue;
    std::string stem = r.model.substr(0, r.model.rfind('.'));
    stem = stem.substr(0, stem.find("_int8"));  // the int8 twin of "m.tflite" is "m_int8.tflite"
    if (model.empty()) model = stem;
    if (stem == model) pick.emplace(std::pair{r.variant, r.backends}, r.id);
  }
  // Baseline first: float on XNNPACK, then float elsewhere, then the int8 runs.
  QList<qint64> ids;
  for (const char* variant : {"float", "int8"}) {
    for (const auto& [key, id] : pick) {
      if (key.first == variant && key.second == "xnnpack,cpu") ids << id;
    }
    for (const auto& [key, id] : pick) {
      if (key.first == variant && key.second != "xnnpack,cpu") ids << id;
    }
  }
  ASSERT_GE(ids.size(), 2) << "the store needs float and int8 runs of one model";
  const QString out = screenshot_dir();
  {
    QSignalSpy shown(window.compareView(), &CompareView::dataShown);
    window.runsView()->selectIds(ids);
    ASSERT_TRUE(shown.wait(10000));
    QTest::qWait(100);
    window.tabs()->setCurrentWidget(window.compareView());
    QCoreApplication::processEvents();
    ASSERT_TRUE(window.grab().save(out + "/dashboard_real_compare.png", "PNG"));
    EXPECT_EQ(only_series<QBoxPlotSeries>(window.compareView()->latencyChart())->count(), ids.size());
  }
  // The float and int8 runs on the first backend list, diffed per op.
  const std::string first_backends =
      pick.count({"float", "xnnpack,cpu"}) ? "xnnpack,cpu" : pick.begin()->first.second;
  const qint64 f = pick.count({"float", first_backends}) ? pick[{"float", first_backends}] : ids[0];
  const qint64 q = pick.count({"int8", first_backends}) ? pick[{"int8", first_backends}] : ids[1];
  QSignalSpy shown(window.operatorsView(), &OperatorsView::dataShown);
  window.runsView()->selectIds({f, q});
  ASSERT_TRUE(shown.wait(10000));
  QTest::qWait(100);
  window.tabs()->setCurrentWidget(window.operatorsView());
  QCoreApplication::processEvents();
  ASSERT_TRUE(window.grab().save(out + "/dashboard_real_operators_diff.png", "PNG"));
  EXPECT_GT(window.operatorsView()->diffModel()->rowCount(), 0)
      << window.operatorsView()->title().toStdString();
  EXPECT_GT(drawn_fraction(window.operatorsView()->chartPanel()), 0.05);
}

}  // namespace
}  // namespace opscope::dashboard

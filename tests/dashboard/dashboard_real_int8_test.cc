// The dashboard on a real store shows int8 as faster where it is:
// `opscope quantize` makes selfie_segmentation's int8 variant, `opscope
// quant-diff` times both models on the default backends and stores the two
// runs and the diff, and the Operators view of that pair must show the int8
// run's per-op total below the float one's and most convolutions with a
// ratio below 1 (on this build's fastest backends the int8 convolutions
// run on the native backend). Skipped without the model.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "dashboard/models/ops_model.h"
#include "dashboard/models/roles.h"
#include "dashboard/views/main_window.h"
#include "tests/dashboard/fixture_store.h"

namespace opscope::dashboard {
namespace {

namespace fs = std::filesystem;

// Runs `command` through the shell; its standard output, or "" on failure.
std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  return ::pclose(pipe) == 0 ? out : std::string();
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

double sort_value(const OpDiffModel& m, int row, int column) {
  return m.data(m.index(row, column), kSortRole).toDouble();
}

TEST(DashboardRealInt8, OperatorsViewShowsInt8FasterWhereItIs) {
  const char* dir = std::getenv("OPSCOPE_MODEL_DIR");
  const fs::path model = fs::path(dir ? dir : "") / "selfie_segmentation.tflite";
  if (!fs::exists(model)) GTEST_SKIP() << model << " is absent";
  testing::ScratchDir scratch;
  const std::string int8 = scratch.file("selfie_int8.tflite");
  const std::string db = scratch.file("results.db");
  const std::string cli = OPSCOPE_CLI;
  ASSERT_NE(run_command(cli + " quantize " + quoted(model.string()) +
                        " --calibration random:4 --out " + quoted(int8) + " 2>&1"),
            "");
  const std::string json = run_command(cli + " quant-diff " + quoted(model.string()) + " " +
                                       quoted(int8) + " --runs 30 --json --db " + quoted(db) +
                                       " 2>/dev/null");
  ASSERT_NE(json, "") << "opscope quant-diff failed";
  const nlohmann::json doc = nlohmann::json::parse(json);
  const qint64 float_run = doc["timing"]["float_run_id"].get<qint64>();
  const qint64 int8_run = doc["timing"]["int8_run_id"].get<qint64>();
  ASSERT_GT(float_run, 0);
  ASSERT_GT(int8_run, 0);

  MainWindow window;
  window.resize(1280, 820);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  QSignalSpy runs(window.runsView(), &RunsView::runsShown);
  window.openStore(QString::fromStdString(db));
  ASSERT_TRUE(runs.wait(10000));
  OperatorsView* view = window.operatorsView();
  QSignalSpy shown(view, &OperatorsView::dataShown);
  window.runsView()->selectIds({float_run, int8_run});
  ASSERT_TRUE(shown.wait(10000));
  QTest::qWait(50);
  ASSERT_TRUE(view->showingDiff());
  const OpDiffModel& diff = *view->diffModel();
  EXPECT_TRUE(diff.hasQuantColumns());

  double base = 0, cand = 0;
  int convs = 0, faster_convs = 0;
  for (int r = 0; r < diff.rowCount(); ++r) {
    base += sort_value(diff, r, OpDiffModel::kBaseUs);
    cand += sort_value(diff, r, OpDiffModel::kCandUs);
    const QString type = diff.data(diff.index(r, OpDiffModel::kCandType)).toString();
    const double ratio = sort_value(diff, r, OpDiffModel::kRatio);
    if (type.startsWith(QStringLiteral("CONV_2D")) && ratio > 0) {
      ++convs;
      faster_convs += ratio < 1.0;
    }
  }
  std::printf("  dashboard diff: float %.0f us, int8 %.0f us per invoke (sum of per-op medians);"
              " %d of %d convolutions faster in int8\n", base, cand, faster_convs, convs);
  EXPECT_LT(cand, base) << "the int8 run is not shown faster";
  EXPECT_GT(convs, 20);
  EXPECT_GE(faster_convs, convs * 3 / 4);
}

}  // namespace
}  // namespace opscope::dashboard

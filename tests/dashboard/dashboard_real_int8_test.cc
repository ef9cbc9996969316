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
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/devices/local_process.h"
#include "dashboard/models/ops_model.h"
#include "dashboard/models/roles.h"
#include "dashboard/views/main_window.h"
#include "tests/dashboard/fixture_store.h"

namespace opscope::dashboard {
namespace {

namespace fs = std::filesystem;

// Runs `program` with `args` (no shell); its standard output, or nothing
// when it fails or runs past two minutes.
std::optional<std::string> run_command(const std::string& program,
                                       const std::vector<std::string>& args) {
  devices::ProcessLimits limits;
  limits.timeout_secs = 120;
  std::string out, err;
  auto outcome = devices::run_local_captured(program, args, limits, &out, &err);
  if (!outcome.is_ok() || outcome->signaled || outcome->exit_code != 0) return std::nullopt;
  return out;
}

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
  ASSERT_TRUE(run_command(cli, {"quantize", model.string(), "--calibration", "random:4",
                                "--out", int8}))
      << "opscope quantize failed";
  const std::optional<std::string> json = run_command(
      cli, {"quant-diff", model.string(), int8, "--runs", "30", "--json", "--db", db});
  ASSERT_TRUE(json) << "opscope quant-diff failed";
  const nlohmann::json doc = nlohmann::json::parse(*json);
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
  // Most convolutions, not all: selfie's many small 1x1 convolutions are
  // near parity, and on a loaded two-core CI machine (ctest -j2) scheduling
  // noise moves them either way (31 of 43 seen with a build running beside).
  EXPECT_GT(faster_convs, convs / 2);
}

}  // namespace
}  // namespace opscope::dashboard

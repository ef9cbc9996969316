// The Operators view, the dashboard's one-run details: the run's device, its
// state around the case and its device warnings (a highlighted box, hidden
// when there are none), as plain text whatever bytes the device reported;
// for a two-run diff, both runs' warnings named by run. Saves a screenshot
// of the view with warnings ($OPSCOPE_SCREENSHOT_DIR).
#include <gtest/gtest.h>

#include <QDir>

#include "dashboard/views/operators_view.h"
#include "tests/dashboard/synthetic_runs.h"

namespace opscope::dashboard {
namespace {

store::StoredRun run_with_state(int64_t id, std::vector<std::string> warnings) {
  store::StoredRun r;
  r.id = id;
  r.created_at = "2026-12-06T18:00:00Z";
  r.doc = testing::synthetic_document(testing::SyntheticRun{});
  r.doc.state_before.thermal = {{"x86_pkg_temp", 41.0}};
  r.doc.state_after.thermal = {{"x86_pkg_temp", 48.5}};
  r.doc.state_before.cpus = {{0, 3000000, 3000000, "schedutil"}};
  r.doc.state_after.cpus = {{0, 1500000, 3000000, "schedutil"}};
  r.doc.warnings = std::move(warnings);
  return r;
}

TEST(OperatorsViewDetails, OneRunShowsDeviceStateAndWarnings) {
  OperatorsView view;
  view.resize(1100, 800);
  OperatorsData data;
  data.runs = {run_with_state(
      4, {"the device heated during the case: hottest thermal zone 41.0 \xC2\xB0" "C before",
          "cpufreq governor '<b>schedutil</b>' (not 'performance') on cpu 0"})};
  view.setData(data);
  EXPECT_TRUE(view.warningsShown());
  EXPECT_TRUE(view.warnings().contains("the device heated during the case")) << view.warnings().toStdString();
  // Shown as text, never as markup.
  EXPECT_TRUE(view.warnings().contains("'<b>schedutil</b>'")) << view.warnings().toStdString();
  const auto labels = view.findChildren<QLabel*>();
  for (QLabel* l : labels) {
    if (l->text() == view.warnings() || l->text() == view.details()) {
      EXPECT_EQ(l->textFormat(), Qt::PlainText);
    }
  }
  EXPECT_TRUE(view.details().contains("hottest zone 41.0 \u00B0C \u2192 48.5 \u00B0C (x86_pkg_temp)"))
      << view.details().toStdString();
  EXPECT_TRUE(view.details().contains("governor schedutil")) << view.details().toStdString();

  view.show();
  const QString dir = qEnvironmentVariableIsSet("OPSCOPE_SCREENSHOT_DIR")
                          ? qEnvironmentVariable("OPSCOPE_SCREENSHOT_DIR")
                          : QDir::tempPath();
  QDir().mkpath(dir);
  EXPECT_TRUE(view.grab().save(dir + "/dashboard_operators_warnings.png", "PNG"));

  // A run without warnings hides the box; clearing empties both.
  data.runs = {run_with_state(5, {})};
  view.setData(data);
  EXPECT_FALSE(view.warningsShown());
  EXPECT_TRUE(view.warnings().isEmpty());
  EXPECT_FALSE(view.details().isEmpty());
  view.clear(QStringLiteral("nothing"));
  EXPECT_TRUE(view.details().isEmpty());
  EXPECT_FALSE(view.warningsShown());
}

TEST(OperatorsViewDetails, BytesThatAreNotUtf8DoNotBreakTheView) {
  OperatorsView view;
  OperatorsData data;
  data.runs = {run_with_state(6, {std::string("governor 'perf\xFF\xFE' \x01 on cpu 0")})};
  data.runs[0].doc.state_after.cpus[0].governor = "perf\xFF";
  view.setData(data);
  EXPECT_TRUE(view.warningsShown());
  EXPECT_TRUE(view.warnings().contains("on cpu 0")) << view.warnings().toStdString();
}

TEST(OperatorsViewDetails, ADiffNamesTheRunOfEachWarning) {
  OperatorsView view;
  OperatorsData data;
  data.runs = {run_with_state(1, {"battery at 15% (below 20%)"}), run_with_state(2, {})};
  data.runs[1].doc.warnings = {"cpu 0 below 60% of maximum frequency"};
  view.setData(data);
  EXPECT_TRUE(view.warningsShown());
  EXPECT_TRUE(view.warnings().contains("run 1: ")) << view.warnings().toStdString();
  EXPECT_TRUE(view.warnings().contains("battery at 15%")) << view.warnings().toStdString();
  EXPECT_TRUE(view.warnings().contains("run 2: ")) << view.warnings().toStdString();
}

}  // namespace
}  // namespace opscope::dashboard

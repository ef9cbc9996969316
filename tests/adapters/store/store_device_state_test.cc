// The device state around a case and its warnings survive the store: the
// store keeps the whole result document (runs.document), so load_run and
// load_runs give back device_state and warnings as ingested, for a real
// run (the runner's own code, probing this machine) and for a document
// with every field set, text that is not UTF-8 included.
#include <filesystem>

#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

namespace opscope::store {
namespace {

using testing::Backend;

class StoreDeviceState : public testing::OnEachBackend {};

ResultDocument full_state_document() {
  ResultDocument d;
  d.model.name = "m.tflite";
  d.model.path = "/models/m.tflite";
  d.state_before.cpus = {{0, 1800000, 3000000, "schedutil"}, {1, 0, 0, ""}};
  d.state_before.thermal = {{"x86_pkg_temp", 41.5}, {"acpitz", 30}};
  d.state_before.battery_pct = 18;
  d.state_before.battery_temp_c = 30.5;
  d.state_after.cpus = {{0, 1200000, 3000000, "perf\xFF"}};
  d.state_after.thermal = {{"x86_pkg_temp", 49.25}};
  d.warnings = {"the device heated during the case", "battery at 18% (below 20%) <&>",
                "governor 'perf\xFF'"};
  return d;
}

TEST_P(StoreDeviceState, DeviceStateAndWarningsSurviveIngestAndLoad) {
  Store* s = fresh_.store.get();
  const ResultDocument doc = full_state_document();
  auto id = s->ingest(doc, {{"k", "v"}});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = s->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  // Stored as JSON: the byte that is not UTF-8 reads back as \xFF.
  EXPECT_EQ(to_json(run->doc), to_json(doc));
  EXPECT_EQ(run->doc.warnings.size(), 3u);
  EXPECT_EQ(run->doc.warnings[1], "battery at 18% (below 20%) <&>");
  EXPECT_EQ(run->doc.warnings[2], "governor 'perf\\xFF'");
  EXPECT_EQ(run->doc.state_before.cpus.size(), 2u);
  EXPECT_EQ(run->doc.state_before.cpus[0].governor, "schedutil");
  EXPECT_EQ(run->doc.state_before.battery_pct, 18);
  EXPECT_DOUBLE_EQ(run->doc.state_before.max_temp_c(), 41.5);
  EXPECT_DOUBLE_EQ(run->doc.state_after.max_temp_c(), 49.25);
  EXPECT_EQ(run->doc.state_after.cpus[0].governor, "perf\\xFF");
  EXPECT_TRUE(run->document.contains("device_state"));
  EXPECT_EQ(run->document["warnings"].size(), 3u);
  // The same through a selector, as `opscope report` and the dashboard
  // find runs.
  auto ids = s->select("latest");
  ASSERT_TRUE(ids.is_ok()) << ids.status().message();
  ASSERT_EQ(*ids, std::vector<int64_t>{*id});
  auto again = s->load_run(ids->front());
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(to_json(again->doc), to_json(run->doc));
}

TEST_P(StoreDeviceState, ARealRunKeepsTheStateItProbed) {
  if (!std::filesystem::exists(testing::model_path("selfie_segmentation.tflite"))) {
    GTEST_SKIP() << "models not fetched (datasets/fetch_models.sh)";
  }
  const ResultDocument doc = testing::real_document("selfie_segmentation.tflite");
  ASSERT_EQ(doc.status, "ok") << doc.error.message;
  // The runner's body probed this machine before and after the case.
  ASSERT_FALSE(doc.state_before.cpus.empty());
  ASSERT_FALSE(doc.state_after.cpus.empty());
  Store* s = fresh_.store.get();
  auto id = s->ingest(doc, {});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = s->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->document["device_state"], to_json(doc)["device_state"]);
  EXPECT_EQ(run->doc.state_before.cpus.size(), doc.state_before.cpus.size());
  EXPECT_EQ(run->doc.state_after.thermal.size(), doc.state_after.thermal.size());
  EXPECT_EQ(run->doc.warnings, doc.warnings);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreDeviceState, testing::kBothBackends,
                         testing::backend_name);

}  // namespace
}  // namespace opscope::store

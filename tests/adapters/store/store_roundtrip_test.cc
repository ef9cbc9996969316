// Ingest -> load round trip of real result documents, the per-run tables,
// run lists with filters, and selectors.
#include <filesystem>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "tests/adapters/store/store_test_util.h"

// Filters are written with designated initializers; the fields left out
// are meant to keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace opscope::store {
namespace {

using testing::real_document;
using testing::ScratchDir;

class StoreRoundTrip : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(testing::model_path("selfie_segmentation.tflite"))) return;
    selfie_ = new ResultDocument(real_document("selfie_segmentation.tflite"));
    hand_ = new ResultDocument(real_document("hand_landmark_lite.tflite"));
  }
  static void TearDownTestSuite() {
    delete selfie_;
    delete hand_;
  }
  void SetUp() override {
    if (!selfie_) GTEST_SKIP() << "models not fetched (datasets/fetch_models.sh)";
    ASSERT_EQ(selfie_->status, "ok") << selfie_->error.message;
    ASSERT_EQ(hand_->status, "ok") << hand_->error.message;
    auto s = open_sqlite_store(dir_.file("r.db"));
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(s).value();
  }

  static inline ResultDocument* selfie_ = nullptr;
  static inline ResultDocument* hand_ = nullptr;
  ScratchDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreRoundTrip, LoadReturnsTheDocumentAsIngested) {
  nlohmann::json doc = to_json(*selfie_);
  // A field ResultDocument does not know must survive too.
  doc["added_later"] = {{"spans", {1, 2, 3}}, {"note", "kept"}};
  auto id = store_->ingest_json(doc, {{"branch", "main"}, {"commit", "abc123"}}, "", "float");
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = store_->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->document, doc);
  EXPECT_EQ(to_json(run->doc), to_json(*selfie_));
  EXPECT_EQ(run->tags, (Tags{{"branch", "main"}, {"commit", "abc123"}}));
  EXPECT_EQ(run->variant, "float");
  EXPECT_EQ(run->created_at.size(), 20u) << run->created_at;  // 2026-11-21T23:07:05Z
  EXPECT_EQ(run->created_at.back(), 'Z');
}

TEST_F(StoreRoundTrip, TablesHoldEverySampleOpAndStage) {
  auto id = store_->ingest(*selfie_, {});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  SQLite::Database db(dir_.file("r.db"));
  SQLite::Statement samples(db, "SELECT count(*), sum(ms) FROM samples WHERE run_id = ?");
  samples.bind(1, *id);
  ASSERT_TRUE(samples.executeStep());
  double sum = 0;
  for (double s : selfie_->latency_ms.samples) sum += s;
  EXPECT_EQ(samples.getColumn(0).getInt64(),
            static_cast<int64_t>(selfie_->latency_ms.samples.size()));
  EXPECT_NEAR(samples.getColumn(1).getDouble(), sum, 1e-9);

  SQLite::Statement ops(db,
                        "SELECT count(*), sum(source_index), sum(live_bytes) FROM op_stats "
                        "WHERE run_id = ?");
  ops.bind(1, *id);
  ASSERT_TRUE(ops.executeStep());
  int64_t src = 0, live = 0;
  for (const auto& op : selfie_->ops) {
    src += op.source_index;
    live += op.live_bytes;
  }
  EXPECT_EQ(ops.getColumn(0).getInt64(), static_cast<int64_t>(selfie_->ops.size()));
  EXPECT_EQ(ops.getColumn(1).getInt64(), src);
  EXPECT_EQ(ops.getColumn(2).getInt64(), live);

  SQLite::Statement other(db,
                          "SELECT m.peak_rss_bytes, s.first_invoke_ms, r.median_ms FROM runs r "
                          "JOIN memory m ON m.run_id = r.id JOIN stages s ON s.run_id = r.id "
                          "WHERE r.id = ?");
  other.bind(1, *id);
  ASSERT_TRUE(other.executeStep());
  EXPECT_EQ(other.getColumn(0).getInt64(), selfie_->memory.peak_rss_bytes);
  EXPECT_DOUBLE_EQ(other.getColumn(1).getDouble(), selfie_->stages.first_invoke_ms);
  EXPECT_DOUBLE_EQ(other.getColumn(2).getDouble(), selfie_->latency_ms.median);
}

TEST_F(StoreRoundTrip, ListsAndFilters) {
  ResultDocument hand_x = *hand_;
  hand_x.config.backends = {"xnnpack", "cpu"};
  ResultDocument failed = *selfie_;
  failed.status = "error";
  failed.error = {"unsupported_op", "no backend runs node 3 (FOO)"};
  const int64_t a = *store_->ingest(*selfie_, {{"branch", "main"}}, "", "float");
  const int64_t b = *store_->ingest(hand_x, {{"branch", "main"}, {"pr", "7"}}, "s1");
  const int64_t c = *store_->ingest(failed, {{"branch", "dev"}}, "s1");

  auto ids = [&](RunFilter f) {
    auto rows = store_->list_runs(f);
    EXPECT_TRUE(rows.is_ok()) << rows.status().message();
    std::vector<int64_t> out;
    for (const RunRow& r : *rows) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<int64_t>{c, b, a}));  // newest first
  EXPECT_EQ(ids({.model = "selfie_segmentation"}), (std::vector<int64_t>{c, a}));
  EXPECT_EQ(ids({.model = testing::model_path("hand_landmark_lite.tflite")}),
            (std::vector<int64_t>{b}));
  EXPECT_EQ(ids({.backend = "xnnpack"}), (std::vector<int64_t>{b}));
  EXPECT_EQ(ids({.backend = "cpu"}), (std::vector<int64_t>{c, b, a}));
  EXPECT_EQ(ids({.backend = "cp"}), (std::vector<int64_t>{}));  // whole items only
  EXPECT_EQ(ids({.status = "error"}), (std::vector<int64_t>{c}));
  EXPECT_EQ(ids({.sweep_id = "s1"}), (std::vector<int64_t>{c, b}));
  EXPECT_EQ(ids({.variant = "float"}), (std::vector<int64_t>{a}));
  EXPECT_EQ(ids({.tags = {{"branch", "main"}}}), (std::vector<int64_t>{b, a}));
  EXPECT_EQ(ids({.tags = {{"branch", "main"}, {"pr", "7"}}}), (std::vector<int64_t>{b}));
  EXPECT_EQ(ids({.ids = {a, c}}), (std::vector<int64_t>{c, a}));
  EXPECT_EQ(ids({.since = "2000-01-01", .until = "2999-12-31"}), (std::vector<int64_t>{c, b, a}));
  EXPECT_EQ(ids({.until = "2000-01-01"}), (std::vector<int64_t>{}));
  EXPECT_EQ(ids({.limit = 2}), (std::vector<int64_t>{c, b}));

  auto rows = store_->list_runs({.ids = {c}});
  ASSERT_TRUE(rows.is_ok());
  EXPECT_EQ((*rows)[0].status, "error");
  EXPECT_EQ((*rows)[0].tags, (Tags{{"branch", "dev"}}));
  auto bad = store_->list_runs({.since = "yesterday"});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("'yesterday' is not a date"), std::string::npos);

  auto loaded = store_->load_run(c);
  ASSERT_TRUE(loaded.is_ok());
  EXPECT_EQ(loaded->doc.error.message, "no backend runs node 3 (FOO)");
}

TEST_F(StoreRoundTrip, Selectors) {
  const int64_t a = *store_->ingest(*selfie_, {{"commit", "abc"}}, "", "float");
  const int64_t b = *store_->ingest(*hand_, {{"commit", "abc"}}, "sw1");
  const int64_t c = *store_->ingest(*selfie_, {{"commit", "def"}}, "sw2", "int8");
  auto sel = [&](std::string_view s) {
    auto r = store_->select(s);
    EXPECT_TRUE(r.is_ok()) << s << ": " << r.status().message();
    return r.is_ok() ? *r : std::vector<int64_t>{-1};
  };
  EXPECT_EQ(sel(std::to_string(b)), (std::vector<int64_t>{b}));
  EXPECT_EQ(sel(std::to_string(c) + "," + std::to_string(a)), (std::vector<int64_t>{a, c}));
  EXPECT_EQ(sel("latest"), (std::vector<int64_t>{c}));
  EXPECT_EQ(sel("sweep:sw1"), (std::vector<int64_t>{b}));
  EXPECT_EQ(sel("sweep:latest"), (std::vector<int64_t>{c}));
  EXPECT_EQ(sel("tag:commit=abc"), (std::vector<int64_t>{a, b}));
  EXPECT_EQ(sel("tag:commit=abc+model:selfie_segmentation"), (std::vector<int64_t>{a}));
  EXPECT_EQ(sel("model:selfie_segmentation+variant:int8"), (std::vector<int64_t>{c}));
  EXPECT_EQ(sel("status:ok"), (std::vector<int64_t>{a, b, c}));
  ResultDocument on_xnnpack = *selfie_;
  on_xnnpack.config.backends = {"xnnpack", "cpu"};
  const int64_t d = *store_->ingest(on_xnnpack, {});
  // backends: matches the whole list, not one member of it.
  EXPECT_EQ(sel("backends:xnnpack,cpu"), (std::vector<int64_t>{d}));
  EXPECT_EQ(sel("backends:xnnpack"), (std::vector<int64_t>{}));
  EXPECT_EQ(sel("backends:cpu").size(), 3u);
  EXPECT_EQ(sel("tag:commit=zzz"), (std::vector<int64_t>{}));
  EXPECT_EQ(sel("999"), (std::vector<int64_t>{}));

  for (std::string_view bad : {"", "tag:commit", "nope:1", "12x", "model:", "status:maybe"}) {
    auto r = store_->select(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("bad run selector"), std::string::npos);
  }
}

TEST_F(StoreRoundTrip, RejectsDocumentsThatAreNotObjects) {
  auto r = store_->ingest_json(nlohmann::json::array({1, 2}), {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("not a JSON object"), std::string::npos);
  auto r2 = store_->ingest_json({{"latency_ms", "fast"}}, {});
  ASSERT_FALSE(r2.is_ok());
  EXPECT_NE(r2.status().message().find("not a valid result document"), std::string::npos);
  EXPECT_TRUE(store_->list_runs({})->empty());
  auto missing = store_->load_run(42);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("no run with id 42"), std::string::npos);
}

}  // namespace
}  // namespace opscope::store

// Ingest -> load round trip of real result documents, the per-run tables,
// run lists with filters, selectors, and copying runs between stores; on
// SQLite and PostgreSQL alike.
#include <filesystem>

#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

// Filters are written with designated initializers; the fields left out
// are meant to keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace opscope::store {
namespace {

using testing::Backend;
using testing::real_document;

class StoreRoundTrip : public ::testing::TestWithParam<Backend> {
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
    if (auto why = testing::skip_reason(GetParam()); !why.empty()) GTEST_SKIP() << why;
    const std::string error = fresh_.open(GetParam());
    ASSERT_EQ(error, "");
    store_ = fresh_.store.get();
  }

  static inline ResultDocument* selfie_ = nullptr;
  static inline ResultDocument* hand_ = nullptr;
  testing::FreshStore fresh_;
  Store* store_ = nullptr;
};

TEST_P(StoreRoundTrip, LoadReturnsTheDocumentAsIngested) {
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

TEST_P(StoreRoundTrip, TablesHoldEverySampleOpAndStage) {
  auto id = store_->ingest(*selfie_, {});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  const std::string run = std::to_string(*id);
  double sum = 0;
  for (double v : selfie_->latency_ms.samples) sum += v;
  EXPECT_EQ(fresh_.scalar("SELECT count(*) FROM samples WHERE run_id = " + run),
            static_cast<double>(selfie_->latency_ms.samples.size()));
  EXPECT_NEAR(fresh_.scalar("SELECT sum(ms) FROM samples WHERE run_id = " + run), sum, 1e-9);

  int64_t src = 0, live = 0;
  for (const auto& op : selfie_->ops) {
    src += op.source_index;
    live += op.live_bytes;
  }
  EXPECT_EQ(fresh_.scalar("SELECT count(*) FROM op_stats WHERE run_id = " + run),
            static_cast<double>(selfie_->ops.size()));
  EXPECT_EQ(fresh_.scalar("SELECT sum(source_index) FROM op_stats WHERE run_id = " + run),
            static_cast<double>(src));
  EXPECT_EQ(fresh_.scalar("SELECT sum(live_bytes) FROM op_stats WHERE run_id = " + run),
            static_cast<double>(live));

  EXPECT_EQ(fresh_.scalar("SELECT peak_rss_bytes FROM memory WHERE run_id = " + run),
            static_cast<double>(selfie_->memory.peak_rss_bytes));
  EXPECT_DOUBLE_EQ(fresh_.scalar("SELECT first_invoke_ms FROM stages WHERE run_id = " + run),
                   selfie_->stages.first_invoke_ms);
  EXPECT_DOUBLE_EQ(fresh_.scalar("SELECT median_ms FROM runs WHERE id = " + run),
                   selfie_->latency_ms.median);
}

TEST_P(StoreRoundTrip, ListsAndFilters) {
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

TEST_P(StoreRoundTrip, Selectors) {
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

TEST_P(StoreRoundTrip, RejectsDocumentsThatAreNotObjects) {
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

TEST_P(StoreRoundTrip, CopyingARunKeepsItsIdentityAndAddsItOnce) {
  auto id = store_->ingest(*selfie_, {{"branch", "main"}}, "sw-1", "float");
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = store_->load_run(*id);
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->uid.size(), 32u) << run->uid;

  // Into a store of the other kind and back: same uid, time, labels, document.
  testing::FreshStore other;
  const Backend other_kind =
      GetParam() == Backend::kSqlite ? Backend::kPostgres : Backend::kSqlite;
  if (auto why = testing::skip_reason(other_kind); !why.empty()) GTEST_SKIP() << why;
  ASSERT_EQ(other.open(other_kind), "");
  auto copied = other->copy_run(*run);
  ASSERT_TRUE(copied.is_ok()) << copied.status().message();
  EXPECT_TRUE(copied->added);
  auto again = other->copy_run(*run);
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_FALSE(again->added);
  EXPECT_EQ(again->id, copied->id);
  EXPECT_EQ(other.scalar("SELECT count(*) FROM runs"), 1);

  auto there = other->load_run(copied->id);
  ASSERT_TRUE(there.is_ok());
  EXPECT_EQ(there->uid, run->uid);
  EXPECT_EQ(there->created_at, run->created_at);
  EXPECT_EQ(there->tags, run->tags);
  EXPECT_EQ(there->sweep_id, "sw-1");
  EXPECT_EQ(there->variant, "float");
  EXPECT_EQ(there->document, run->document);
  auto back = store_->copy_run(*there);
  ASSERT_TRUE(back.is_ok());
  EXPECT_FALSE(back->added);
  EXPECT_EQ(back->id, *id);

  StoredRun no_uid = *run;
  no_uid.uid.clear();
  EXPECT_FALSE(other->copy_run(no_uid).is_ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreRoundTrip, testing::kBothBackends,
                         testing::backend_name);

}  // namespace
}  // namespace opscope::store

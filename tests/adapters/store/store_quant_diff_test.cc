// quant-diff results in the store: migration of a version-2 file (with runs)
// to version 3, the round trip of a diff with its ops, the lookup by either
// timing run, and refusals (unknown run, non-finite values).
#include <cmath>
#include <limits>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "adapters/store/sql/schema.h"
#include "adapters/store/store.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

namespace opscope::store {
namespace {

using testing::ScratchDir;

int64_t scalar(SQLite::Database& db, const char* sql) {
  SQLite::Statement st(db, sql);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

ResultDocument tiny_document(const std::string& model) {
  ResultDocument d;
  d.model.path = model;
  d.model.name = model;
  d.device.id = "host";
  d.latency_ms.samples = {1.0, 2.0};
  d.latency_ms.count = 2;
  return d;
}

QuantDiff sample_diff(int64_t float_run, int64_t int8_run) {
  QuantDiff d;
  d.float_run_id = float_run;
  d.int8_run_id = int8_run;
  d.float_model = "/m/selfie.tflite";
  d.int8_model = "/m/selfie_int8.tflite";
  d.output_snr_db = 21.5;
  d.task_metric = "mask_iou";
  d.task_metric_value = 0.93;
  for (int i = 0; i < 3; ++i) {
    QuantDiffOp op;
    op.source_index = 10 - i;  // not sorted: the stored order must be kept
    op.name = "conv_" + std::to_string(i);
    op.type = "CONV_2D";
    op.snr_db = 30 + i;
    op.cosine = 0.999 - 0.001 * i;
    op.rmse_over_scale = 0.29 + 0.01 * i;
    op.max_abs_error = 0.5 * i;
    op.float_us = 100 + i;
    op.int8_us = i == 2 ? 0 : 120 + i;
    d.ops.push_back(op);
  }
  d.document = {{"schema", "quant-diff"}, {"extra", {{"kept", true}}}};
  return d;
}

TEST(StoreQuantDiff, MigratesAVersion2DatabaseWithRuns) {
  ScratchDir dir;
  const std::string path = dir.file("v2.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (const auto& m : sql::migrations()) {
      if (m.version > 2) break;
      db.exec(sql::migration_sql(m, sql::Dialect::kSqlite));
    }
    db.exec("PRAGMA user_version = 2");
  }
  int64_t old_run = 0;
  {
    // A run stored while the file was at version 2 (written straight into the
    // v2 tables, as an opscope of that schema did).
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO devices VALUES (1, 'host', 'local', 'Linux', 'x86_64', 'cpu', 2, 0, 0);"
        "INSERT INTO models VALUES (1, '', '/m.tflite', 'm.tflite', 'tflite', 'f32', 0, 0, 0, 0);"
        "INSERT INTO runs (id, created_at, device_id, model_id, schema_version, tool_name,"
        " tool_version, git_commit, build_type, compiler, backends, threads, governor, config,"
        " status, error_code, error_message, sweep_id, variant, latency_count, min_ms, max_ms,"
        " mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, p99_ms, document) VALUES (7,"
        " '2025-01-02T03:04:05Z', 1, 1, 1, 'opscope', '0.1.0', 'x', 'Release', 'gcc', 'cpu', 1,"
        " '', '{}', 'ok', '', '', '', 'float', 0, 0, 0, 0, 0, 0, 0, 0, 0, '{\"status\": \"ok\"}');");
    old_run = 7;
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'quant_diffs'"), 0);
  }
  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  SQLite::Database db(path);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), sql::latest_schema_version());
  EXPECT_EQ(sql::latest_schema_version(), 7);  // 7: each run stored once
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'quant_diffs'"), 1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'quant_diff_ops'"), 1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM runs"), 1);

  // The old run can be a quant-diff's float run; a new one its int8 run.
  auto new_run = (*store)->ingest(tiny_document("/m_int8.tflite"), {}, "", "int8");
  ASSERT_TRUE(new_run.is_ok()) << new_run.status().message();
  auto id = (*store)->ingest_quant_diff(sample_diff(old_run, *new_run));
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto found = (*store)->find_quant_diffs(old_run);
  ASSERT_TRUE(found.is_ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].int8_run_id, *new_run);
}

class QuantDiffs : public testing::OnEachBackend {};

TEST_P(QuantDiffs, RoundTripsEveryFieldAndFindsByEitherRunOrTheModelPair) {
  Store* store = fresh_.store.get();
  auto f = store->ingest(tiny_document("/m/selfie.tflite"), {}, "", "float");
  auto q = store->ingest(tiny_document("/m/selfie_int8.tflite"), {}, "", "int8");
  auto other = store->ingest(tiny_document("/m/other.tflite"), {});
  ASSERT_TRUE(f.is_ok() && q.is_ok() && other.is_ok());

  const QuantDiff in = sample_diff(*f, *q);
  auto first = store->ingest_quant_diff(in);
  ASSERT_TRUE(first.is_ok()) << first.status().message();
  auto second = store->ingest_quant_diff(sample_diff(*f, 0));  // no int8 timing run
  ASSERT_TRUE(second.is_ok()) << second.status().message();
  EXPECT_GT(*second, *first);

  auto by_float = store->find_quant_diffs(*f);
  ASSERT_TRUE(by_float.is_ok()) << by_float.status().message();
  ASSERT_EQ(by_float->size(), 2u);
  EXPECT_EQ((*by_float)[0].id, *second);  // newest first
  EXPECT_EQ((*by_float)[0].int8_run_id, 0);

  auto by_models = store->find_quant_diffs_of_models(in.float_model, in.int8_model);
  ASSERT_TRUE(by_models.is_ok()) << by_models.status().message();
  ASSERT_EQ(by_models->size(), 2u);
  EXPECT_EQ((*by_models)[0].id, *second);  // newest first
  EXPECT_EQ((*by_models)[1].ops.size(), in.ops.size());
  auto swapped = store->find_quant_diffs_of_models(in.int8_model, in.float_model);
  ASSERT_TRUE(swapped.is_ok());
  EXPECT_TRUE(swapped->empty());

  auto by_int8 = store->find_quant_diffs(*q);
  ASSERT_TRUE(by_int8.is_ok());
  ASSERT_EQ(by_int8->size(), 1u);
  const QuantDiff& out = (*by_int8)[0];
  EXPECT_EQ(out.id, *first);
  EXPECT_EQ(out.created_at.size(), 20u) << out.created_at;  // 2026-11-21T23:07:05Z
  EXPECT_EQ(out.float_run_id, *f);
  EXPECT_EQ(out.int8_run_id, *q);
  EXPECT_EQ(out.float_model, in.float_model);
  EXPECT_EQ(out.int8_model, in.int8_model);
  EXPECT_DOUBLE_EQ(out.output_snr_db, in.output_snr_db);
  EXPECT_EQ(out.task_metric, in.task_metric);
  EXPECT_DOUBLE_EQ(out.task_metric_value, in.task_metric_value);
  EXPECT_EQ(out.document, in.document);
  ASSERT_EQ(out.ops.size(), in.ops.size());
  for (size_t i = 0; i < in.ops.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(out.ops[i].source_index, in.ops[i].source_index);
    EXPECT_EQ(out.ops[i].name, in.ops[i].name);
    EXPECT_EQ(out.ops[i].type, in.ops[i].type);
    EXPECT_DOUBLE_EQ(out.ops[i].snr_db, in.ops[i].snr_db);
    EXPECT_DOUBLE_EQ(out.ops[i].cosine, in.ops[i].cosine);
    EXPECT_DOUBLE_EQ(out.ops[i].rmse_over_scale, in.ops[i].rmse_over_scale);
    EXPECT_DOUBLE_EQ(out.ops[i].max_abs_error, in.ops[i].max_abs_error);
    EXPECT_DOUBLE_EQ(out.ops[i].float_us, in.ops[i].float_us);
    EXPECT_DOUBLE_EQ(out.ops[i].int8_us, in.ops[i].int8_us);
  }

  auto none = store->find_quant_diffs(*other);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(QuantDiffs, RejectsAnUnknownRunAndNonFiniteValuesWritingNothing) {
  Store* store = fresh_.store.get();
  auto unknown = store->ingest_quant_diff(sample_diff(4242, 0));
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("float_run_id 4242 is no stored run"),
            std::string::npos) << unknown.status().message();

  QuantDiff nan = sample_diff(0, 0);
  nan.ops[1].snr_db = std::numeric_limits<double>::quiet_NaN();
  auto refused = store->ingest_quant_diff(nan);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("'conv_1' snr_db"), std::string::npos)
      << refused.status().message();

  EXPECT_EQ(fresh_.scalar("SELECT count(*) FROM quant_diffs"), 0);
  EXPECT_EQ(fresh_.scalar("SELECT count(*) FROM quant_diff_ops"), 0);
}

TEST_P(QuantDiffs, DeletingARunKeepsTheDiffWithoutIt) {
  Store* store = fresh_.store.get();
  auto f = store->ingest(tiny_document("/f.tflite"), {});
  auto q = store->ingest(tiny_document("/q.tflite"), {});
  ASSERT_TRUE(f.is_ok() && q.is_ok());
  ASSERT_TRUE(store->ingest_quant_diff(sample_diff(*f, *q)).is_ok());
  fresh_.exec("DELETE FROM runs WHERE id = " + std::to_string(*f));
  auto found = store->find_quant_diffs(*q);
  ASSERT_TRUE(found.is_ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].float_run_id, 0);
  EXPECT_EQ((*found)[0].ops.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, QuantDiffs, testing::kBothBackends, testing::backend_name);

}  // namespace
}  // namespace opscope::store

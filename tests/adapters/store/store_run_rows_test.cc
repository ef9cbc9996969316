// Each run is stored once (schema version 7, adapters/store/sql/run_rows.h):
// the ops and samples as rows, the rest of the document as text. What is
// loaded must be the document as ingested, key for key, including keys this
// version does not know and values of an unexpected JSON type; a store
// written by version 6 (the whole document beside the rows) migrates
// without losing a field. On SQLite and PostgreSQL alike.
#include <filesystem>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "adapters/store/sql/schema.h"
#include "adapters/store/store.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

namespace opscope::store {
namespace {

using nlohmann::json;
using testing::Backend;

// The length of what runs.document keeps of `document`: all but the ops and
// the samples.
double rest_length(json document) {
  document.erase("ops");
  document["latency_ms"].erase("samples");
  return static_cast<double>(document.dump().size());
}

// A real document, with what a later or a hand-written one may hold.
json unusual_document(const ResultDocument& real) {
  json d = to_json(real);
  json& ops = d["ops"];
  ops[0]["from_a_later_version"] = {{"x", 1}, {"y", "two"}};
  ops[1]["count"] = 2.5;            // a float where the column is an integer
  ops[2].erase("category");         // a key that is absent
  ops[3]["name"] = "\xc3\xbc" "ber 'quoted' \"name\"";
  ops[4]["macs"] = int64_t{1} << 40;
  ops[5]["allocated_bytes"] = 4096;  // a PyTorch run's key
  ops[6]["runs_per_invoke"] = 3;     // an integer where the column is a float
  d["from_a_later_version"] = json::array({1, 2});
  return d;
}

class StoredOnce : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(testing::model_path("selfie_segmentation.tflite"))) return;
    real_ = new ResultDocument(testing::real_document("selfie_segmentation.tflite"));
  }
  static void TearDownTestSuite() { delete real_; }
  void SetUp() override {
    if (!real_) GTEST_SKIP() << "models not fetched (datasets/fetch_models.sh)";
    ASSERT_EQ(real_->status, "ok") << real_->error.message;
    ASSERT_GE(real_->ops.size(), 8u);
    if (auto why = testing::skip_reason(GetParam()); !why.empty()) GTEST_SKIP() << why;
  }
  double scalar(const std::string& sql) const { return fresh_.scalar(sql); }

  static ResultDocument* real_;
  testing::FreshStore fresh_;
};
ResultDocument* StoredOnce::real_ = nullptr;

TEST_P(StoredOnce, LoadGivesBackEveryKeyAsIngested) {
  ASSERT_EQ(fresh_.open(GetParam()), "");
  const json document = unusual_document(*real_);
  auto id = fresh_->ingest_json(document, {});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = fresh_->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->document.dump(), document.dump());
  EXPECT_EQ(run->document["ops"][1]["count"].dump(), "2.5");
  EXPECT_EQ(run->document["ops"][6]["runs_per_invoke"].dump(), "3");
  EXPECT_FALSE(run->document["ops"][2].contains("category"));
  EXPECT_EQ(run->doc.ops.size(), real_->ops.size());

  // Stored once: the ops and samples are rows, not text.
  const std::string where = " FROM runs WHERE id = " + std::to_string(*id);
  EXPECT_EQ(scalar("SELECT parts" + where), 3);
  EXPECT_EQ(scalar("SELECT length(document)" + where), rest_length(document));
  EXPECT_EQ(scalar("SELECT count(*) FROM op_times"), real_->ops.size());
  // The op_stats view has the columns the table had, and the new ones.
  EXPECT_EQ(scalar("SELECT count(*) FROM op_stats WHERE depth = 0 AND category <> ''"),
            real_->ops.size() - 1);
  EXPECT_DOUBLE_EQ(scalar("SELECT median_us FROM op_stats WHERE idx = " +
                          std::to_string(real_->ops[0].index)),
                   real_->ops[0].median_us);
}

TEST_P(StoredOnce, SamplesThatAreNotFloatsStayInTheDocument) {
  ASSERT_EQ(fresh_.open(GetParam()), "");
  json document = to_json(*real_);
  document["latency_ms"]["samples"] = json::array({1, 2.5, 3});
  auto id = fresh_->ingest_json(document, {});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = fresh_->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->document.dump(), document.dump());
  EXPECT_EQ(scalar("SELECT parts FROM runs"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM samples"), 3);  // rows for queries all the same
}

TEST_P(StoredOnce, RunsOfOneModelShareTheirOpKinds) {
  ASSERT_EQ(fresh_.open(GetParam()), "");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fresh_->ingest(*real_, {}).is_ok());
  EXPECT_EQ(scalar("SELECT count(*) FROM op_kinds"), real_->ops.size());
  EXPECT_EQ(scalar("SELECT count(*) FROM op_times"), 3 * real_->ops.size());
  EXPECT_EQ(scalar("SELECT count(*) FROM op_stats"), 3 * real_->ops.size());
}

TEST_P(StoredOnce, WithoutOpsLeavesOutTheOpsOnly) {
  ASSERT_EQ(fresh_.open(GetParam()), "");
  const json document = to_json(*real_);
  auto id = fresh_->ingest_json(document, {{"branch", "main"}});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = fresh_->load_run(*id, LoadParts::kWithoutOps);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  json expected = document;
  expected.erase("ops");
  EXPECT_EQ(run->document.dump(), expected.dump());
  EXPECT_TRUE(run->doc.ops.empty());
  EXPECT_EQ(run->doc.latency_ms.samples, real_->latency_ms.samples);
  EXPECT_EQ(run->tags.at("branch"), "main");
}

// SQL text for a string value: single quotes doubled (both dialects).
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A store as version 6 left it: the whole document in runs.document, its
// ops also in the op_stats table.
void write_version_6_store(testing::FreshStore& fresh, Backend backend, const json& document) {
  const sql::Dialect dialect =
      backend == Backend::kSqlite ? sql::Dialect::kSqlite : sql::Dialect::kPostgres;
  std::string script;
  for (const sql::Migration& m : sql::migrations()) {
    if (m.version <= 6) script += sql::migration_sql(m, dialect) + ";\n";
  }
  script += backend == Backend::kSqlite
                ? "PRAGMA user_version = 6;"
                : "CREATE TABLE opscope_schema (version BIGINT NOT NULL);"
                  "INSERT INTO opscope_schema VALUES (6);";
  script +=
      "INSERT INTO devices VALUES (1, 'host', 'local', 'Linux', 'x86_64', 'cpu', 2, 0, 0);"
      "INSERT INTO models VALUES (1, '', '/m.tflite', 'm.tflite', 'tflite', 'f32', 0, 0, 0, 0);"
      "INSERT INTO runs (id, created_at, device_id, model_id, schema_version, tool_name,"
      " tool_version, git_commit, build_type, compiler, backends, threads, governor, config,"
      " status, error_code, error_message, sweep_id, variant, latency_count, min_ms, max_ms,"
      " mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, p99_ms, document, uid) VALUES (1,"
      " '2026-01-02T03:04:05Z', 1, 1, 1, 'opscope', '0.1.0', 'x', 'Release', 'gcc', 'cpu', 1,"
      " '', '{}', 'ok', '', '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, " +
      quoted(document.dump()) + ", '0123456789abcdef0123456789abcdef');";
  // Its op rows, with whatever values: version 7 writes them anew.
  for (size_t seq = 0; seq < document["ops"].size(); ++seq) {
    script += "INSERT INTO op_stats (run_id, idx, source_index, name, type, backend, count,"
              " first_us, mean_us, median_us, min_us, max_us, pct, cdf_pct, macs, live_bytes,"
              " weights_bytes, scratch_bytes, output_shapes) VALUES (1, " +
              std::to_string(seq) + ", 0, 'n', 't', 'b', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,"
              " '[]');";
  }
  if (backend == Backend::kPostgres) {  // identities go on after the ids given above
    for (const char* table : {"devices", "models", "runs"}) {
      script += std::string("SELECT setval(pg_get_serial_sequence('") + table + "', 'id'), 1);";
    }
  }
  for (size_t i = 0; i < document["latency_ms"]["samples"].size(); ++i) {
    script += "INSERT INTO samples VALUES (1, " + std::to_string(i) + ", " +
              document["latency_ms"]["samples"][i].dump() + ");";
  }
  fresh.exec(script);
}

TEST_P(StoredOnce, AVersion6StoreMigratesWithoutLosingAField) {
  ASSERT_EQ(fresh_.create(GetParam()), "");
  const json document = unusual_document(*real_);
  write_version_6_store(fresh_, GetParam(), document);
  std::string note;  // what the CLI shows before the long migration
  const auto on_long_migration = [&](const std::string& line) { note = line; };
  Result<std::unique_ptr<Store>> store = Status(ErrorCode::kInternal, "not opened");
  if (GetParam() == Backend::kSqlite) {
    SqliteOptions options;
    options.on_long_migration = on_long_migration;
    store = open_sqlite_store(fresh_.name, options);
  } else {
    PostgresOptions options;
    options.on_long_migration = on_long_migration;
    store = open_postgres_store(fresh_.name, options);
  }
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  EXPECT_NE(note.find("bringing schema version 6 to 7 rewrites every stored run"),
            std::string::npos)
      << note;
  auto run = (*store)->load_run(1);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->document.dump(), document.dump());
  EXPECT_EQ(run->uid, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(scalar("SELECT parts FROM runs"), 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM op_stats"), real_->ops.size());
  EXPECT_EQ(scalar("SELECT count(*) FROM samples"), real_->latency_ms.samples.size());
  EXPECT_EQ(scalar("SELECT length(document) FROM runs"), rest_length(document));
  // New runs go in beside it, sharing its op kinds.
  auto added = (*store)->ingest(*real_, {});
  ASSERT_TRUE(added.is_ok()) << added.status().message();
  EXPECT_LE(scalar("SELECT count(*) FROM op_kinds"), real_->ops.size() + 8);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoredOnce, testing::kBothBackends, testing::backend_name);

}  // namespace
}  // namespace opscope::store

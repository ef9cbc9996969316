// Opening stores: migration of an older schema, refusal of a newer one, of a
// file that is no SQLite database and of a foreign SQLite database, and a
// locked database.
#include <fstream>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include "adapters/store/sql/schema.h"
#include "adapters/store/store.h"
#include "tests/adapters/store/store_test_util.h"

namespace opscope::store {
namespace {

using testing::ScratchDir;

int64_t scalar(SQLite::Database& db, const char* sql) {
  SQLite::Statement st(db, sql);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

ResultDocument small_document() {
  ResultDocument d;
  d.model.path = "/models/m.tflite";
  d.model.name = "m.tflite";
  d.device.id = "host";
  d.stages.load_ms = 1.5;
  d.stages.first_invoke_ms = 7.25;
  d.latency_ms.samples = {1.0, 2.0, 3.0};
  d.latency_ms.count = 3;
  d.latency_ms.median = 2.0;
  return d;
}

TEST(StoreSchema, MigratesAVersion1Database) {
  ScratchDir dir;
  const std::string path = dir.file("v1.db");
  const auto& v1 = sql::migrations()[0];
  ASSERT_EQ(v1.version, 1);
  {
    // A store as opscope with schema 1 left it, with one run in it.
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sql::migration_sql(v1, sql::Dialect::kSqlite));
    db.exec("PRAGMA user_version = 1");
    db.exec(
        "INSERT INTO devices VALUES (1, 'host', 'local', 'Linux', 'x86_64', 'cpu', 2, 0, 0);"
        "INSERT INTO models VALUES (1, '', '/m.tflite', 'm.tflite', 'tflite', 'f32', 0, 0, 0, 0);"
        "INSERT INTO runs (id, created_at, device_id, model_id, schema_version, tool_name,"
        " tool_version, git_commit, build_type, compiler, backends, threads, governor, config,"
        " status, error_code, error_message, sweep_id, variant, latency_count, min_ms, max_ms,"
        " mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, p99_ms, document) VALUES (1,"
        " '2025-01-02T03:04:05Z', 1, 1, 1, 'opscope', '0.1.0', 'x', 'Release', 'gcc', 'cpu', 1,"
        " '', '{}', 'ok', '', '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0,"
        " '{\"stages\": {\"load_ms\": 4.5, \"first_invoke_ms\": 9.0}, \"status\": \"ok\"}');");
  }
  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  SQLite::Database db(path);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), sql::latest_schema_version());
  // Version 2 back-filled the stages of the old run from its document.
  {
    // (Scoped: a statement left open keeps its read snapshot.)
    SQLite::Statement st(db, "SELECT load_ms, first_invoke_ms FROM stages WHERE run_id = 1");
    ASSERT_TRUE(st.executeStep());
    EXPECT_DOUBLE_EQ(st.getColumn(0).getDouble(), 4.5);
    EXPECT_DOUBLE_EQ(st.getColumn(1).getDouble(), 9.0);
  }
  // Old and new runs live side by side.
  auto id = (*store)->ingest(small_document(), {{"k", "v"}});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto rows = (*store)->list_runs({});
  ASSERT_TRUE(rows.is_ok());
  EXPECT_EQ(rows->size(), 2u);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM stages"), 2);
}

TEST(StoreSchema, NewStoreIsCurrentAndInWalMode) {
  ScratchDir dir;
  auto store = open_sqlite_store(dir.file("new.db"));
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  SQLite::Database db(dir.file("new.db"));
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), sql::latest_schema_version());
  SQLite::Statement mode(db, "PRAGMA journal_mode");
  ASSERT_TRUE(mode.executeStep());
  EXPECT_EQ(mode.getColumn(0).getString(), "wal");
}

TEST(StoreSchema, RefusesANewerSchemaNamingBothVersions) {
  ScratchDir dir;
  const std::string path = dir.file("future.db");
  ASSERT_TRUE(open_sqlite_store(path).is_ok());
  const int newer = sql::latest_schema_version() + 5;
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  auto store = open_sqlite_store(path);
  ASSERT_FALSE(store.is_ok());
  const std::string& m = store.status().message();
  EXPECT_NE(m.find("schema version " + std::to_string(newer)), std::string::npos) << m;
  EXPECT_NE(m.find("(" + std::to_string(sql::latest_schema_version()) + ")"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(path), std::string::npos) << m;
  SQLite::Database db(path);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), newer);  // untouched
}

TEST(StoreSchema, RefusesAFileThatIsNotSqlite) {
  ScratchDir dir;
  const std::string path = dir.file("notes.db");
  std::ofstream(path) << "these are my notes, not a database\n" << std::string(200, 'x');
  auto store = open_sqlite_store(path);
  ASSERT_FALSE(store.is_ok());
  EXPECT_NE(store.status().message().find("not a SQLite database"), std::string::npos)
      << store.status().message();
  std::ifstream f(path);
  std::string first;
  std::getline(f, first);
  EXPECT_EQ(first, "these are my notes, not a database");  // not overwritten
}

TEST(StoreSchema, RefusesAForeignSqliteDatabase) {
  ScratchDir dir;
  const std::string path = dir.file("other.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE recipes (name TEXT)");
  }
  auto store = open_sqlite_store(path);
  ASSERT_FALSE(store.is_ok());
  EXPECT_NE(store.status().message().find("not an opscope results store"), std::string::npos)
      << store.status().message();
  SQLite::Database db(path);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master"), 1);
}

TEST(StoreSchema, ALockedStoreFailsCleanlyAndLosesNothing) {
  ScratchDir dir;
  const std::string path = dir.file("locked.db");
  SqliteOptions options;
  options.busy_timeout_ms = 200;
  auto store = open_sqlite_store(path, options);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  ASSERT_TRUE((*store)->ingest(small_document(), {}).is_ok());
  {
    // Another writer holds the write lock for longer than the busy timeout.
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    SQLite::Transaction hold(other, SQLite::TransactionBehavior::IMMEDIATE);
    auto id = (*store)->ingest(small_document(), {});
    ASSERT_FALSE(id.is_ok());
    EXPECT_NE(id.status().message().find("locked"), std::string::npos) << id.status().message();
    // Readers are not blocked by a writer in WAL mode.
    EXPECT_TRUE((*store)->list_runs({}).is_ok());
  }
  // Once the lock is gone the next ingest works and nothing is half written.
  ASSERT_TRUE((*store)->ingest(small_document(), {}).is_ok());
  SQLite::Database db(path);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM runs"), 2);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM samples"), 6);
}

}  // namespace
}  // namespace opscope::store

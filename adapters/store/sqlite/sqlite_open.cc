// Opening a SQLite store: connection settings, schema check and migrations,
// and the error messages a user sees when the file is not what we expect.
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/store/sql/schema.h"
#include "adapters/store/sql/sql_store.h"
#include "adapters/store/sqlite/sqlite_connection.h"

namespace opscope::store {
namespace sqlite {

namespace {

using sql::latest_schema_version;

constexpr std::string_view kJournalWal = "PRAGMA journal_mode = WAL";
constexpr std::string_view kForeignKeysOn = "PRAGMA foreign_keys = ON";
constexpr std::string_view kSynchronousNormal = "PRAGMA synchronous = NORMAL";
// PRAGMA takes no bound parameters: the version is appended as an integer.
constexpr std::string_view kSetUserVersionPrefix = "PRAGMA user_version = ";
// The schema version and the number of schema objects, read in one
// statement so that both come from the same snapshot (another process may
// be migrating the file at this moment).
constexpr std::string_view kSchemaState =
    "SELECT (SELECT user_version FROM pragma_user_version),"
    " (SELECT count(*) FROM sqlite_master)";

struct SchemaState {
  int64_t version = 0, objects = 0;
};

SchemaState schema_state(SQLite::Database& db) {
  SQLite::Statement st(db, std::string(kSchemaState));
  st.executeStep();
  return {st.getColumn(0).getInt64(), st.getColumn(1).getInt64()};
}

// Switching to WAL needs a moment of exclusive access; when several
// processes create the same file at once one of them may see SQLITE_BUSY
// even with a busy timeout (the handler is not called for every lock), so
// retry for as long as the busy timeout allows.
void enable_wal(SQLite::Database& db, int busy_timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    try {
      SQLite::Statement st(db, std::string(kJournalWal));
      st.executeStep();
      return;
    } catch (const SQLite::Exception& e) {
      if (e.getErrorCode() != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
        throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

// Why a database with this user_version and this many schema objects cannot
// be used, or OK.
Status check_schema(const std::string& path, int64_t version, int64_t objects) {
  const int latest = latest_schema_version();
  if (version > latest) {
    return Status(ErrorCode::kInvalidArgument,
                  "results store " + path + " has schema version " + std::to_string(version) +
                      ", newer than this opscope reads (" + std::to_string(latest) +
                      "): it was written by a newer opscope; use that one or another --db");
  }
  if (version == 0 && objects != 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "results store " + path +
                      ": a SQLite database but not an opscope results store (it has "
                      "tables and no opscope schema version)");
  }
  return Status::ok();
}

// Brings the schema to the latest version in one IMMEDIATE transaction, so
// that two processes opening a new file at once do not both create it.
Status migrate(SqliteConnection& connection, const std::string& path) {
  SQLite::Database& db = connection.database();
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  // Read again under the write lock: another process may have migrated.
  const SchemaState state = schema_state(db);
  const int64_t current = state.version;
  OPSCOPE_RETURN_IF_ERROR(check_schema(path, current, state.objects));
  sql::apply_migrations(connection, current, [](sql::Connection& c, int version) {
    c.exec_script(std::string(kSetUserVersionPrefix) + std::to_string(version));
  });
  tx.commit();
  return Status::ok();
}

// Gives the file back the pages a migration freed (version 7 moved each
// run's ops out of its document: most of an older store). Needs the file
// to itself: when another process has it open, the space stays free for
// new runs instead.
void vacuum(SQLite::Database& db) {
  try {
    db.exec("VACUUM");
  } catch (const SQLite::Exception&) {
    // Busy: not an error, the store is migrated.
  }
}

std::unique_ptr<Store> store_on(std::unique_ptr<SqliteConnection> connection) {
  return std::make_unique<sql::SqlStore>(std::move(connection));
}

std::unique_ptr<Store> store_on(const std::string& path, std::unique_ptr<SQLite::Database> db) {
  return store_on(std::make_unique<SqliteConnection>(path, std::move(db)));
}

// A store opened for reading only. SQLite needs the -shm file of a WAL
// database even to read it, and cannot make one in a read-only folder;
// then the file is opened immutable (no locks, no -shm), which is safe
// because nobody can write there either.
Result<std::unique_ptr<Store>> open_read_only(const std::string& path,
                                             const SqliteOptions& options) {
  std::string action = "opening read-only";
  std::string uri = "file:";
  for (char ch : path) {
    if (ch == '%') uri += "%25";
    else if (ch == '?') uri += "%3f";
    else if (ch == '#') uri += "%23";
    else uri += ch;
  }
  auto open = [&](const char* mode) {
    return std::make_unique<SQLite::Database>(
        uri + mode,
        SQLite::OPEN_READONLY | SQLite::OPEN_URI | SQLite::OPEN_FULLMUTEX,
        options.busy_timeout_ms);
  };
  try {
    std::unique_ptr<SQLite::Database> db;
    SchemaState state;
    try {
      db = open("?mode=ro");
      state = schema_state(*db);
    } catch (const SQLite::Exception& e) {
      if (e.getErrorCode() != SQLITE_CANTOPEN && e.getErrorCode() != SQLITE_READONLY) throw;
      db = open("?immutable=1");
      state = schema_state(*db);
    }
    action = "reading the schema version";
    OPSCOPE_RETURN_IF_ERROR(check_schema(path, state.version, state.objects));
    if (state.version != latest_schema_version()) {
      return Status(ErrorCode::kIoError,
                    "results store " + path + " has schema version " +
                        std::to_string(state.version) + " and is read-only, so it cannot be "
                        "brought to version " + std::to_string(latest_schema_version()) +
                        ": copy it somewhere writable");
    }
    return store_on(path, std::move(db));
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path, action, e);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, "results store " + path + ": " + action + ": " + e.what());
  }
}

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const SqliteOptions& options) {
  using namespace sqlite;
  if (options.read_only) return open_read_only(path, options);
  std::string action = "opening";
  try {
    auto db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
        options.busy_timeout_ms);
    action = "reading the schema version";
    // The first read is what tells a non-database file apart. Refuse a
    // newer or foreign database before changing anything in it.
    const SchemaState state = schema_state(*db);
    OPSCOPE_RETURN_IF_ERROR(check_schema(path, state.version, state.objects));
    action = "switching to WAL";
    enable_wal(*db, options.busy_timeout_ms);
    db->exec(std::string(kForeignKeysOn));
    db->exec(std::string(kSynchronousNormal));
    auto connection = std::make_unique<SqliteConnection>(path, std::move(db));
    if (state.version != latest_schema_version()) {
      action = "migrating the schema";
      if (sql::migration_rewrites_rows(state.version) && options.on_long_migration) {
        options.on_long_migration(sql::long_migration_note(path, state.version));
      }
      OPSCOPE_RETURN_IF_ERROR(migrate(*connection, path));
      if (sql::migration_rewrites_rows(state.version)) vacuum(connection->database());
    }
    return store_on(std::move(connection));
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path, action, e);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, "results store " + path + ": " + action + ": " + e.what());
  }
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  return open_sqlite_store(path, SqliteOptions{});
}

}  // namespace opscope::store

// Opening a PostgreSQL store: connecting, the schema version check and the
// migrations, in one transaction under an advisory lock so that many
// runners opening a new store at once create it once.
#include <memory>

#include "adapters/store/postgres/pg_connection.h"
#include "adapters/store/sql/schema.h"
#include "adapters/store/sql/sql_store.h"

namespace opscope::store {
namespace {

using postgres::PgConnection;

// The advisory lock that serialises migrations, keyed by a constant all
// opscopes agree on ("opscope" in ASCII, 0x6f7073636f7065). A session lock
// taken before the transaction begins: a transaction that waited for a lock
// inside it would keep the catalog as it was when it began, and not see the
// tables the holder created.
constexpr std::string_view kLockMigrations = "SELECT pg_advisory_lock(31387727004233829)";
constexpr std::string_view kUnlockMigrations = "SELECT pg_advisory_unlock(31387727004233829)";
// Whether this database holds an opscope store, and whether it holds
// tables of that name that are not one.
constexpr std::string_view kSchemaPresent =
    "SELECT to_regclass('opscope_schema') IS NOT NULL, to_regclass('runs') IS NOT NULL";
constexpr std::string_view kSchemaVersion = "SELECT max(version) FROM opscope_schema";
constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS opscope_schema (version BIGINT NOT NULL)";
constexpr std::string_view kSetVersion =
    "DELETE FROM opscope_schema; INSERT INTO opscope_schema (version) VALUES ";

// The store's schema version: 0 for an empty database; -1 for one whose
// tables are not an opscope store's.
int64_t schema_version(PgConnection& db) {
  auto present = db.prepare(kSchemaPresent);
  present->step();
  const bool ours = present->text(0) == "t";
  const bool runs = present->text(1) == "t";
  if (!ours) return runs ? -1 : 0;
  auto version = db.prepare(kSchemaVersion);
  version->step();
  return version->int64(0);
}

Status check_version(const std::string& name, int64_t version) {
  const int latest = sql::latest_schema_version();
  if (version < 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "results store " + name +
                      ": this database has a table named runs but no opscope schema version: "
                      "not an opscope store (use another database, or a schema of its own with "
                      "options=-csearch_path=NAME in the URL)");
  }
  if (version > latest) {
    return Status(ErrorCode::kInvalidArgument,
                  "results store " + name + " has schema version " + std::to_string(version) +
                      ", newer than this opscope reads (" + std::to_string(latest) +
                      "): it was written by a newer opscope; use that one");
  }
  return Status::ok();
}

Status migrate(PgConnection& db) {
  db.exec_script(kLockMigrations);
  struct Unlock {
    PgConnection& db;
    ~Unlock() {
      try {
        db.exec_script(kUnlockMigrations);
      } catch (const std::exception&) {
        // The connection is gone, and the lock with it.
      }
    }
  } unlock{db};
  sql::WriteTransaction tx(db);
  // Read again under the lock: another process may have migrated.
  const int64_t current = schema_version(db);
  OPSCOPE_RETURN_IF_ERROR(check_version(db.name(), current));
  db.exec_script(kCreateVersionTable);
  sql::apply_migrations(db, current, [](sql::Connection& c, int version) {
    c.exec_script(std::string(kSetVersion) + "(" + std::to_string(version) + ")");
  });
  tx.commit();
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url,
                                                   const PostgresOptions& options) {
  const std::string name = postgres::url_without_password(url);
  std::string action = "connecting";
  try {
    auto db = std::make_unique<PgConnection>(url);
    action = "reading the schema version";
    const int64_t version = schema_version(*db);
    OPSCOPE_RETURN_IF_ERROR(check_version(name, version));
    if (version != sql::latest_schema_version()) {
      if (options.read_only) {
        if (version == 0) {
          return Status(ErrorCode::kIoError,
                        "results store " + name + " holds no opscope store yet (create it with "
                        "`opscope store init URL`, or store a run there)");
        }
        return Status(ErrorCode::kIoError,
                      "results store " + name + " has schema version " +
                          std::to_string(version) + "; bring it to version " +
                          std::to_string(sql::latest_schema_version()) +
                          " with `opscope store init URL`");
      }
      action = "migrating the schema";
      if (sql::migration_rewrites_rows(version) && options.on_long_migration) {
        options.on_long_migration(sql::long_migration_note(name, version));
      }
      OPSCOPE_RETURN_IF_ERROR(migrate(*db));
    }
    return std::unique_ptr<Store>(std::make_unique<sql::SqlStore>(std::move(db)));
  } catch (const sql::Error& e) {
    const std::string where = "results store " + name + ": " + action + ": ";
    if (e.sqlstate.empty()) {
      return Status(ErrorCode::kIoError,
                    where + "cannot connect (" + e.what() +
                        "); check the host, port, user and database in the URL, and that the "
                        "password is in PGPASSFILE or ~/.pgpass");
    }
    return Status(ErrorCode::kIoError, where + e.what());
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, "results store " + name + ": " + action + ": " + e.what());
  }
}

}  // namespace opscope::store

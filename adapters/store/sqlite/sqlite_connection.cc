#include "adapters/store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <SQLiteCpp/Statement.h>

namespace opscope::store::sqlite {
namespace {

class SqliteStatement final : public sql::Statement {
 public:
  SqliteStatement(SQLite::Database& db, std::string_view sql) : st_(db, std::string(sql)) {}

  void bind(std::string_view name, int64_t value) override { st_.bind(std::string(name), value); }
  void bind(std::string_view name, double value) override { st_.bind(std::string(name), value); }
  void bind(std::string_view name, std::string_view text) override {
    st_.bind(std::string(name), std::string(text));
  }
  void bind_null(std::string_view name) override { st_.bind(std::string(name)); }
  void bind_at(int number, int64_t value) override { st_.bind(number, value); }
  void bind_at(int number, double value) override { st_.bind(number, value); }
  void bind_at(int number, std::string_view text) override {
    st_.bind(number, std::string(text));
  }
  bool step() override { return st_.executeStep(); }
  void reset() override { st_.reset(); }
  int64_t int64(int column) const override { return st_.getColumn(column).getInt64(); }
  double real(int column) const override { return st_.getColumn(column).getDouble(); }
  std::string text(int column) const override { return st_.getColumn(column).getString(); }

 private:
  // SQLiteCpp's getters are not const.
  mutable SQLite::Statement st_;
};

}  // namespace

Status sqlite_error(const std::string& path, const std::string& action,
                    const SQLite::Exception& e) {
  const std::string where = "results store " + path + ": " + action + ": ";
  switch (e.getErrorCode()) {
    case SQLITE_NOTADB:
      return Status(ErrorCode::kIoError,
                    where + "not a SQLite database (is this an opscope results store?)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(ErrorCode::kIoError,
                    where + "the database is locked by another process and stayed "
                            "locked for the whole busy timeout; nothing was written");
    case SQLITE_READONLY:
      return Status(ErrorCode::kIoError,
                    where + "the file (or its folder, where SQLite keeps the -wal and "
                            "-shm files) is read-only; nothing was written");
    case SQLITE_CANTOPEN:
      return Status(ErrorCode::kIoError,
                    where + "cannot open the file (missing folder or no permission)");
    case SQLITE_FULL:
      return Status(ErrorCode::kResourceExhausted, where + "the disk is full");
    case SQLITE_CORRUPT:
      return Status(ErrorCode::kIoError, where + "the database file is corrupt");
    default:
      return Status(ErrorCode::kIoError, where + e.what());
  }
}

std::unique_ptr<sql::Statement> SqliteConnection::prepare(std::string_view sql) {
  return std::make_unique<SqliteStatement>(*db_, sql);
}

void SqliteConnection::rollback() noexcept {
  try {
    db_->exec("ROLLBACK");
  } catch (const std::exception&) {
    // Nothing to roll back (the failure ended the transaction already).
  }
}

bool SqliteConnection::is_duplicate(const std::exception& e) const {
  const auto* s = dynamic_cast<const SQLite::Exception*>(&e);
  return s != nullptr && (s->getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY ||
                          s->getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE);
}

Status SqliteConnection::check_integrity() {
  const auto damaged = [&](const std::string& what) {
    return Status(ErrorCode::kIoError,
                  "results store " + path_ + " fails SQLite's integrity check (" + what +
                      "); nothing was written to it: restore it from a copy or use another --db");
  };
  try {
    SQLite::Statement st(*db_, "PRAGMA integrity_check");
    std::string problems;
    int lines = 0;
    while (st.executeStep()) {
      const std::string line = st.getColumn(0).getString();
      if (line == "ok") continue;
      if (++lines <= 3) problems += (problems.empty() ? "" : "; ") + line;
    }
    if (lines == 0) return Status::ok();
    return damaged(problems + (lines > 3 ? "; ..." : ""));
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_CORRUPT || e.getErrorCode() == SQLITE_NOTADB) {
      return damaged(e.what());
    }
    return sqlite_error(path_, "checking its integrity", e);
  }
}

Status SqliteConnection::error_status(const std::string& action, const std::exception& e) const {
  if (const auto* s = dynamic_cast<const SQLite::Exception*>(&e)) {
    return sqlite_error(path_, action, *s);
  }
  return Status(ErrorCode::kInternal, "results store " + path_ + ": " + action + ": " + e.what());
}

}  // namespace opscope::store::sqlite

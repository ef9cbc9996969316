// The little of a SQL database the store needs, so that the store's logic
// (ingest, queries, selectors, quant-diffs, sweeps: sql_*.cc) is written
// once for SQLite (sqlite/sqlite_connection.h) and PostgreSQL
// (postgres/pg_connection.h).
//
// Statements use named parameters (":name"); a dialect that numbers them
// ($1, $2: PostgreSQL) rewrites the text when it prepares it. Failures are
// exceptions (the driver's own, or sql::Error); each Store method catches
// them at its boundary and asks the connection to describe them
// (Connection::error_status), so that messages keep the driver's words.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace opscope::store::sql {

enum class Dialect { kSqlite, kPostgres };

// A failure the PostgreSQL connection reports (SQLite's are SQLiteCpp's own
// exceptions): sqlstate is the server's five-character code, "" for a
// failure of the connection itself, or "internal" for a misuse (a parameter
// name the statement does not have).
struct Error : std::runtime_error {
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), sqlstate(std::move(code)) {}
  std::string sqlstate;
};

// One prepared statement. Bindings persist across reset() (as in SQLite):
// a loop binds what changes, runs, and resets.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind(std::string_view name, int64_t value) = 0;
  virtual void bind(std::string_view name, double value) = 0;
  virtual void bind(std::string_view name, std::string_view text) = 0;
  virtual void bind_null(std::string_view name) = 0;
  // By number (from 1, in the order the parameters first appear in the
  // text): for statements with thousands of parameters, where looking a
  // name up costs a scan.
  virtual void bind_at(int number, int64_t value) = 0;
  virtual void bind_at(int number, double value) = 0;
  virtual void bind_at(int number, std::string_view text) = 0;
  void bind_at(int number, const std::string& text) { bind_at(number, std::string_view(text)); }
  void bind(std::string_view name, int value) { bind(name, static_cast<int64_t>(value)); }
  void bind(std::string_view name, const std::string& text) {
    bind(name, std::string_view(text));
  }
  void bind(std::string_view name, const char* text) { bind(name, std::string_view(text)); }

  // Runs the statement on the first call; then true while a row is there.
  virtual bool step() = 0;
  // Runs a statement that returns no rows (or ignores them).
  void exec() {
    step();
    reset();
  }
  // Back to before the first step(), keeping the bindings.
  virtual void reset() = 0;

  // Columns of the current row, from 0. NULL reads as 0 or "".
  virtual int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // What the messages call the store: the file's path, or the URL without
  // its password.
  virtual const std::string& name() const = 0;
  virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;
  // Statements without parameters or results, several separated by ';'.
  virtual void exec_script(std::string_view sql) = 0;
  // A write transaction that holds the write lock from its start (SQLite:
  // BEGIN IMMEDIATE, so that concurrent writers queue instead of failing
  // half way; PostgreSQL: BEGIN).
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Whether `e` is a unique or primary key violation (an id stored twice).
  virtual bool is_duplicate(const std::exception& e) const = 0;
  // The database's own consistency check (SQLite's integrity_check), or OK
  // where the server keeps it.
  virtual Status check_integrity() = 0;
  // A Status for an exception this connection's statements threw while
  // doing `action`: names the store and says in words what the usual
  // causes mean.
  virtual Status error_status(const std::string& action, const std::exception& e) const = 0;
};

// Rolls back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& c) : c_(c) { c_.begin_write(); }
  ~WriteTransaction() {
    if (!done_) c_.rollback();
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit() {
    c_.commit();
    done_ = true;
  }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace opscope::store::sql

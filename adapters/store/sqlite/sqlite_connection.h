// sql::Connection on SQLite (SQLiteCpp): the embedded store, one file.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "adapters/store/sql/connection.h"

namespace opscope::store::sqlite {

class SqliteConnection final : public sql::Connection {
 public:
  SqliteConnection(std::string path, std::unique_ptr<SQLite::Database> db)
      : path_(std::move(path)), db_(std::move(db)) {}

  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  const std::string& name() const override { return path_; }
  std::unique_ptr<sql::Statement> prepare(std::string_view sql) override;
  void exec_script(std::string_view sql) override { db_->exec(std::string(sql)); }
  void begin_write() override { db_->exec("BEGIN IMMEDIATE"); }
  void commit() override { db_->exec("COMMIT"); }
  void rollback() noexcept override;
  bool is_duplicate(const std::exception& e) const override;
  Status check_integrity() override;
  Status error_status(const std::string& action, const std::exception& e) const override;

  // For what only SQLite has (PRAGMAs, its own transactions).
  SQLite::Database& database() { return *db_; }

 private:
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

// A Status for a failed SQLite call: names the file and what was being done,
// and says in words what the usual causes mean (locked, read-only, not a
// database, disk full).
Status sqlite_error(const std::string& path, const std::string& action,
                    const SQLite::Exception& e);

}  // namespace opscope::store::sqlite

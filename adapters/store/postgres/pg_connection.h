// sql::Connection on PostgreSQL (libpq): the team store, one server that
// many CI runners, device hosts and dashboards use at once.
//
// Statements are prepared on the server once per connection and text (the
// ":name" parameters renumbered $1, $2, ...) and kept for the connection's
// life; every value is sent as a typed parameter, never spliced into SQL.
// Failures throw sql::Error with the server's SQLSTATE.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/sql/connection.h"

struct pg_conn;

namespace opscope::store::postgres {

class PgConnection final : public sql::Connection {
 public:
  // Connects to `url` (a libpq URI or key=value string; the password comes
  // from PGPASSFILE or ~/.pgpass, as libpq reads it). Throws sql::Error.
  explicit PgConnection(const std::string& url);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  sql::Dialect dialect() const override { return sql::Dialect::kPostgres; }
  const std::string& name() const override { return name_; }
  std::unique_ptr<sql::Statement> prepare(std::string_view sql) override;
  void exec_script(std::string_view sql) override;
  void begin_write() override { exec_script("BEGIN"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() noexcept override;
  bool is_duplicate(const std::exception& e) const override;
  Status check_integrity() override { return Status::ok(); }
  Status error_status(const std::string& action, const std::exception& e) const override;

  // For PgStatement: the server-side name of `sql` prepared with these
  // parameter types, preparing it on first use.
  const std::string& prepared(const std::string& sql, const std::vector<unsigned>& types);
  pg_conn* raw() { return conn_; }

 private:
  pg_conn* conn_ = nullptr;
  std::string name_;
  std::map<std::pair<std::string, std::vector<unsigned>>, std::string> prepared_;
};

// `url` with any password taken out, for messages.
std::string url_without_password(const std::string& url);

// `sql` with its ":name" parameters numbered as PostgreSQL wants ($1, $2,
// ...; a name used twice keeps its number); `names` gets the names in
// number order. Text in '...' quotes and "::" casts are left alone;
// placeholders written as $N are kept (and named "$N").
std::string number_parameters(std::string_view sql, std::vector<std::string>& names);

}  // namespace opscope::store::postgres

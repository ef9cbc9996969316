#include "adapters/store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace opscope::store::postgres {
namespace {

// Type OIDs of the parameters we send (pg_type.h is a server header).
constexpr unsigned kInt8Oid = 20;
constexpr unsigned kTextOid = 25;
constexpr unsigned kFloat8Oid = 701;

// libpq's message on one line: no trailing newline, inner line breaks (and
// the tabs that indent its hints) as single spaces.
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Throws sql::Error unless `res` is a success; takes ownership of `res`.
PGresult* checked(PGresult* res, pg_conn* conn) {
  const ExecStatusType status = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return res;
  const char* state = res == nullptr ? nullptr : PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string message = trimmed(res == nullptr ? PQerrorMessage(conn) : PQresultErrorMessage(res));
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  std::string code = state == nullptr ? "" : state;
  PQclear(res);
  throw sql::Error(code, message);
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class PgStatement final : public sql::Statement {
 public:
  PgStatement(PgConnection& conn, std::string_view sql)
      : conn_(conn), text_(number_parameters(sql, names_)),
        values_(names_.size()), types_(names_.size(), 0) {}
  ~PgStatement() override { PQclear(res_); }

  void bind(std::string_view name, int64_t value) override { bind_at(number_of(name), value); }
  void bind(std::string_view name, double value) override { bind_at(number_of(name), value); }
  void bind(std::string_view name, std::string_view text) override {
    bind_at(number_of(name), text);
  }
  void bind_at(int number, int64_t value) override {
    set(number, std::to_string(value), kInt8Oid);
  }
  void bind_at(int number, double value) override {
    if (std::isnan(value)) return set(number, "NaN", kFloat8Oid);
    if (std::isinf(value)) return set(number, value > 0 ? "Infinity" : "-Infinity", kFloat8Oid);
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    set(number, std::string(buf, end), kFloat8Oid);
  }
  void bind_at(int number, std::string_view text) override {
    // Text parameters travel as C strings and PostgreSQL's text holds no
    // NUL: it is stored as the characters \x00, as result/utf8.h writes
    // other bytes it cannot keep.
    std::string value;
    value.reserve(text.size());
    for (char c : text) {
      if (c == '\0') value += "\\x00";
      else value += c;
    }
    set(number, std::move(value), kTextOid);
  }
  void bind_null(std::string_view name) override {
    const size_t i = number_of(name) - 1;
    values_[i].reset();
    types_[i] = 0;  // the server infers it
  }

  bool step() override {
    if (res_ == nullptr) {
      const std::string& stmt = conn_.prepared(text_, types_);
      std::vector<const char*> values(values_.size());
      for (size_t i = 0; i < values_.size(); ++i) {
        values[i] = values_[i] ? values_[i]->c_str() : nullptr;
      }
      res_ = checked(PQexecPrepared(conn_.raw(), stmt.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, /*resultFormat=*/0),
                     conn_.raw());
      row_ = -1;
    }
    return ++row_ < PQntuples(res_);
  }
  void reset() override {
    PQclear(res_);
    res_ = nullptr;
    row_ = -1;
  }

  int64_t int64(int column) const override {
    const char* v = value(column);
    return v == nullptr ? 0 : std::strtoll(v, nullptr, 10);
  }
  double real(int column) const override {
    const char* v = value(column);
    return v == nullptr ? 0 : std::strtod(v, nullptr);
  }
  std::string text(int column) const override {
    const char* v = value(column);
    return v == nullptr ? std::string() : std::string(v, PQgetlength(res_, row_, column));
  }

 private:
  int number_of(std::string_view name) const {
    const std::string_view bare = name.substr(name.starts_with(':') ? 1 : 0);
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == bare) return static_cast<int>(i) + 1;
    }
    throw sql::Error("internal", "no parameter :" + std::string(bare) + " in the statement");
  }
  void set(int number, std::string value, unsigned type) {
    if (number < 1 || static_cast<size_t>(number) > values_.size()) {
      throw sql::Error("internal", "no parameter $" + std::to_string(number) + " in the statement");
    }
    values_[number - 1] = std::move(value);
    types_[number - 1] = type;
  }
  // The current row's column, or nullptr for NULL.
  const char* value(int column) const {
    if (res_ == nullptr || row_ < 0 || row_ >= PQntuples(res_) || column >= PQnfields(res_)) {
      throw sql::Error("internal", "no row or column " + std::to_string(column) + " to read");
    }
    return PQgetisnull(res_, row_, column) ? nullptr : PQgetvalue(res_, row_, column);
  }

  PgConnection& conn_;
  std::vector<std::string> names_;
  std::string text_;
  std::vector<std::optional<std::string>> values_;
  std::vector<unsigned> types_;
  PGresult* res_ = nullptr;
  int row_ = -1;
};

}  // namespace

std::string number_parameters(std::string_view sql, std::vector<std::string>& names) {
  names.clear();
  std::string out;
  out.reserve(sql.size());
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    // A numbered placeholder written as such ($3): counted, kept.
    if (!quoted && c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t end = i + 1;
      size_t number = 0;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) {
        number = number * 10 + static_cast<size_t>(sql[end] - '0');
        ++end;
      }
      while (names.size() < number) names.push_back("$" + std::to_string(names.size() + 1));
      out.append(sql.substr(i, end - i));
      i = end - 1;
      continue;
    }
    const bool param = !quoted && c == ':' && i + 1 < sql.size() && is_name_char(sql[i + 1]) &&
                       (i == 0 || sql[i - 1] != ':') && !std::isdigit(static_cast<unsigned char>(sql[i + 1]));
    if (!param) {
      out += c;
      continue;
    }
    size_t end = i + 1;
    while (end < sql.size() && is_name_char(sql[end])) ++end;
    const std::string name(sql.substr(i + 1, end - i - 1));
    size_t number = 0;
    while (number < names.size() && names[number] != name) ++number;
    if (number == names.size()) names.push_back(name);
    out += "$" + std::to_string(number + 1);
    i = end - 1;
  }
  return out;
}

std::string url_without_password(const std::string& url) {
  std::string out = url;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = out.find_first_of("/?", start);
    const size_t at = out.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  // password=... as a URI parameter or a key=value pair.
  for (size_t pos; (pos = out.find("password=")) != std::string::npos;) {
    size_t end = out.find_first_of("& ", pos);
    if (end == std::string::npos) end = out.size();
    out.replace(pos, end - pos, "password-given");
  }
  return out;
}

PgConnection::PgConnection(const std::string& url) : name_(url_without_password(url)) {
  conn_ = PQconnectdb(url.c_str());
  if (conn_ == nullptr) throw sql::Error("", "libpq could not allocate a connection");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw sql::Error("", message);
  }
  // NOTICEs (e.g. "table exists, skipping") would go to stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::unique_ptr<sql::Statement> PgConnection::prepare(std::string_view sql) {
  return std::make_unique<PgStatement>(*this, sql);
}

void PgConnection::exec_script(std::string_view sql) {
  PQclear(checked(PQexec(conn_, std::string(sql).c_str()), conn_));
}

void PgConnection::rollback() noexcept {
  PQclear(PQexec(conn_, "ROLLBACK"));
}

const std::string& PgConnection::prepared(const std::string& sql,
                                          const std::vector<unsigned>& types) {
  auto key = std::make_pair(sql, types);
  auto it = prepared_.find(key);
  if (it != prepared_.end()) return it->second;
  std::string stmt = "opscope_" + std::to_string(prepared_.size() + 1);
  std::vector<Oid> oids(types.begin(), types.end());
  PQclear(checked(PQprepare(conn_, stmt.c_str(), sql.c_str(), static_cast<int>(oids.size()),
                            oids.data()),
                  conn_));
  return prepared_.emplace(std::move(key), std::move(stmt)).first->second;
}

bool PgConnection::is_duplicate(const std::exception& e) const {
  const auto* pg = dynamic_cast<const sql::Error*>(&e);
  return pg != nullptr && pg->sqlstate == "23505";  // unique_violation
}

Status PgConnection::error_status(const std::string& action, const std::exception& e) const {
  const std::string where = "results store " + name_ + ": " + action + ": ";
  const auto* pg = dynamic_cast<const sql::Error*>(&e);
  if (pg == nullptr) return Status(ErrorCode::kInternal, where + e.what());
  const std::string& code = pg->sqlstate;
  const std::string said = std::string(" (the server said: ") + e.what() + ")";
  if (code.empty() || code.starts_with("08") || code.starts_with("57P")) {
    return Status(ErrorCode::kIoError,
                  where + "lost the connection to the server; nothing of this step was "
                          "written" + said);
  }
  if (code == "25006") {
    return Status(ErrorCode::kIoError,
                  where + "the server or this connection is read-only; nothing was written" + said);
  }
  if (code == "42501") {
    return Status(ErrorCode::kIoError,
                  where + "this user may not do that (ask for the store's role or GRANT)" + said);
  }
  if (code.starts_with("53")) {
    return Status(ErrorCode::kResourceExhausted,
                  where + "the server is out of disk, memory or connections" + said);
  }
  if (code == "40001" || code == "40P01") {
    return Status(ErrorCode::kIoError,
                  where + "the server aborted the transaction to resolve a conflict with "
                          "another writer; nothing was written, try again" + said);
  }
  return Status(ErrorCode::kIoError, where + e.what());
}

}  // namespace opscope::store::postgres

// Rows for one table written with multi-row INSERTs: a run's samples and op
// rows go to the database in a few statements instead of one per row (one
// round trip each on PostgreSQL). The same SQL serves both dialects.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/store/sql/connection.h"

namespace opscope::store::sql {

class RowBatch {
 public:
  using Value = std::variant<int64_t, double, std::string>;

  // `table` with its column list, e.g. "samples (run_id, seq, ms)".
  // `suffix` ends each statement (an ON CONFLICT clause).
  explicit RowBatch(std::string_view table, std::string_view suffix = {})
      : table_(table), suffix_(suffix) {
    columns_ = 1;
    for (char c : table) columns_ += c == ',';
  }

  // One row, its values in the order of the column list.
  void add(std::vector<Value> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  // Inserts every row, at most kRowsPerStatement per statement (SQLite
  // takes 32766 parameters a statement; PostgreSQL 65535).
  void insert(Connection& db) const {
    for (size_t first = 0; first < rows_.size(); first += kRowsPerStatement) {
      const size_t n = std::min(kRowsPerStatement, rows_.size() - first);
      // Numbered placeholders, not names: SQLite's parser looks every new
      // name up among the ones before it, quadratic in thousands of them.
      const bool lite = db.dialect() == Dialect::kSqlite;
      std::string sql = "INSERT INTO " + table_ + " VALUES ";
      for (size_t r = 0; r < n; ++r) {
        sql += r == 0 ? "(" : ", (";
        for (size_t c = 0; c < columns_; ++c) {
          sql += c == 0 ? "" : ", ";
          sql += lite ? "?" : "$" + std::to_string(r * columns_ + c + 1);
        }
        sql += ")";
      }
      sql += suffix_;
      auto st = db.prepare(sql);
      // Row r's column c is parameter number r * columns + c + 1.
      for (size_t r = 0; r < n; ++r) {
        for (size_t c = 0; c < columns_; ++c) {
          const int number = static_cast<int>(r * columns_ + c + 1);
          std::visit([&](const auto& v) { st->bind_at(number, v); }, rows_[first + r].at(c));
        }
      }
      st->exec();
    }
  }

 private:
  static constexpr size_t kRowsPerStatement = 200;

  std::string table_, suffix_;
  size_t columns_ = 0;
  std::vector<std::vector<Value>> rows_;
};

}  // namespace opscope::store::sql

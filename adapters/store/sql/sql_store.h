// store::Store on a SQL database (internal to adapters/store): the store's
// logic, written once for every dialect over sql::Connection.
//
// One SqlStore holds one connection; use it from one thread at a time.
// Several processes may write one store at once: every ingest is one write
// transaction (SQLite: WAL, a busy timeout and BEGIN IMMEDIATE, so writers
// queue; PostgreSQL: the server's MVCC), so a writer killed half way leaves
// nothing behind.
#pragma once

#include <memory>
#include <string>

#include "adapters/store/sql/connection.h"
#include "adapters/store/store.h"
#include "result/utf8.h"

namespace opscope::store::sql {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  // sql_ingest.cc
  Result<int64_t> ingest(const ResultDocument& doc, const Tags& tags,
                         const std::string& sweep_id,
                         const std::string& variant) override;
  Result<int64_t> ingest_json(const nlohmann::json& document, const Tags& tags,
                              const std::string& sweep_id,
                              const std::string& variant) override;
  Result<CopiedRun> copy_run(const StoredRun& run) override;
  // sql_query.cc
  Result<std::vector<RunRow>> list_runs(const RunFilter& filter) override;
  using Store::load_run;
  Result<StoredRun> load_run(int64_t id, LoadParts parts) override;
  Result<std::vector<int64_t>> select(std::string_view selector) override;
  // sql_quant_diff.cc
  Result<int64_t> ingest_quant_diff(const QuantDiff& diff) override;
  Result<std::vector<QuantDiff>> find_quant_diffs(int64_t run_id) override;
  Result<std::vector<QuantDiff>> find_quant_diffs_of_models(const std::string& float_model,
                                                            const std::string& int8_model) override;
  // sql_sweeps.cc
  Status check_integrity() override { return db_->check_integrity(); }
  Status begin_sweep(const SweepRecord& sweep,
                     const std::vector<nlohmann::json>& case_specs) override;
  Status finish_sweep_case(const std::string& sweep_id, int64_t seq, const std::string& status,
                           int64_t run_id) override;
  Status set_sweep_status(const std::string& sweep_id, const std::string& status,
                          int64_t host_pid) override;
  Result<SweepRecord> load_sweep(const std::string& id) override;
  Result<std::vector<SweepRecord>> list_sweeps(int limit) override;
  Result<std::vector<SweepCaseRow>> sweep_cases(const std::string& sweep_id) override;

 private:
  // Stores `run` with its created_at and uid, unless its uid is here.
  Result<CopiedRun> store_run(const StoredRun& run);
  // "results store NAME"
  std::string where() const { return "results store " + db_->name(); }

  std::unique_ptr<Connection> db_;
};

// Text written to the store is UTF-8, bytes that are not written as \xNN
// (result/utf8.h); text read back is escaped again, so that a row written
// by an older version (or by hand) cannot poison JSON output downstream.
inline std::string text_in(std::string_view s) { return escape_invalid_utf8(s); }
inline std::string text_of(const Statement& st, int column) {
  return escape_invalid_utf8(st.text(column));
}

// "2026-11-21T23:07:05Z" for now.
std::string utc_timestamp_now();

}  // namespace opscope::store::sql

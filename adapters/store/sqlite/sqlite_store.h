// The SQLite implementation of store::Store (internal to adapters/store).
//
// One SqliteStore holds one connection; use it from one thread at a time.
// Several processes (or several SqliteStores) may write the same file at
// once: WAL journal, a busy timeout, and every ingest one BEGIN IMMEDIATE
// transaction, so writers queue instead of failing half way.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "adapters/store/store.h"
#include "result/utf8.h"

namespace opscope::store::sqlite {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<SQLite::Database> db)
      : path_(std::move(path)), db_(std::move(db)) {}

  Result<int64_t> ingest(const ResultDocument& doc, const Tags& tags,
                         const std::string& sweep_id,
                         const std::string& variant) override;
  Result<int64_t> ingest_json(const nlohmann::json& document, const Tags& tags,
                              const std::string& sweep_id,
                              const std::string& variant) override;
  Result<std::vector<RunRow>> list_runs(const RunFilter& filter) override;
  Result<StoredRun> load_run(int64_t id) override;
  Result<std::vector<int64_t>> select(std::string_view selector) override;
  Result<int64_t> ingest_quant_diff(const QuantDiff& diff) override;  // sqlite_quant_diff.cc
  Result<std::vector<QuantDiff>> find_quant_diffs(int64_t run_id) override;
  Result<std::vector<QuantDiff>> find_quant_diffs_of_models(const std::string& float_model,
                                                            const std::string& int8_model) override;
  // sqlite_sweeps.cc
  Status check_integrity() override;
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
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

// A Status for a failed SQLite call: names the file and what was being done,
// and says in words what the usual causes mean (locked, read-only, not a
// database, disk full).
Status sqlite_error(const std::string& path, const std::string& action,
                    const SQLite::Exception& e);

// Text written to the store is UTF-8, bytes that are not written as \xNN
// (result/utf8.h); text read back is escaped again, so that a row written
// by an older version (or by hand) cannot poison JSON output downstream.
inline std::string text_in(std::string_view s) { return escape_invalid_utf8(s); }
inline std::string text_of(const SQLite::Column& c) { return escape_invalid_utf8(c.getString()); }

// "2026-11-21T23:07:05Z" for now.
std::string utc_timestamp_now();

}  // namespace opscope::store::sqlite

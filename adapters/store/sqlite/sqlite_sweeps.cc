// Sweeps and their cases (schema version 4), and the integrity check a
// writer runs before it adds to a file.
#include <signal.h>
#include <sqlite3.h>

#include <cerrno>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/store/sqlite/queries.h"
#include "adapters/store/sqlite/sqlite_store.h"
#include "result/utf8.h"

namespace opscope::store {

std::string effective_sweep_status(const SweepRecord& sweep, const std::string& this_host) {
  if (sweep.status != "running") return sweep.status;
  // Only a process on this machine can be asked whether it is alive; a
  // sweep running elsewhere keeps its word. EPERM: alive, someone else's.
  if (sweep.host != this_host || sweep.host_pid <= 0) return sweep.status;
  const bool alive = kill(static_cast<pid_t>(sweep.host_pid), 0) == 0 || errno == EPERM;
  return alive ? "running" : "incomplete";
}

namespace sqlite {
namespace {

SweepRecord read_sweep(SQLite::Statement& st) {
  SweepRecord r;
  int c = 0;
  r.id = st.getColumn(c++).getString();
  r.created_at = st.getColumn(c++).getString();
  r.updated_at = st.getColumn(c++).getString();
  r.status = st.getColumn(c++).getString();
  r.host = st.getColumn(c++).getString();
  r.host_pid = st.getColumn(c++).getInt64();
  r.plan = nlohmann::json::parse(st.getColumn(c++).getString(), nullptr, false);
  r.cases = st.getColumn(c++).getInt64();
  r.ok = st.getColumn(c++).getInt64();
  r.failed = st.getColumn(c++).getInt64();
  return r;
}

}  // namespace

Status SqliteStore::check_integrity() {
  try {
    SQLite::Statement st(*db_, std::string(q::kIntegrityCheck));
    std::string problems;
    int lines = 0;
    while (st.executeStep()) {
      const std::string line = st.getColumn(0).getString();
      if (line == "ok") continue;
      if (++lines <= 3) problems += (problems.empty() ? "" : "; ") + line;
    }
    if (lines == 0) return Status::ok();
    return Status(ErrorCode::kIoError,
                  "results store " + path_ + " fails SQLite's integrity check (" + problems +
                      (lines > 3 ? "; ..." : "") +
                      "); nothing was written to it: restore it from a copy or use another --db");
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_CORRUPT || e.getErrorCode() == SQLITE_NOTADB) {
      return Status(ErrorCode::kIoError,
                    "results store " + path_ + " fails SQLite's integrity check (" + e.what() +
                        "); nothing was written to it: restore it from a copy or use another "
                        "--db");
    }
    return sqlite_error(path_, "checking its integrity", e);
  }
}

Status SqliteStore::begin_sweep(const SweepRecord& sweep,
                                const std::vector<nlohmann::json>& case_specs) {
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement st(*db_, std::string(q::kInsertSweep));
    st.bind(":id", sweep.id);
    st.bind(":now", utc_timestamp_now());
    st.bind(":host", sweep.host);
    st.bind(":host_pid", sweep.host_pid);
    st.bind(":plan", dump_json(sweep.plan));
    st.exec();
    SQLite::Statement c(*db_, std::string(q::kInsertSweepCase));
    for (size_t i = 0; i < case_specs.size(); ++i) {
      c.bind(":sweep_id", sweep.id);
      c.bind(":seq", static_cast<int64_t>(i));
      c.bind(":spec", dump_json(case_specs[i]));
      c.exec();
      c.reset();
    }
    tx.commit();
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Status(ErrorCode::kInvalidArgument,
                    "results store " + path_ + ": sweep " + sweep.id + " exists already");
    }
    return sqlite_error(path_, "storing a sweep", e);
  }
}

Status SqliteStore::finish_sweep_case(const std::string& sweep_id, int64_t seq,
                                      const std::string& status, int64_t run_id) {
  try {
    SQLite::Statement st(*db_, std::string(q::kFinishSweepCase));
    st.bind(":sweep_id", sweep_id);
    st.bind(":seq", seq);
    st.bind(":status", status);
    st.bind(":run_id", run_id);
    st.exec();
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "recording a sweep case", e);
  }
}

Status SqliteStore::set_sweep_status(const std::string& sweep_id, const std::string& status,
                                     int64_t host_pid) {
  try {
    SQLite::Statement st(*db_, std::string(q::kSetSweepStatus));
    st.bind(":id", sweep_id);
    st.bind(":status", status);
    st.bind(":host_pid", host_pid);
    st.bind(":now", utc_timestamp_now());
    st.exec();
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "setting a sweep's status", e);
  }
}

Result<SweepRecord> SqliteStore::load_sweep(const std::string& id) {
  try {
    std::string sql(q::kSelectSweeps);
    if (id == "latest") {
      sql += std::string(q::kSweepsNewestFirst) + " LIMIT 1";
    } else {
      sql += q::kWhereSweepId;
    }
    SQLite::Statement st(*db_, sql);
    if (id != "latest") st.bind(":id", id);
    if (!st.executeStep()) {
      return Status(ErrorCode::kInvalidArgument,
                    id == "latest" ? "results store " + path_ + " holds no sweep"
                                   : "results store " + path_ + " holds no sweep " + id);
    }
    return read_sweep(st);
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "reading a sweep", e);
  }
}

Result<std::vector<SweepRecord>> SqliteStore::list_sweeps(int limit) {
  try {
    std::string sql = std::string(q::kSelectSweeps) + std::string(q::kSweepsNewestFirst);
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    SQLite::Statement st(*db_, sql);
    std::vector<SweepRecord> out;
    while (st.executeStep()) out.push_back(read_sweep(st));
    return out;
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "listing sweeps", e);
  }
}

Result<std::vector<SweepCaseRow>> SqliteStore::sweep_cases(const std::string& sweep_id) {
  try {
    SQLite::Statement st(*db_, std::string(q::kSelectSweepCases));
    st.bind(":sweep_id", sweep_id);
    std::vector<SweepCaseRow> out;
    while (st.executeStep()) {
      SweepCaseRow r;
      r.seq = st.getColumn(0).getInt64();
      r.status = st.getColumn(1).getString();
      r.run_id = st.getColumn(2).getInt64();
      r.spec = nlohmann::json::parse(st.getColumn(3).getString(), nullptr, false);
      out.push_back(std::move(r));
    }
    return out;
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "reading a sweep's cases", e);
  }
}

}  // namespace sqlite
}  // namespace opscope::store

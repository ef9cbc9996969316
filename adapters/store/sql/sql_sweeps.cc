// Sweeps and their cases (schema version 4).
#include <signal.h>

#include <cerrno>

#include "adapters/store/sql/queries.h"
#include "adapters/store/sql/sql_store.h"
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

namespace sql {
namespace {

SweepRecord read_sweep(const Statement& st) {
  SweepRecord r;
  int c = 0;
  r.id = st.text(c++);
  r.created_at = st.text(c++);
  r.updated_at = st.text(c++);
  r.status = st.text(c++);
  r.host = st.text(c++);
  r.host_pid = st.int64(c++);
  r.plan = nlohmann::json::parse(st.text(c++), nullptr, false);
  r.cases = st.int64(c++);
  r.ok = st.int64(c++);
  r.failed = st.int64(c++);
  return r;
}

}  // namespace

Status SqlStore::begin_sweep(const SweepRecord& sweep,
                                const std::vector<nlohmann::json>& case_specs) {
  try {
    WriteTransaction tx(*db_);
    auto st = db_->prepare(q::kInsertSweep);
    st->bind(":id", sweep.id);
    st->bind(":now", utc_timestamp_now());
    st->bind(":host", sweep.host);
    st->bind(":host_pid", sweep.host_pid);
    st->bind(":plan", dump_json(sweep.plan));
    st->exec();
    auto c = db_->prepare(q::kInsertSweepCase);
    for (size_t i = 0; i < case_specs.size(); ++i) {
      c->bind(":sweep_id", sweep.id);
      c->bind(":seq", static_cast<int64_t>(i));
      c->bind(":spec", dump_json(case_specs[i]));
      c->exec();
      c->reset();
    }
    tx.commit();
    return Status::ok();
  } catch (const std::exception& e) {
    if (db_->is_duplicate(e)) {
      return Status(ErrorCode::kInvalidArgument,
                    where() + ": sweep " + sweep.id + " exists already");
    }
    return db_->error_status("storing a sweep", e);
  }
}

Status SqlStore::finish_sweep_case(const std::string& sweep_id, int64_t seq,
                                      const std::string& status, int64_t run_id) {
  try {
    auto st = db_->prepare(q::kFinishSweepCase);
    st->bind(":sweep_id", sweep_id);
    st->bind(":seq", seq);
    st->bind(":status", status);
    st->bind(":run_id", run_id);
    st->exec();
    return Status::ok();
  } catch (const std::exception& e) {
    return db_->error_status("recording a sweep case", e);
  }
}

Status SqlStore::set_sweep_status(const std::string& sweep_id, const std::string& status,
                                     int64_t host_pid) {
  try {
    auto st = db_->prepare(q::kSetSweepStatus);
    st->bind(":id", sweep_id);
    st->bind(":status", status);
    st->bind(":host_pid", host_pid);
    st->bind(":now", utc_timestamp_now());
    st->exec();
    return Status::ok();
  } catch (const std::exception& e) {
    return db_->error_status("setting a sweep's status", e);
  }
}

Result<SweepRecord> SqlStore::load_sweep(const std::string& id) {
  try {
    std::string sql(q::kSelectSweeps);
    if (id == "latest") {
      sql += std::string(q::sweeps_newest_first(db_->dialect())) + " LIMIT 1";
    } else {
      sql += q::kWhereSweepId;
    }
    auto st = db_->prepare(sql);
    if (id != "latest") st->bind(":id", id);
    if (!st->step()) {
      return Status(ErrorCode::kInvalidArgument,
                    id == "latest" ? where() + " holds no sweep"
                                   : where() + " holds no sweep " + id);
    }
    return read_sweep(*st);
  } catch (const std::exception& e) {
    return db_->error_status("reading a sweep", e);
  }
}

Result<std::vector<SweepRecord>> SqlStore::list_sweeps(int limit) {
  try {
    std::string sql =
        std::string(q::kSelectSweeps) + std::string(q::sweeps_newest_first(db_->dialect()));
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    auto st = db_->prepare(sql);
    std::vector<SweepRecord> out;
    while (st->step()) out.push_back(read_sweep(*st));
    return out;
  } catch (const std::exception& e) {
    return db_->error_status("listing sweeps", e);
  }
}

Result<std::vector<SweepCaseRow>> SqlStore::sweep_cases(const std::string& sweep_id) {
  try {
    auto st = db_->prepare(q::kSelectSweepCases);
    st->bind(":sweep_id", sweep_id);
    std::vector<SweepCaseRow> out;
    while (st->step()) {
      SweepCaseRow r;
      r.seq = st->int64(0);
      r.status = st->text(1);
      r.run_id = st->int64(2);
      r.spec = nlohmann::json::parse(st->text(3), nullptr, false);
      out.push_back(std::move(r));
    }
    return out;
  } catch (const std::exception& e) {
    return db_->error_status("reading a sweep's cases", e);
  }
}

}  // namespace sql
}  // namespace opscope::store

// Reading the store: run lists with filters, whole runs, selectors.
#include <algorithm>
#include <optional>
#include <set>

#include "adapters/store/selector.h"
#include "adapters/store/sql/queries.h"
#include "adapters/store/sql/run_rows.h"
#include "adapters/store/sql/sql_store.h"

namespace opscope::store::sql {
namespace {

std::string tag_fragment(size_t i) {
  std::string s(q::kWhereTagFormat);
  const std::string n = std::to_string(i);
  for (size_t pos; (pos = s.find("{0}")) != std::string::npos;) s.replace(pos, 3, n);
  return s;
}

bool looks_like_date(const std::string& s) {
  // YYYY-MM-DD, optionally followed by a time.
  if (s.size() < 10) return false;
  for (size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

Status check_filter(const std::string& where, const RunFilter& f) {
  for (const std::string* d : {&f.since, &f.until}) {
    if (!d->empty() && !looks_like_date(*d)) {
      return Status(ErrorCode::kInvalidArgument,
                    where + ": '" + *d +
                        "' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    }
  }
  if (f.limit < 0) {
    return Status(ErrorCode::kInvalidArgument, where + ": negative limit");
  }
  return Status::ok();
}

// `head` followed by one WHERE fragment per filter field given.
std::string filtered_sql(Dialect dialect, std::string_view head, const RunFilter& f) {
  std::string sql(head);
  if (!f.ids.empty()) sql += q::where_ids(dialect);
  if (!f.model.empty()) sql += q::kWhereModel;
  if (!f.device.empty()) sql += q::kWhereDevice;
  if (!f.backend.empty()) sql += q::kWhereBackend;
  if (!f.backends.empty()) sql += q::kWhereBackends;
  if (!f.status.empty()) sql += q::kWhereStatus;
  if (!f.sweep_id.empty()) sql += q::kWhereSweep;
  if (!f.variant.empty()) sql += q::kWhereVariant;
  for (size_t i = 0; i < f.tags.size(); ++i) sql += tag_fragment(i);
  if (!f.since.empty()) sql += q::kWhereSince;
  if (!f.until.empty()) sql += q::kWhereUntil;
  sql += q::kListRunsOrder;
  if (f.limit > 0) sql += q::kLimit;
  return sql;
}

void bind_filter(Dialect dialect, Statement& st, const RunFilter& f) {
  if (!f.ids.empty()) st.bind(":ids", q::ids_parameter(dialect, f.ids));
  if (!f.model.empty()) st.bind(":model", text_in(f.model));
  if (!f.device.empty()) st.bind(":device", text_in(f.device));
  if (!f.backend.empty()) st.bind(":backend", text_in(f.backend));
  if (!f.backends.empty()) st.bind(":backends", text_in(f.backends));
  if (!f.status.empty()) st.bind(":status", text_in(f.status));
  if (!f.sweep_id.empty()) st.bind(":sweep_id", text_in(f.sweep_id));
  if (!f.variant.empty()) st.bind(":variant", text_in(f.variant));
  for (size_t i = 0; i < f.tags.size(); ++i) {
    st.bind(":tag_key_" + std::to_string(i), text_in(f.tags[i].first));
    st.bind(":tag_value_" + std::to_string(i), text_in(f.tags[i].second));
  }
  if (!f.since.empty()) st.bind(":since", f.since);
  if (!f.until.empty()) st.bind(":until", f.until);
  if (f.limit > 0) st.bind(":limit", f.limit);
}

Tags tags_of(Connection& db, int64_t run_id) {
  auto st = db.prepare(q::kTagsOfRun);
  st->bind(":run_id", run_id);
  Tags tags;
  while (st->step()) tags[text_of(*st, 0)] = text_of(*st, 1);
  return tags;
}

}  // namespace

Result<std::vector<RunRow>> SqlStore::list_runs(const RunFilter& filter) {
  OPSCOPE_RETURN_IF_ERROR(check_filter(where(), filter));
  try {
    const Dialect dialect = db_->dialect();
    auto st = db_->prepare(filtered_sql(dialect, q::kListRunsSelect, filter));
    bind_filter(dialect, *st, filter);
    std::vector<RunRow> rows;
    while (st->step()) {
      RunRow r;
      int c = 0;
      r.id = st->int64(c++);
      r.created_at = text_of(*st, c++);
      r.model = text_of(*st, c++);
      r.model_path = text_of(*st, c++);
      r.precision = text_of(*st, c++);
      r.variant = text_of(*st, c++);
      r.device = text_of(*st, c++);
      r.backends = text_of(*st, c++);
      r.status = text_of(*st, c++);
      r.sweep_id = text_of(*st, c++);
      r.threads = static_cast<int>(st->int64(c++));
      r.median_ms = st->real(c++);
      r.p90_ms = st->real(c++);
      r.peak_rss_bytes = st->int64(c++);
      rows.push_back(std::move(r));
    }
    for (RunRow& r : rows) r.tags = tags_of(*db_, r.id);
    return rows;
  } catch (const std::exception& e) {
    return db_->error_status("listing runs", e);
  }
}

Result<StoredRun> SqlStore::load_run(int64_t id, LoadParts parts) {
  try {
    auto st = db_->prepare(q::kLoadRun);
    st->bind(":id", id);
    if (!st->step()) {
      return Status(ErrorCode::kInvalidArgument, where() + ": no run with id " + std::to_string(id));
    }
    StoredRun run;
    run.id = st->int64(0);
    run.created_at = text_of(*st, 1);
    run.sweep_id = text_of(*st, 2);
    run.variant = text_of(*st, 3);
    run.uid = text_of(*st, 5);
    const int64_t stored_parts = st->int64(6);
    std::string why;
    std::optional<ResultDocument> doc;
    run.document = nlohmann::json::parse(escape_invalid_utf8_in_json_text(st->text(4)), nullptr,
                                         /*allow_exceptions=*/false);
    if (run.document.is_discarded()) {
      why = "not valid JSON";
    } else {
      restore_run_rows(*db_, id, stored_parts, parts, run.document);
      doc = parse_result_document(run.document, &why);
    }
    if (!doc) {
      return Status(ErrorCode::kIoError, where() + ": run " + std::to_string(id) +
                                             " has an unreadable result document: " + why);
    }
    run.doc = std::move(*doc);
    run.tags = tags_of(*db_, id);
    return run;
  } catch (const std::exception& e) {
    return db_->error_status("loading run " + std::to_string(id), e);
  }
}

Result<std::vector<int64_t>> SqlStore::select(std::string_view selector) {
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<SelectorTerm> terms, parse_selector(selector));
  try {
    const Dialect dialect = db_->dialect();
    std::set<int64_t> result;
    bool first = true;
    for (SelectorTerm& t : terms) {
      if (t.latest_run) t.filter.limit = 1;
      if (t.latest_sweep) {
        auto st = db_->prepare(q::kLatestSweepId);
        if (!st->step()) return std::vector<int64_t>{};
        t.filter.sweep_id = text_of(*st, 0);
      }
      auto st = db_->prepare(filtered_sql(dialect, q::kRunIdsSelect, t.filter));
      bind_filter(dialect, *st, t.filter);
      std::set<int64_t> ids;
      while (st->step()) ids.insert(st->int64(0));
      if (first) {
        result = std::move(ids);
        first = false;
      } else {
        std::set<int64_t> both;
        std::set_intersection(result.begin(), result.end(), ids.begin(), ids.end(),
                              std::inserter(both, both.begin()));
        result = std::move(both);
      }
    }
    return std::vector<int64_t>(result.begin(), result.end());
  } catch (const std::exception& e) {
    return db_->error_status("resolving selector '" + std::string(selector) + "'", e);
  }
}

}  // namespace opscope::store::sql

#include "dashboard/loader/store_worker.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "dashboard/data/analysis.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Keeps the Trends view's load bounded: the newest runs of a configuration.
constexpr size_t kMaxTrendRuns = 300;

// The quant-diff of the selected pair: one recorded with exactly these two
// runs, else the newest one of the same two model files (a sweep's float and
// int8 runs of the pair quant-diff measured). Its errors are properties of
// the files, not of one timing run.
const store::QuantDiff* pick_quant_diff(const std::vector<store::QuantDiff>& by_run,
                                        const std::vector<store::QuantDiff>& by_models,
                                        int64_t a, int64_t b) {
  for (const store::QuantDiff& q : by_run) {  // newest first
    if ((q.float_run_id == a && q.int8_run_id == b) ||
        (q.float_run_id == b && q.int8_run_id == a)) {
      return &q;
    }
  }
  return by_models.empty() ? nullptr : &by_models.front();
}

// Joins a stored `opscope quant-diff`'s per-op error to the diff rows by
// source index (the float node's index, which the int8 twin keeps), in
// either order of selection. A failed lookup leaves the times alone: the
// error columns are an addition, not a reason to show nothing.
void attach_quant_diff(store::Store& store, OperatorsData& data) {
  const int64_t a = data.runs[0].id, b = data.runs[1].id;
  auto by_run = store.find_quant_diffs(a);
  if (!by_run.is_ok()) return;
  std::vector<store::QuantDiff> by_models;
  const std::string path_a = data.runs[0].doc.model.path, path_b = data.runs[1].doc.model.path;
  for (const auto& [f, i] : {std::pair{path_a, path_b}, std::pair{path_b, path_a}}) {
    auto found = store.find_quant_diffs_of_models(f, i);
    if (found.is_ok() && !found->empty()) {
      by_models = std::move(found).value();
      break;
    }
  }
  const store::QuantDiff* q = pick_quant_diff(*by_run, by_models, a, b);
  if (q == nullptr) return;
  std::map<int64_t, QuantOpError> by_source;
  for (const store::QuantDiffOp& op : q->ops) {
    by_source[op.source_index] = {op.snr_db, op.cosine, op.rmse_over_scale, op.max_abs_error};
  }
  for (OpDiffRow& row : data.diff) {
    auto it = by_source.find(row.diff.source_index);
    if (it != by_source.end() && row.diff.source_index >= 0) row.quant = it->second;
  }
  data.has_quant_diff = true;
  data.quant_output_snr_db = q->output_snr_db;
  data.quant_task_metric = q->task_metric;
  data.quant_task_metric_value = q->task_metric_value;
}

}  // namespace

StoreWorker::StoreWorker() = default;
StoreWorker::~StoreWorker() = default;

void StoreWorker::open(const QString& path, quint64 gen) {
  m_store.reset();
  m_path.clear();
  // A PostgreSQL URL is opened read-only: the dashboard never creates or
  // migrates a team's schema.
  const std::string name = path.toStdString();
  auto store = store::open_store(name, /*read_only=*/store::is_postgres_url(name));
  if (!store.is_ok()) {
    emit failed(qs(store.status().message()), static_cast<int>(RequestKind::kOpen), gen);
    return;
  }
  m_store = std::move(store).value();
  m_path = path;
  emit opened(path, gen);
}

void StoreWorker::close() { m_store.reset(); }

void StoreWorker::checkNewest() {
  if (!m_store) return;
  store::RunFilter newest;
  newest.limit = 1;
  auto rows = m_store->list_runs(newest);
  if (!rows.is_ok()) return;
  emit newestRun(rows->empty() ? 0 : rows->front().id, m_path);
}

void StoreWorker::loadRuns(quint64 gen) {
  if (!m_store) return;  // the open failed; its message is already shown
  auto runs = m_store->list_runs(store::RunFilter{});
  if (!runs.is_ok()) {
    emit failed(qs(runs.status().message()), static_cast<int>(RequestKind::kRuns), gen);
    return;
  }
  emit runsAvailable(std::move(runs).value(), gen);
}

bool StoreWorker::loadAll(const QList<qint64>& ids, RequestKind kind, quint64 gen,
                          std::vector<store::StoredRun>& out, store::LoadParts parts) {
  if (!m_store) return false;
  for (qint64 id : ids) {
    auto run = m_store->load_run(id, parts);
    if (!run.is_ok()) {
      emit failed(qs(run.status().message()), static_cast<int>(kind), gen);
      return false;
    }
    out.push_back(std::move(run).value());
  }
  return true;
}

void StoreWorker::loadOperators(const QList<qint64>& ids, quint64 gen) {
  std::vector<store::StoredRun> runs;
  if (!loadAll(ids, RequestKind::kOperators, gen, runs)) return;
  OperatorsData data = build_operators(std::move(runs));
  if (data.runs.size() == 2 && data.message.empty()) attach_quant_diff(*m_store, data);
  emit operatorsAvailable(data, gen);
}

void StoreWorker::loadCompare(const QList<qint64>& ids, quint64 gen) {
  std::vector<store::StoredRun> runs;
  if (!loadAll(ids, RequestKind::kCompare, gen, runs)) return;
  emit compareAvailable(build_compare(runs), gen);
}

void StoreWorker::loadTrend(const TrendQuery& query, quint64 gen) {
  if (!m_store) return;
  store::RunFilter filter;  // narrow by the indexed fields, the rest below
  filter.model = query.model;
  filter.backends = query.backends;
  filter.device = query.device;
  auto rows = m_store->list_runs(filter);
  if (!rows.is_ok()) {
    emit failed(qs(rows.status().message()), static_cast<int>(RequestKind::kTrend), gen);
    return;
  }
  QList<qint64> ids;  // oldest first
  for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
    if (matches(query, *it)) ids.push_back(it->id);
  }
  size_t dropped = 0;
  if (static_cast<size_t>(ids.size()) > kMaxTrendRuns) {
    dropped = ids.size() - kMaxTrendRuns;
    ids.erase(ids.begin(), ids.begin() + static_cast<qsizetype>(dropped));
  }
  // A trend reads latency only: the runs without their op rows.
  std::vector<store::StoredRun> runs;
  if (!loadAll(ids, RequestKind::kTrend, gen, runs, store::LoadParts::kWithoutOps)) return;
  TrendData data = build_trend(query, runs);
  data.dropped_runs = dropped;
  emit trendAvailable(data, gen);
}

}  // namespace opscope::dashboard

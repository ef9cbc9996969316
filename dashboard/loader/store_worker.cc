#include "dashboard/loader/store_worker.h"

#include <algorithm>
#include <map>

#include "dashboard/data/analysis.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Keeps the Trends view's load bounded: the newest runs of a configuration.
constexpr size_t kMaxTrendRuns = 300;

// Where a stored `opscope quant-diff` measured this pair (its float run and
// its int8 run, in either order of selection), its per-op error joins the
// diff rows by source index (the float node's index, which the int8 twin
// keeps). The newest such quant-diff wins. A failed lookup leaves the times
// alone: the error columns are an addition, not a reason to show nothing.
void attach_quant_diff(store::Store& store, OperatorsData& data) {
  const int64_t a = data.runs[0].id, b = data.runs[1].id;
  auto diffs = store.find_quant_diffs(a);
  if (!diffs.is_ok()) return;
  for (const store::QuantDiff& q : *diffs) {  // newest first
    const bool pair = (q.float_run_id == a && q.int8_run_id == b) ||
                      (q.float_run_id == b && q.int8_run_id == a);
    if (!pair) continue;
    std::map<int64_t, QuantOpError> by_source;
    for (const store::QuantDiffOp& op : q.ops) {
      by_source[op.source_index] = {op.snr_db, op.cosine, op.rmse_over_scale, op.max_abs_error};
    }
    for (OpDiffRow& row : data.diff) {
      auto it = by_source.find(row.diff.source_index);
      if (it != by_source.end() && row.diff.source_index >= 0) row.quant = it->second;
    }
    data.has_quant_diff = true;
    data.quant_output_snr_db = q.output_snr_db;
    data.quant_task_metric = q.task_metric;
    data.quant_task_metric_value = q.task_metric_value;
    return;
  }
}

}  // namespace

StoreWorker::StoreWorker() = default;
StoreWorker::~StoreWorker() = default;

void StoreWorker::open(const QString& path, quint64 gen) {
  m_store.reset();
  m_path.clear();
  auto store = store::open_sqlite_store(path.toStdString());
  if (!store.is_ok()) {
    emit failed(qs(store.status().message()), static_cast<int>(RequestKind::kOpen), gen);
    return;
  }
  m_store = std::move(store).value();
  m_path = path;
  emit opened(path, gen);
}

void StoreWorker::close() { m_store.reset(); }

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
                          std::vector<store::StoredRun>& out) {
  if (!m_store) return false;
  for (qint64 id : ids) {
    auto run = m_store->load_run(id);
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
  std::vector<store::StoredRun> runs;
  if (!loadAll(ids, RequestKind::kTrend, gen, runs)) return;
  TrendData data = build_trend(query, runs);
  data.dropped_runs = dropped;
  emit trendAvailable(data, gen);
}

}  // namespace opscope::dashboard

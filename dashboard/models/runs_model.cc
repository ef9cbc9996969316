#include "dashboard/models/runs_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include "dashboard/models/roles.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString date_text(const std::string& iso) {
  const QDateTime t = QDateTime::fromString(qs(iso), Qt::ISODate);
  return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : qs(iso);
}

}  // namespace

QString tags_text(const store::Tags& tags) {
  QStringList parts;
  for (const auto& [k, v] : tags) parts << qs(k) + QLatin1Char('=') + qs(v);
  return parts.join(QLatin1Char(' '));
}

void RunsModel::setRuns(const RunList& runs) {
  const size_t old_n = m_runs.size();
  bool prefix_added = !m_runs.empty() && runs.size() > old_n;
  for (size_t i = 0; prefix_added && i < old_n; ++i) {
    prefix_added = runs[runs.size() - old_n + i].id == m_runs[i].id;
  }
  if (prefix_added) {
    const int added = static_cast<int>(runs.size() - old_n);
    beginInsertRows({}, 0, added - 1);
    m_runs.insert(m_runs.begin(), runs.begin(), runs.begin() + added);
    endInsertRows();
    return;
  }
  if (runs.size() == old_n) {  // nothing new: keep everything as it is
    bool same = true;
    for (size_t i = 0; same && i < old_n; ++i) same = runs[i].id == m_runs[i].id;
    if (same) return;
  }
  beginResetModel();
  m_runs = runs;
  endResetModel();
}

int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const store::RunRow& r = m_runs[static_cast<size_t>(index.row())];
  const bool failed = r.status != "ok";
  if (role == kRunIdRole) return QVariant::fromValue<qint64>(r.id);
  if (role == Qt::ForegroundRole) return failed ? QBrush(QColor(0xb0, 0x20, 0x20)) : QVariant();
  if (role == Qt::TextAlignmentRole) {
    switch (index.column()) {
      case kId: case kThreads: case kMedian: case kP90: case kPeakMemory:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && index.column() == kModel) return qs(r.model_path);
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  const bool sort = role == kSortRole;
  switch (index.column()) {
    case kId: return QVariant::fromValue<qint64>(r.id);
    case kModel: return qs(r.model);
    case kVariant: return qs(r.variant);
    case kPrecision: return qs(r.precision);
    case kDevice: return qs(r.device);
    case kBackends: return qs(r.backends);
    case kThreads: return r.threads;
    case kTags: return tags_text(r.tags);
    case kDate: return sort ? QVariant(qs(r.created_at)) : QVariant(date_text(r.created_at));
    case kMedian:
      if (sort) return failed ? -1.0 : r.median_ms;
      return failed ? QString() : QString::number(r.median_ms, 'f', 3);
    case kP90:
      if (sort) return failed ? -1.0 : r.p90_ms;
      return failed ? QString() : QString::number(r.p90_ms, 'f', 3);
    case kPeakMemory:
      if (sort) return QVariant::fromValue<qint64>(r.peak_rss_bytes);
      return r.peak_rss_bytes > 0 ? QString::number(r.peak_rss_bytes / 1048576.0, 'f', 1)
                                  : QString();
    case kStatus: return qs(r.status);
    default: return {};
  }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const kNames[kColumnCount] = {
      "Id", "Model", "Variant", "Precision", "Device", "Backends", "Threads", "Tags",
      "Date", "Median ms", "P90 ms", "Peak MiB", "Status"};
  return section >= 0 && section < kColumnCount ? QString::fromLatin1(kNames[section])
                                                : QVariant();
}

RunsFilterModel::RunsFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(kSortRole);
  setDynamicSortFilter(true);
}

void RunsFilterModel::setText(const QString& text) {
  m_text = text.trimmed();
  invalidateFilter();
}

void RunsFilterModel::setOnlyOk(bool only_ok) {
  m_onlyOk = only_ok;
  invalidateFilter();
}

bool RunsFilterModel::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  const QAbstractItemModel* m = sourceModel();
  auto text = [&](int column) {
    return m->index(source_row, column, source_parent).data().toString();
  };
  if (m_onlyOk && text(RunsModel::kStatus) != QLatin1String("ok")) return false;
  if (m_text.isEmpty()) return true;
  // Every word must appear in one of the descriptive columns.
  const QString haystack = QStringList{text(RunsModel::kId), text(RunsModel::kModel),
                                       text(RunsModel::kVariant), text(RunsModel::kPrecision),
                                       text(RunsModel::kDevice), text(RunsModel::kBackends),
                                       text(RunsModel::kTags), text(RunsModel::kStatus)}
                               .join(QLatin1Char(' '));
  for (const QString& word : m_text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    if (!haystack.contains(word, Qt::CaseInsensitive)) return false;
  }
  return true;
}

}  // namespace opscope::dashboard

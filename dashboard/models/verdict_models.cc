#include "dashboard/models/verdict_models.h"

#include <QBrush>

#include "dashboard/models/roles.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QString median_text(const harness::CaseSide& s) {
  if (s.samples_ms.empty()) return QStringLiteral("failed");
  return QStringLiteral("%1 [%2, %3]")
      .arg(s.median_ms, 0, 'f', 3)
      .arg(s.median_ci.lo, 0, 'f', 3)
      .arg(s.median_ci.hi, 0, 'f', 3);
}

QVariant verdict_brush(harness::Verdict v) {
  QColor c = verdict_color(v);
  c.setAlpha(90);
  return QVariant::fromValue(QBrush(c));
}

QVariant headers(const char* const* names, int count, int section, Qt::Orientation o, int role) {
  if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= count) return {};
  return QString::fromUtf8(names[section]);
}

}  // namespace

QColor verdict_color(harness::Verdict v) {
  switch (v) {
    case harness::Verdict::kPass: return QColor(0x2e, 0x9e, 0x4f);
    case harness::Verdict::kPassWithWarning: return QColor(0xe0, 0xa8, 0x00);
    case harness::Verdict::kFail: return QColor(0xd0, 0x30, 0x30);
    case harness::Verdict::kUndecided: return QColor(0x80, 0x80, 0x80);
  }
  return Qt::gray;
}

// ---- CompareModel -----------------------------------------------------------

void CompareModel::setCases(const std::vector<CompareCase>& cases) {
  beginResetModel();
  m_cases = cases;
  endResetModel();
}

int CompareModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_cases.size());
}

int CompareModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant CompareModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const CompareCase& k = m_cases[static_cast<size_t>(index.row())];
  const harness::CaseComparison& c = k.comparison;
  const int col = index.column();
  if (role == Qt::BackgroundRole) return col == kVerdict ? verdict_brush(k.verdict.verdict) : QVariant();
  if (role == Qt::ToolTipRole && col == kReason) return qs(k.verdict.reason);
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  const bool sort = role == kSortRole;
  switch (col) {
    case kBaseline: return qs(c.base.key.label());
    case kCandidate: return qs(c.cand.key.label());
    case kBaseMedian: return sort ? QVariant(c.base.median_ms) : QVariant(median_text(c.base));
    case kCandMedian: return sort ? QVariant(c.cand.median_ms) : QVariant(median_text(c.cand));
    case kRatio:
      if (!c.comparable) return sort ? QVariant(0.0) : QVariant(QString());
      if (sort) return c.ratio;
      return QStringLiteral("%1 [%2, %3]")
          .arg(c.ratio, 0, 'f', 3)
          .arg(c.ratio_ci.lo, 0, 'f', 3)
          .arg(c.ratio_ci.hi, 0, 'f', 3);
    case kDeltaMs:
      if (!c.comparable) return sort ? QVariant(0.0) : QVariant(QString());
      return sort ? QVariant(c.delta_ms) : QVariant(QString::number(c.delta_ms, 'f', 3));
    case kPValue:
      if (!c.comparable) return sort ? QVariant(1.0) : QVariant(QString());
      return sort ? QVariant(c.p_value)
                  : QVariant(QString::number(c.p_value, 'g', 3));
    case kVerdict: return qs(harness::to_string(k.verdict.verdict));
    case kReason: return qs(k.verdict.reason);
    default: return {};
  }
}

QVariant CompareModel::headerData(int section, Qt::Orientation orientation, int role) const {
  static const char* const kNames[kColumnCount] = {
      "Baseline", "Candidate", "Base median ms [95% CI]", "Cand median ms [95% CI]",
      "Ratio [95% CI]", "Δ ms", "p (run-level)", "Verdict", "Reason"};
  return headers(kNames, kColumnCount, section, orientation, role);
}

// ---- TrendModel ---------------------------------------------------------------

void TrendModel::setPoints(const std::vector<TrendPoint>& points) {
  beginResetModel();
  m_points = points;
  endResetModel();
}

int TrendModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_points.size());
}

int TrendModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant TrendModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const TrendPoint& p = m_points[static_cast<size_t>(index.row())];
  const int col = index.column();
  if (role == Qt::BackgroundRole) return col == kVerdict ? verdict_brush(p.verdict) : QVariant();
  if (role == Qt::ToolTipRole && col == kReason) return qs(p.reason);
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  const bool sort = role == kSortRole;
  switch (col) {
    case kPoint: return qs(p.label);
    case kRuns: {
      if (sort) return static_cast<int>(p.run_ids.size());
      QStringList ids;
      for (int64_t id : p.run_ids) ids << QString::number(id);
      return ids.join(QLatin1Char(','));
    }
    case kMedian:
      if (!p.ok) return sort ? QVariant(-1.0) : QVariant(QStringLiteral("failed"));
      return sort ? QVariant(p.median_ms) : QVariant(QString::number(p.median_ms, 'f', 3));
    case kCi:
      if (!p.ok) return sort ? QVariant(-1.0) : QVariant(QString());
      return sort ? QVariant(p.median_ci.lo)
                  : QVariant(QStringLiteral("[%1, %2]")
                                 .arg(p.median_ci.lo, 0, 'f', 3)
                                 .arg(p.median_ci.hi, 0, 'f', 3));
    case kVerdict: return qs(harness::to_string(p.verdict));
    case kReason: return qs(p.reason);
    default: return {};
  }
}

QVariant TrendModel::headerData(int section, Qt::Orientation orientation, int role) const {
  static const char* const kNames[kColumnCount] = {"Point", "Runs", "Median ms", "95% CI",
                                                   "Verdict (vs previous)", "Reason"};
  return headers(kNames, kColumnCount, section, orientation, role);
}

}  // namespace opscope::dashboard

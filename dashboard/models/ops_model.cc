#include "dashboard/models/ops_model.h"

#include <QBrush>
#include <QLocale>

#include "dashboard/models/backend_colors.h"
#include "dashboard/models/roles.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QVariant right_aligned() { return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter); }

QVariant number(double v, int decimals, bool sort) {
  return sort ? QVariant(v) : QVariant(QString::number(v, 'f', decimals));
}

QVariant integer(int64_t v, bool sort) {
  return sort ? QVariant::fromValue<qint64>(v) : QVariant(QLocale::c().toString(qlonglong(v)));
}

QVariant tint(const std::string& backend) {
  return backend.empty() ? QVariant() : QVariant::fromValue(QBrush(backend_tint(qs(backend))));
}

}  // namespace

// ---- OpsModel ---------------------------------------------------------------

void OpsModel::setOps(const std::vector<OpStats>& ops) {
  beginResetModel();
  m_ops = ops;
  endResetModel();
}

int OpsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_ops.size());
}

int OpsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant OpsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const OpStats& op = m_ops[static_cast<size_t>(index.row())];
  const int c = index.column();
  if (role == Qt::BackgroundRole) return c == kBackend ? tint(op.backend) : QVariant();
  if (role == Qt::TextAlignmentRole) {
    return c >= kMedianUs || c == kIndex || c == kSource ? right_aligned() : QVariant();
  }
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  const bool sort = role == kSortRole;
  switch (c) {
    case kIndex: return op.index;
    case kSource: return op.source_index;
    case kName: return qs(op.name);
    case kType: return qs(op.type);
    case kBackend: return qs(op.backend);
    case kMedianUs: return number(op.median_us, 1, sort);
    case kMeanUs: return number(op.mean_us, 1, sort);
    case kPct: return number(op.pct, 2, sort);
    case kCdfPct: return number(op.cdf_pct, 1, sort);
    case kLiveBytes: return integer(op.live_bytes, sort);
    case kWeightsBytes: return integer(op.weights_bytes, sort);
    case kMacs: return integer(op.macs, sort);
    default: return {};
  }
}

QVariant OpsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const kNames[kColumnCount] = {
      "#", "Source", "Name", "Type", "Backend", "Median µs", "Mean µs", "%", "Cum %",
      "Live bytes", "Weights bytes", "MACs"};
  return section >= 0 && section < kColumnCount ? QString::fromUtf8(kNames[section]) : QVariant();
}

// ---- OpDiffModel --------------------------------------------------------------

void OpDiffModel::setRows(const std::vector<OpDiffRow>& rows, bool quant) {
  beginResetModel();
  m_rows = rows;
  m_quant = quant;
  endResetModel();
}

int OpDiffModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int OpDiffModel::columnCount(const QModelIndex& parent) const {
  if (parent.isValid()) return 0;
  return m_quant ? kColumnCountWithQuant : kSnrDb;
}

QVariant OpDiffModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const OpDiffRow& row = m_rows[static_cast<size_t>(index.row())];
  const harness::OpDiff& d = row.diff;
  const int c = index.column();
  if (role == Qt::BackgroundRole) {
    if (c == kBaseBackend) return tint(d.base_backend);
    if (c == kCandBackend) return tint(d.cand_backend);
    return {};
  }
  if (role == Qt::TextAlignmentRole) return c >= kBaseUs || c == kSource ? right_aligned() : QVariant();
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  const bool sort = role == kSortRole;
  const bool both = d.in_base && d.in_cand;
  switch (c) {
    case kSource: return d.source_index;
    case kName: return qs(d.name);
    case kBaseType: return qs(d.base_type);
    case kCandType: return qs(d.cand_type);
    case kBaseBackend: return qs(d.base_backend);
    case kCandBackend: return qs(d.cand_backend);
    case kBaseUs: return d.in_base ? number(d.base_us, 1, sort) : QVariant(sort ? QVariant(-1.0) : QString());
    case kCandUs: return d.in_cand ? number(d.cand_us, 1, sort) : QVariant(sort ? QVariant(-1.0) : QString());
    case kDeltaUs: return number(d.delta_us(), 1, sort);
    case kRatio:
      if (!both || d.base_us <= 0) return sort ? QVariant(-1.0) : QVariant(QString());
      return number(d.cand_us / d.base_us, 2, sort);
    default: break;
  }
  if (!row.quant) return sort ? QVariant(-1e300) : QVariant(QString());
  const QuantOpError& q = *row.quant;
  switch (c) {
    case kSnrDb: return number(q.snr_db, 1, sort);
    case kCosine: return number(q.cosine, 4, sort);
    case kRmseOverScale: return number(q.rmse_over_scale, 2, sort);
    case kMaxAbsError: return number(q.max_abs_error, 4, sort);
    default: return {};
  }
}

QVariant OpDiffModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const kNames[kColumnCountWithQuant] = {
      "Source", "Name", "Base type", "Cand type", "Base backend", "Cand backend",
      "Base µs", "Cand µs", "Δ µs", "Ratio", "SNR dB", "Cosine", "RMSE/scale", "Max |err|"};
  return section >= 0 && section < columnCount() ? QString::fromUtf8(kNames[section]) : QVariant();
}

}  // namespace opscope::dashboard

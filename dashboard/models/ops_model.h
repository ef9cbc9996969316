// The Operators view's tables: one run's ops (OpsModel) and two runs' per-op
// diff matched by source index (OpDiffModel). Backend cells carry the
// backend's colour; kSortRole gives raw numbers.
#pragma once

#include <QAbstractTableModel>

#include "dashboard/data/dashboard_data.h"

namespace opscope::dashboard {

class OpsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kIndex, kSource, kName, kType, kBackend, kMedianUs, kMeanUs, kPct, kCdfPct,
    kLiveBytes, kWeightsBytes, kMacs, kColumnCount
  };
  using QAbstractTableModel::QAbstractTableModel;

  void setOps(const std::vector<OpStats>& ops);
  void clear() { setOps({}); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  std::vector<OpStats> m_ops;
};

class OpDiffModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kSource, kName, kBaseType, kCandType, kBaseBackend, kCandBackend, kBaseUs, kCandUs,
    kDeltaUs, kRatio,
    // Present only when a quant-diff exists for the pair:
    kSnrDb, kCosine, kRmseOverScale, kMaxAbsError, kColumnCountWithQuant
  };
  using QAbstractTableModel::QAbstractTableModel;

  // `quant`: show the quant-diff columns (rows without an entry show blanks).
  void setRows(const std::vector<OpDiffRow>& rows, bool quant);
  void clear() { setRows({}, false); }
  bool hasQuantColumns() const { return m_quant; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  std::vector<OpDiffRow> m_rows;
  bool m_quant = false;
};

}  // namespace opscope::dashboard

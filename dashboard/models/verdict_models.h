// Tables of gate verdicts: the Compare view's cases (CompareModel) and the
// Trends view's points (TrendModel). The verdict cell carries its colour.
#pragma once

#include <QAbstractTableModel>
#include <QColor>

#include "dashboard/data/dashboard_data.h"

namespace opscope::dashboard {

QColor verdict_color(harness::Verdict v);

class CompareModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kBaseline, kCandidate, kBaseMedian, kCandMedian, kRatio, kDeltaMs, kPValue, kVerdict,
    kReason, kColumnCount
  };
  using QAbstractTableModel::QAbstractTableModel;

  void setCases(const std::vector<CompareCase>& cases);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  std::vector<CompareCase> m_cases;
};

class TrendModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kPoint, kRuns, kMedian, kCi, kVerdict, kReason, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setPoints(const std::vector<TrendPoint>& points);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  std::vector<TrendPoint> m_points;
};

}  // namespace opscope::dashboard

// The Runs view's table: one row per stored run, newest first, and the proxy
// that filters it by text and status and sorts it by raw values.
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include "dashboard/data/dashboard_data.h"

namespace opscope::dashboard {

class RunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kId, kModel, kVariant, kPrecision, kDevice, kBackends, kThreads, kTags, kDate,
    kMedian, kP90, kPeakMemory, kStatus, kColumnCount
  };
  using QAbstractTableModel::QAbstractTableModel;

  // Replaces the rows. When the new list is the old one with newer runs in
  // front (the watcher saw runs arrive), only those rows are inserted, so
  // views keep their selection and scroll position.
  void setRuns(const RunList& runs);
  const RunList& runs() const { return m_runs; }
  const store::RunRow& runAt(int row) const { return m_runs.at(static_cast<size_t>(row)); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  RunList m_runs;
};

// Text filter over the descriptive columns (model, variant, device,
// backends, tags, status, id), optionally only successful runs; sorts by
// kSortRole.
class RunsFilterModel : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit RunsFilterModel(QObject* parent = nullptr);
  void setText(const QString& text);
  void setOnlyOk(bool only_ok);

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QString m_text;
  bool m_onlyOk = false;
};

// "branch=main commit=abc123"
QString tags_text(const store::Tags& tags);

}  // namespace opscope::dashboard

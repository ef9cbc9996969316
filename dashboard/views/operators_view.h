// The Operators view: one run's per-op table (sortable; %, cumulative %,
// backend placement by colour) with its time by op type and backend as
// stacked bars; or, for two runs, their per-op diff matched by source index
// (a float run and its int8 twin line up row by row) with each run's time
// by op type, and the quant-diff error columns where one was stored. Above
// them: the run's device, its state around the case, and its device
// warnings (docs/result-document.md "warnings") in a highlighted box.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QWidget>

#include "dashboard/data/dashboard_data.h"
#include "dashboard/models/ops_model.h"
#include "dashboard/widgets/panels.h"

namespace opscope::dashboard {

class OperatorsView : public QWidget {
  Q_OBJECT
 public:
  explicit OperatorsView(QWidget* parent = nullptr);

  void setData(const OperatorsData& data);
  void clear(const QString& message);

  QString title() const { return m_title->text(); }
  // The shown run's device and its state around the case ("" for none, or
  // for a diff); the device warnings of the shown runs, one per line (""
  // when there are none: the box is hidden).
  QString details() const { return m_details->text(); }
  QString warnings() const { return m_warnings->text(); }
  bool warningsShown() const { return !m_warnings->isHidden(); }
  ChartPanel* chartPanel() const { return m_chart; }
  TablePanel* opsTable() const { return m_opsTable; }
  TablePanel* diffTable() const { return m_diffTable; }
  OpsModel* opsModel() const { return m_opsModel; }
  OpDiffModel* diffModel() const { return m_diffModel; }
  bool showingDiff() const { return m_tables->currentWidget() == m_diffTable; }

 signals:
  // After setData has filled the tables and the chart.
  void dataShown();

 private:
  void showRun(const store::StoredRun& run);
  void showDiff(const OperatorsData& data);
  void setWarnings(const QStringList& lines);

  QLabel* m_title;
  QLabel* m_details;
  QLabel* m_warnings;
  QLineEdit* m_filter;
  ChartPanel* m_chart;
  QStackedWidget* m_tables;
  TablePanel* m_opsTable;
  TablePanel* m_diffTable;
  OpsModel* m_opsModel;
  OpDiffModel* m_diffModel;
  QSortFilterProxyModel* m_opsProxy;
  QSortFilterProxyModel* m_diffProxy;
};

// "run 3: selfie_segmentation [int8] xnnpack,cpu t1"
QString run_label(const store::StoredRun& run);

}  // namespace opscope::dashboard

// The Runs view: every stored run in a sortable, filterable table. The runs
// selected here (in the order they were selected; the first is the
// baseline) drive the Compare and Operators views.
#pragma once

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QList>
#include <QWidget>

#include "dashboard/data/dashboard_data.h"
#include "dashboard/models/runs_model.h"
#include "dashboard/widgets/panels.h"

namespace opscope::dashboard {

class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);

  void setRuns(const RunList& runs);
  // A line above the table: why it is empty, or an error.
  void setMessage(const QString& text);
  QString message() const { return m_message->text(); }

  RunsModel* model() const { return m_model; }
  RunsFilterModel* proxy() const { return m_proxy; }
  TablePanel* table() const { return m_table; }
  void setFilterText(const QString& text) { m_filter->setText(text); }

  // Selects these runs (in this order), as a user would.
  void selectIds(const QList<qint64>& ids);
  QList<qint64> selectedIds() const { return m_selected; }

 signals:
  void selectionChanged(const QList<qint64>& ids);
  // After setRuns has filled the table.
  void runsShown(int rows);

 private:
  void onSelectionChanged();
  void updateCount();

  RunsModel* m_model;
  RunsFilterModel* m_proxy;
  QLineEdit* m_filter;
  QCheckBox* m_onlyOk;
  QLabel* m_count;
  QLabel* m_message;
  TablePanel* m_table;
  QList<qint64> m_selected;  // selection order
};

}  // namespace opscope::dashboard

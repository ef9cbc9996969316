// The two building blocks of every view: a chart with an Export menu (PNG,
// SVG) and a table with an Export CSV button. Neither holds data logic: the
// views fill the chart and set the table's model.
#pragma once

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>
#include <QWidget>

namespace opscope::dashboard {

class ChartPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ChartPanel(const QString& title, QWidget* parent = nullptr);

  QChart* chart() const { return m_chart; }
  QChartView* chartView() const { return m_view; }
  // Removes every series and axis, ready to be filled again.
  void clearChart();
  // Shows `text` instead of the chart (no data, a failed run).
  void showMessage(const QString& text);
  void showChart();
  bool isShowingChart() const { return m_stack->currentWidget() == m_view; }

  bool savePng(const QString& path, QString* error);
  bool saveSvg(const QString& path, QString* error);

 private:
  void exportAs(const QString& suffix);

  QString m_title;
  QChart* m_chart;  // owned by m_view
  QChartView* m_view;
  QLabel* m_message;
  QStackedWidget* m_stack;
};

class TablePanel : public QWidget {
  Q_OBJECT
 public:
  explicit TablePanel(const QString& title, QWidget* parent = nullptr);

  QTableView* view() const { return m_view; }
  // Sets the view's model; sorting goes through it (set a proxy to sort).
  void setModel(QAbstractItemModel* model);
  // Writes what the table shows (in its sorted, filtered order).
  bool saveCsv(const QString& path, QString* error);
  // A line above the table (e.g. the overall verdict); hidden when empty.
  void setNote(const QString& text);

 private:
  QString m_title;
  QTableView* m_view;
  QLabel* m_note;
};

}  // namespace opscope::dashboard

// The Trends view: the median latency of one configuration (model, variant,
// backends, threads, device) over time, or over the values of a tag such as
// a commit, with the 95% interval as a band and the points the gate would
// flag against the previous point marked.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QWidget>

#include "dashboard/data/dashboard_data.h"
#include "dashboard/models/verdict_models.h"
#include "dashboard/widgets/panels.h"

namespace opscope::dashboard {

class TrendsView : public QWidget {
  Q_OBJECT
 public:
  explicit TrendsView(QWidget* parent = nullptr);

  // Offers the configurations of `runs`; keeps the current one when it is
  // still there, and asks for its trend (trendRequested) — once the view is
  // visible, as it loads many runs.
  void setRuns(const RunList& runs);
  void setData(const TrendData& data);
  // Picks a configuration and x axis, as a user would; emits trendRequested.
  void choose(const TrendQuery& query);

  TrendQuery query() const;
  ChartPanel* chartPanel() const { return m_chart; }
  TablePanel* table() const { return m_table; }
  TrendModel* model() const { return m_model; }
  QString note() const { return m_note->text(); }

 protected:
  void showEvent(QShowEvent* event) override;

 signals:
  void trendRequested(const opscope::dashboard::TrendQuery& query);
  void dataShown();

 private:
  void request();

  QComboBox* m_config;
  QComboBox* m_axis;
  QLabel* m_note;
  ChartPanel* m_chart;
  TablePanel* m_table;
  TrendModel* m_model;
  QSortFilterProxyModel* m_proxy;
  std::vector<TrendQuery> m_configs;
  bool m_filling = false;  // combos being refilled: no requests
  bool m_pending = false;  // a request waits for the view to be shown
};

}  // namespace opscope::dashboard

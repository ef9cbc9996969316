// The Compare view: two or more runs side by side. Latency distributions
// (box plots of the samples), the stages (load, partition, plan, prepare,
// first invoke, then a warm invoke), memory, and the table of what the gate
// says about each candidate against the baseline.
#pragma once

#include <QLabel>
#include <QSortFilterProxyModel>
#include <QWidget>

#include "dashboard/data/dashboard_data.h"
#include "dashboard/models/verdict_models.h"
#include "dashboard/widgets/panels.h"

namespace opscope::dashboard {

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(QWidget* parent = nullptr);

  void setData(const CompareData& data);
  void clear(const QString& message);

  QString verdictText() const { return m_verdict->text(); }
  ChartPanel* latencyChart() const { return m_latency; }
  ChartPanel* stagesChart() const { return m_stages; }
  ChartPanel* memoryChart() const { return m_memory; }
  TablePanel* verdictTable() const { return m_table; }
  CompareModel* model() const { return m_model; }

 signals:
  void dataShown();

 private:
  void fillLatency(const std::vector<harness::CaseSide>& sides, const QStringList& names);
  void fillStages(const std::vector<harness::CaseSide>& sides, const QStringList& names);
  void fillMemory(const std::vector<harness::CaseSide>& sides, const QStringList& names);

  QLabel* m_verdict;
  ChartPanel* m_latency;
  ChartPanel* m_stages;
  ChartPanel* m_memory;
  TablePanel* m_table;
  CompareModel* m_model;
  QSortFilterProxyModel* m_proxy;
};

}  // namespace opscope::dashboard

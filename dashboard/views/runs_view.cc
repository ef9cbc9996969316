#include "dashboard/views/runs_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSet>
#include <QVBoxLayout>

#include "dashboard/models/roles.h"

namespace opscope::dashboard {

RunsView::RunsView(QWidget* parent)
    : QWidget(parent), m_model(new RunsModel(this)), m_proxy(new RunsFilterModel(this)),
      m_filter(new QLineEdit), m_onlyOk(new QCheckBox(tr("Only successful runs"))),
      m_count(new QLabel), m_message(new QLabel), m_table(new TablePanel(tr("Runs"))) {
  m_proxy->setSourceModel(m_model);
  m_table->setModel(m_proxy);
  QTableView* view = m_table->view();
  view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view->sortByColumn(RunsModel::kId, Qt::DescendingOrder);
  view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  const int widths[RunsModel::kColumnCount] = {50, 210, 60, 70, 60, 100, 60, 180, 140, 80, 70, 75, 60};
  for (int c = 0; c < RunsModel::kColumnCount; ++c) view->setColumnWidth(c, widths[c]);

  m_filter->setPlaceholderText(tr("Filter: words to find in model, variant, device, backends, tags, status"));
  m_filter->setClearButtonEnabled(true);
  connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& t) {
    m_proxy->setText(t);
    updateCount();
  });
  connect(m_onlyOk, &QCheckBox::toggled, this, [this](bool on) {
    m_proxy->setOnlyOk(on);
    updateCount();
  });
  connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunsView::onSelectionChanged);
  m_message->setWordWrap(true);
  m_message->hide();

  auto* filters = new QHBoxLayout;
  filters->addWidget(m_filter, 1);
  filters->addWidget(m_onlyOk);
  filters->addWidget(m_count);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(filters);
  layout->addWidget(m_message);
  layout->addWidget(m_table, 1);
  auto* hint = new QLabel(tr("Select one run for its operators, two for their per-op diff; "
                             "select two or more to compare them (the first selected is the baseline)."));
  hint->setWordWrap(true);
  layout->addWidget(hint);
  updateCount();
}

void RunsView::setRuns(const RunList& runs) {
  m_model->setRuns(runs);
  if (runs.empty()) {
    setMessage(tr("This store holds no runs yet. Store some with `opscope run --db FILE` or "
                  "`opscope sweep --db FILE`; they appear here as they arrive."));
  } else if (m_message->text().startsWith(tr("This store holds no runs"))) {
    setMessage({});
  }
  updateCount();
  emit runsShown(m_proxy->rowCount());
}

void RunsView::setMessage(const QString& text) {
  m_message->setText(text);
  m_message->setVisible(!text.isEmpty());
}

void RunsView::updateCount() {
  m_count->setText(tr("%1 of %2 runs").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

void RunsView::selectIds(const QList<qint64>& ids) {
  // Select one at a time, so the selection order is the order of `ids`.
  QItemSelectionModel* sel = m_table->view()->selectionModel();
  sel->clearSelection();
  for (qint64 id : ids) {
    for (int row = 0; row < m_model->rowCount(); ++row) {
      if (m_model->runAt(row).id != id) continue;
      const QModelIndex i = m_proxy->mapFromSource(m_model->index(row, 0));
      if (i.isValid()) sel->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
      break;
    }
  }
}

void RunsView::onSelectionChanged() {
  QSet<qint64> now;
  for (const QModelIndex& i : m_table->view()->selectionModel()->selectedRows()) {
    now.insert(i.data(kRunIdRole).toLongLong());
  }
  QList<qint64> order;
  for (qint64 id : m_selected) {  // keep the order of those still selected
    if (now.contains(id)) order << id;
  }
  for (const QModelIndex& i : m_table->view()->selectionModel()->selectedRows()) {
    const qint64 id = i.data(kRunIdRole).toLongLong();
    if (!order.contains(id)) order << id;
  }
  if (order == m_selected) return;
  m_selected = order;
  emit selectionChanged(m_selected);
}

}  // namespace opscope::dashboard

#include "dashboard/views/operators_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalStackedBarSeries>
#include <QSplitter>
#include <QVBoxLayout>
#include <QValueAxis>

#include "dashboard/data/analysis.h"
#include "dashboard/models/backend_colors.h"
#include "dashboard/models/roles.h"
#include "reports/run_summary.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Distinct colours for op types (stacks of the two-run chart).
QColor type_color(size_t i) {
  static const QColor kPalette[] = {
      QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
      QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48),
      QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f),
      QColor(0xba, 0xb0, 0xac)};
  return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

QSortFilterProxyModel* sorting_proxy(QAbstractItemModel* source, QObject* parent) {
  auto* p = new QSortFilterProxyModel(parent);
  p->setSourceModel(source);
  p->setSortRole(kSortRole);
  p->setFilterKeyColumn(-1);
  p->setFilterCaseSensitivity(Qt::CaseInsensitive);
  return p;
}

// Fills `chart` with horizontal stacked bars: one bar per category, one
// stack per set.
void fill_stacked(QChart* chart, const QStringList& categories,
                  const std::vector<std::pair<QString, QColor>>& sets,
                  const std::vector<std::vector<double>>& values /* [set][category] */) {
  // Horizontal bars grow upwards from the first category: append in reverse
  // so the first category (the heaviest type, the baseline) is on top.
  auto* series = new QHorizontalStackedBarSeries;
  double max_total = 0;
  const size_t n = static_cast<size_t>(categories.size());
  std::vector<double> totals(n, 0.0);
  for (size_t s = 0; s < sets.size(); ++s) {
    auto* set = new QBarSet(sets[s].first);
    set->setColor(sets[s].second);
    set->setBorderColor(sets[s].second.darker(120));
    for (size_t c = n; c-- > 0;) {
      set->append(values[s][c]);
      totals[c] += values[s][c];
    }
    series->append(set);
  }
  for (double t : totals) max_total = std::max(max_total, t);
  series->setBarWidth(0.7);
  chart->addSeries(series);
  auto* y = new QBarCategoryAxis;
  QStringList reversed(categories.rbegin(), categories.rend());
  y->append(reversed);
  y->setTruncateLabels(false);  // the axis is as wide as its longest op type
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  auto* x = new QValueAxis;
  x->setTitleText(QObject::tr("ms per invoke (sum of per-op means)"));
  x->setRange(0, max_total > 0 ? max_total * 1.05 : 1.0);
  x->applyNiceNumbers();
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
}

}  // namespace

QString run_label(const store::StoredRun& run) {
  const ResultDocument& d = run.doc;
  QString model = qs(d.model.name);
  model = model.left(model.lastIndexOf(QLatin1Char('.')) > 0 ? model.lastIndexOf(QLatin1Char('.'))
                                                              : model.size());
  QString s = QStringLiteral("run %1: %2").arg(run.id).arg(model);
  if (!run.variant.empty()) s += QStringLiteral(" [%1]").arg(qs(run.variant));
  QStringList backends;
  for (const std::string& b : d.config.backends) backends << qs(b);
  s += QStringLiteral(" %1 t%2").arg(backends.join(QLatin1Char(','))).arg(d.config.threads);
  return s;
}

OperatorsView::OperatorsView(QWidget* parent)
    : QWidget(parent), m_title(new QLabel), m_details(new QLabel), m_warnings(new QLabel),
      m_filter(new QLineEdit),
      m_chart(new ChartPanel(tr("Time by op type"))), m_tables(new QStackedWidget),
      m_opsTable(new TablePanel(tr("Operators"))), m_diffTable(new TablePanel(tr("Per-op diff"))),
      m_opsModel(new OpsModel(this)), m_diffModel(new OpDiffModel(this)),
      m_opsProxy(sorting_proxy(m_opsModel, this)), m_diffProxy(sorting_proxy(m_diffModel, this)) {
  m_opsTable->setModel(m_opsProxy);
  m_diffTable->setModel(m_diffProxy);
  m_opsTable->view()->sortByColumn(OpsModel::kIndex, Qt::AscendingOrder);
  m_diffTable->view()->sortByColumn(-1, Qt::AscendingOrder);  // as the harness ranks them
  for (TablePanel* t : {m_opsTable, m_diffTable}) {
    t->view()->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    t->view()->horizontalHeader()->setDefaultSectionSize(85);
  }
  m_opsTable->view()->setColumnWidth(OpsModel::kIndex, 45);
  m_opsTable->view()->setColumnWidth(OpsModel::kSource, 55);
  m_opsTable->view()->setColumnWidth(OpsModel::kName, 170);
  m_opsTable->view()->setColumnWidth(OpsModel::kType, 170);
  m_diffTable->view()->setColumnWidth(OpDiffModel::kSource, 55);
  m_diffTable->view()->setColumnWidth(OpDiffModel::kName, 150);
  m_diffTable->view()->setColumnWidth(OpDiffModel::kBaseType, 150);
  m_diffTable->view()->setColumnWidth(OpDiffModel::kCandType, 150);
  m_chart->setMinimumHeight(300);
  m_tables->addWidget(m_opsTable);
  m_tables->addWidget(m_diffTable);
  m_title->setWordWrap(true);
  m_title->setTextFormat(Qt::PlainText);
  // Device text is whatever the device said: never rich text.
  m_details->setWordWrap(true);
  m_details->setTextFormat(Qt::PlainText);
  m_details->setStyleSheet(QStringLiteral("color: #666;"));
  m_warnings->setWordWrap(true);
  m_warnings->setTextFormat(Qt::PlainText);
  m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_warnings->setStyleSheet(QStringLiteral(
      "background: #fff4e5; color: #5c3a00; border-left: 4px solid #e08a2c; padding: 4px 8px;"));
  m_warnings->hide();
  m_filter->setPlaceholderText(tr("Filter operators by name, type or backend"));
  m_filter->setClearButtonEnabled(true);
  connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& t) {
    m_opsProxy->setFilterFixedString(t);
    m_diffProxy->setFilterFixedString(t);
  });

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(m_chart);
  splitter->addWidget(m_tables);
  splitter->setSizes({380, 420});
  auto* top = new QHBoxLayout;
  top->addWidget(m_title, 1);
  top->addWidget(m_filter);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(m_details);
  layout->addWidget(m_warnings);
  layout->addWidget(splitter, 1);
  clear(tr("Select a run in the Runs view to see its operators, or two runs for their per-op diff."));
}

void OperatorsView::setWarnings(const QStringList& lines) {
  if (lines.isEmpty()) {
    m_warnings->clear();
    m_warnings->hide();
    return;
  }
  m_warnings->setText(tr("Warnings: the device may not have run at its best") +
                      QStringLiteral("\n\u26A0 ") + lines.join(QStringLiteral("\n\u26A0 ")));
  m_warnings->show();
}

void OperatorsView::clear(const QString& message) {
  m_title->setText(message);
  m_details->clear();
  setWarnings({});
  m_opsModel->clear();
  m_diffModel->clear();
  m_chart->clearChart();
  m_chart->showMessage(message);
  m_opsTable->setNote({});
  m_diffTable->setNote({});
}

void OperatorsView::setData(const OperatorsData& data) {
  if (data.runs.empty()) {
    clear(tr("Select a run in the Runs view to see its operators."));
  } else if (!data.message.empty()) {
    clear(qs(data.message));
    m_tables->setCurrentWidget(data.runs.size() == 2 ? m_diffTable : m_opsTable);
    // A failed run's document may still hold its device state and warnings.
    if (data.runs.size() == 1) {
      QStringList lines;
      for (const std::string& w : data.runs.front().doc.warnings) lines << qs(w);
      setWarnings(lines);
    }
  } else if (data.runs.size() == 1) {
    showRun(data.runs.front());
  } else {
    showDiff(data);
  }
  emit dataShown();
}

void OperatorsView::showRun(const store::StoredRun& run) {
  const ResultDocument& d = run.doc;
  m_title->setText(tr("%1 — %2 ops, median %3 ms per invoke")
                       .arg(run_label(run))
                       .arg(d.ops.size())
                       .arg(d.latency_ms.median, 0, 'f', 3));
  QString details = tr("device: %1").arg(qs(reports::device_line(d)));
  if (const std::string state = reports::device_state_line(d); !state.empty()) {
    details += tr("\nstate around the case: %1").arg(qs(state));
  }
  m_details->setText(details);
  QStringList lines;
  for (const std::string& w : d.warnings) lines << qs(w);
  setWarnings(lines);
  m_opsModel->setOps(d.ops);
  m_diffModel->clear();
  m_tables->setCurrentWidget(m_opsTable);
  m_opsTable->setNote({});

  m_chart->clearChart();
  m_chart->chart()->setTitle({});
  if (d.ops.empty()) {
    m_chart->showMessage(tr("Run %1 has no per-op times (was it run with --no-op-profile?)").arg(run.id));
    return;
  }
  const TypeBreakdown b = breakdown_by_type(d);
  QStringList types;
  for (const std::string& t : b.types) types << qs(t);
  std::vector<std::pair<QString, QColor>> sets;
  for (const std::string& be : b.backends) sets.push_back({qs(be), backend_color(qs(be))});
  fill_stacked(m_chart->chart(), types, sets, b.ms);
  m_chart->showChart();
}

void OperatorsView::showDiff(const OperatorsData& data) {
  const store::StoredRun& base = data.runs[0];
  const store::StoredRun& cand = data.runs[1];
  m_title->setText(tr("Per-op diff by source index — base %1, candidate %2")
                       .arg(run_label(base), run_label(cand)));
  m_details->clear();
  QStringList lines;
  for (const store::StoredRun* r : {&base, &cand}) {
    for (const std::string& w : r->doc.warnings) lines << run_label(*r) + QStringLiteral(": ") + qs(w);
  }
  setWarnings(lines);
  m_opsModel->clear();
  m_diffModel->setRows(data.diff, data.has_quant_diff);
  m_tables->setCurrentWidget(m_diffTable);
  m_diffTable->view()->resizeColumnsToContents();  // measures the visible rows only
  if (data.has_quant_diff) {
    QString note = tr("Quant-diff of this pair: output SNR %1 dB").arg(data.quant_output_snr_db, 0, 'f', 1);
    if (!data.quant_task_metric.empty()) {
      note += tr(", %1 %2").arg(qs(data.quant_task_metric)).arg(data.quant_task_metric_value, 0, 'f', 4);
    }
    m_diffTable->setNote(note + tr(". Per-op SNR, cosine and error of the int8 op against its float twin "
                                   "stand beside the times."));
  } else {
    m_diffTable->setNote(tr("No quant-diff is stored for this pair: times only."));
  }

  m_chart->clearChart();
  const RunsByType r = runs_by_type({&base.doc, &cand.doc});
  const QStringList categories{QStringLiteral("base: ") + run_label(base),
                               QStringLiteral("cand: ") + run_label(cand)};
  std::vector<std::pair<QString, QColor>> sets;
  for (size_t t = 0; t < r.types.size(); ++t) sets.push_back({qs(r.types[t]), type_color(t)});
  fill_stacked(m_chart->chart(), categories, sets, r.ms);
  m_chart->showChart();
}

}  // namespace opscope::dashboard

#include "dashboard/views/trends_view.h"

#include <algorithm>

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSplitter>
#include <QVBoxLayout>
#include <QValueAxis>

#include "dashboard/data/analysis.h"
#include "dashboard/models/roles.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QScatterSeries* markers(const QString& name, const QColor& color, double size,
                        QScatterSeries::MarkerShape shape) {
  auto* s = new QScatterSeries;
  s->setName(name);
  s->setColor(color);
  s->setBorderColor(color.darker(140));
  s->setMarkerSize(size);
  s->setMarkerShape(shape);
  return s;
}

}  // namespace

TrendsView::TrendsView(QWidget* parent)
    : QWidget(parent), m_config(new QComboBox), m_axis(new QComboBox), m_note(new QLabel),
      m_chart(new ChartPanel(tr("Median latency"))), m_table(new TablePanel(tr("Points"))),
      m_model(new TrendModel(this)), m_proxy(new QSortFilterProxyModel(this)) {
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(kSortRole);
  m_table->setModel(m_proxy);
  m_config->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_note->setWordWrap(true);
  connect(m_config, &QComboBox::currentIndexChanged, this, [this] { request(); });
  connect(m_axis, &QComboBox::currentIndexChanged, this, [this] { request(); });

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Configuration:")));
  top->addWidget(m_config, 1);
  top->addWidget(new QLabel(tr("Along:")));
  top->addWidget(m_axis);
  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(m_chart);
  splitter->addWidget(m_table);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(m_note);
  layout->addWidget(splitter, 1);
  m_chart->showMessage(tr("Open a results store with runs to follow a configuration over time."));
}

TrendQuery TrendsView::query() const {
  const int i = m_config->currentIndex();
  if (i < 0 || static_cast<size_t>(i) >= m_configs.size()) return {};
  TrendQuery q = m_configs[static_cast<size_t>(i)];
  q.x_tag = m_axis->currentData().toString().toStdString();
  return q;
}

void TrendsView::setRuns(const RunList& runs) {
  const TrendQuery before = query();
  const QString axis_before = m_axis->currentData().toString();
  m_filling = true;
  std::vector<size_t> counts;
  m_configs = trend_configurations(runs, &counts);
  m_config->clear();
  int keep = m_configs.empty() ? -1 : 0;
  for (size_t i = 0; i < m_configs.size(); ++i) {
    const TrendQuery& q = m_configs[i];
    m_config->addItem(tr("%1 (%2 runs)").arg(qs(q.label())).arg(counts[i]));
    TrendQuery plain = before;
    plain.x_tag.clear();
    if (q == plain) keep = static_cast<int>(i);
  }
  m_axis->clear();
  m_axis->addItem(tr("date (one point per run)"), QString());
  for (const std::string& key : tag_keys(runs)) {
    m_axis->addItem(tr("tag %1 (one point per value)").arg(qs(key)), qs(key));
  }
  m_axis->setCurrentIndex(std::max(0, m_axis->findData(axis_before)));
  m_config->setCurrentIndex(keep);
  m_filling = false;
  request();
}

void TrendsView::choose(const TrendQuery& query) {
  TrendQuery plain = query;
  plain.x_tag.clear();
  m_filling = true;
  for (size_t i = 0; i < m_configs.size(); ++i) {
    if (m_configs[i] == plain) m_config->setCurrentIndex(static_cast<int>(i));
  }
  m_axis->setCurrentIndex(std::max(0, m_axis->findData(qs(query.x_tag))));
  m_filling = false;
  request();
}

void TrendsView::request() {
  if (m_filling) return;
  // A trend loads hundreds of runs: only for a user who looks at it. A
  // hidden view asks when it is shown.
  if (!isVisible()) {
    m_pending = true;
    return;
  }
  m_pending = false;
  if (m_configs.empty()) {
    m_model->setPoints({});
    m_chart->clearChart();
    m_chart->showMessage(tr("No runs to follow yet."));
    return;
  }
  m_chart->showMessage(tr("Loading the runs of %1…").arg(qs(query().label())));
  emit trendRequested(query());
}

void TrendsView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_pending) request();
}

void TrendsView::setData(const TrendData& data) {
  if (!(data.query == query())) return;  // an answer to an older choice
  m_model->setPoints(data.points);
  m_table->view()->resizeColumnsToContents();
  m_chart->clearChart();
  QString note;
  if (data.dropped_runs > 0) note = tr("Showing the newest runs; %1 older ones left out. ").arg(data.dropped_runs);
  if (!data.message.empty()) {
    m_note->setText(note);
    m_chart->showMessage(qs(data.message));
    emit dataShown();
    return;
  }
  const bool by_date = data.query.x_tag.empty();
  auto* line = new QLineSeries;
  line->setName(tr("median"));
  line->setPen(QPen(QColor(0x3b, 0x7d, 0xd8), 2));
  auto* upper = new QLineSeries;
  auto* lower = new QLineSeries;
  auto* ok = markers(tr("no flag"), QColor(0x3b, 0x7d, 0xd8), 7, QScatterSeries::MarkerShapeCircle);
  auto* warn = markers(tr("warning"), QColor(0xe0, 0xa8, 0x00), 11, QScatterSeries::MarkerShapeCircle);
  auto* fail = markers(tr("gate FAIL vs previous"), QColor(0xd0, 0x30, 0x30), 13,
                       QScatterSeries::MarkerShapeRectangle);
  double max = 0, x_min = 1e300, x_max = -1e300;
  int flagged = 0, failed = 0;
  for (size_t i = 0; i < data.points.size(); ++i) {
    const TrendPoint& p = data.points[i];
    if (!p.ok) {
      ++failed;
      continue;
    }
    const double x = by_date
                         ? static_cast<double>(QDateTime::fromString(qs(p.created_at), Qt::ISODate)
                                                   .toMSecsSinceEpoch())
                         : static_cast<double>(i);
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
    line->append(x, p.median_ms);
    upper->append(x, p.median_ci.hi);
    lower->append(x, p.median_ci.lo);
    max = std::max(max, p.median_ci.hi);
    if (p.verdict == harness::Verdict::kFail) {
      fail->append(x, p.median_ms);
      ++flagged;
    } else if (p.verdict == harness::Verdict::kPassWithWarning) {
      warn->append(x, p.median_ms);
    } else {
      ok->append(x, p.median_ms);
    }
  }
  note += tr("%1 point(s); %2 flagged by the gate against the previous point").arg(data.points.size()).arg(flagged);
  if (failed > 0) note += tr("; %1 point(s) with only failed runs are not drawn").arg(failed);
  m_note->setText(note + QLatin1Char('.'));
  if (line->count() == 0) {
    delete line; delete upper; delete lower; delete ok; delete warn; delete fail;
    m_chart->showMessage(tr("Every run of this configuration failed: nothing to draw."));
    emit dataShown();
    return;
  }
  auto* band = new QAreaSeries(upper, lower);  // does not own its bounds
  upper->setParent(band);
  lower->setParent(band);
  band->setName(tr("95% CI of the median"));
  band->setColor(QColor(0x3b, 0x7d, 0xd8, 50));
  band->setBorderColor(QColor(0x3b, 0x7d, 0xd8, 90));
  QChart* chart = m_chart->chart();
  QAbstractAxis* x_axis = nullptr;
  if (by_date) {
    auto* a = new QDateTimeAxis;
    a->setFormat(QStringLiteral("MM-dd HH:mm"));
    a->setTitleText(tr("date"));
    const double pad = std::max(60000.0, (x_max - x_min) * 0.03);
    a->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x_min - pad)),
                QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x_max + pad)));
    x_axis = a;
  } else {
    auto* a = new QCategoryAxis;
    a->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    const size_t step = std::max<size_t>(1, data.points.size() / 12);
    for (size_t i = 0; i < data.points.size(); i += step) {
      a->append(qs(data.points[i].label).left(12), static_cast<double>(i));
    }
    a->setRange(-0.5, static_cast<double>(data.points.size()) - 0.5);
    a->setTitleText(tr("tag %1").arg(qs(data.query.x_tag)));
    x_axis = a;
  }
  chart->addAxis(x_axis, Qt::AlignBottom);
  auto* y = new QValueAxis;
  y->setTitleText(tr("median ms per invoke"));
  y->setRange(0, max * 1.1);
  y->applyNiceNumbers();
  chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{band, line, ok, warn, fail}) {
    chart->addSeries(s);
    s->attachAxis(x_axis);
    s->attachAxis(y);
  }
  chart->legend()->show();
  m_chart->showChart();
  emit dataShown();
}

}  // namespace opscope::dashboard

#include "dashboard/views/compare_view.h"

#include <algorithm>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QHorizontalStackedBarSeries>
#include <QSplitter>
#include <QVBoxLayout>
#include <QValueAxis>

#include "dashboard/models/roles.h"
#include "harness/statistics.h"

namespace opscope::dashboard {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QColor side_color(size_t i) {
  static const QColor kPalette[] = {QColor(0x7f, 0x7f, 0x7f), QColor(0x3b, 0x7d, 0xd8),
                                    QColor(0xe8, 0x8a, 0x2e), QColor(0x3a, 0xa6, 0x5c),
                                    QColor(0xb0, 0x4a, 0xa0), QColor(0xc0, 0x40, 0x40)};
  return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

// "base run 3: selfie_segmentation [int8] xnnpack,cpu t1"; with `lines`,
// "base run 3\nselfie_segmentation [int8]\nxnnpack,cpu t1" (axis labels).
QString side_name(const harness::CaseSide& s, size_t i, bool lines = false) {
  QStringList ids;
  for (int64_t id : s.run_ids) ids << QString::number(id);
  QString model = qs(s.key.model);
  const int dot = model.lastIndexOf(QLatin1Char('.'));
  if (dot > 0) model.truncate(dot);
  QString key = model;
  if (!s.key.variant.empty()) key += QStringLiteral(" [%1]").arg(qs(s.key.variant));
  key += (lines ? QStringLiteral("<br>") : QStringLiteral(" ")) +
         QStringLiteral("%1 t%2").arg(qs(s.key.backends)).arg(s.key.threads);
  return QString::fromLatin1(lines ? "%1 %2 %3<br>%4" : "%1 %2 %3: %4")
      .arg(i == 0 ? QStringLiteral("base") : QStringLiteral("cand %1").arg(i),
           ids.size() == 1 ? QStringLiteral("run") : QStringLiteral("runs"),
           ids.join(QLatin1Char(',')), key);
}

QValueAxis* value_axis(const QString& title, double max) {
  auto* a = new QValueAxis;
  a->setTitleText(title);
  a->setRange(0, max > 0 ? max * 1.08 : 1.0);
  a->applyNiceNumbers();
  return a;
}

}  // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent), m_verdict(new QLabel), m_latency(new ChartPanel(tr("Latency distribution"))),
      m_stages(new ChartPanel(tr("Stages"))), m_memory(new ChartPanel(tr("Memory"))),
      m_table(new TablePanel(tr("Gate verdicts"))), m_model(new CompareModel(this)),
      m_proxy(new QSortFilterProxyModel(this)) {
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(kSortRole);
  m_table->setModel(m_proxy);
  m_verdict->setWordWrap(true);
  m_verdict->setTextFormat(Qt::RichText);

  auto* charts = new QSplitter(Qt::Horizontal);
  charts->addWidget(m_stages);
  charts->addWidget(m_memory);
  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(m_latency);
  splitter->addWidget(charts);
  splitter->addWidget(m_table);
  m_latency->setMinimumHeight(240);
  m_stages->setMinimumHeight(240);
  m_memory->setMinimumHeight(240);
  splitter->setSizes({330, 280, 150});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_verdict);
  layout->addWidget(splitter, 1);
  clear(tr("Select two or more runs in the Runs view to compare them."));
}

void CompareView::clear(const QString& message) {
  m_verdict->setText(message.toHtmlEscaped());
  m_model->setCases({});
  for (ChartPanel* p : {m_latency, m_stages, m_memory}) {
    p->clearChart();
    p->showMessage(message);
  }
}

void CompareView::setData(const CompareData& data) {
  if (data.sides.empty()) {
    clear(data.message.empty() ? tr("Nothing to compare.") : qs(data.message));
    emit dataShown();
    return;
  }
  QStringList names;
  for (size_t i = 0; i < data.sides.size(); ++i) names << side_name(data.sides[i], i);
  if (data.cases.empty()) {
    m_verdict->setText(qs(data.message).toHtmlEscaped());
  } else {
    const QColor c = verdict_color(data.overall);
    m_verdict->setText(
        tr("<b>Gate: <span style='color:%1'>%2</span></b> over %3 candidate(s) against the "
           "baseline (as <code>opscope gate</code> judges: significant at p &lt; %4 and slower "
           "by more than %5% and %6 ms)")
            .arg(c.name(), qs(harness::to_string(data.overall)))
            .arg(data.cases.size())
            .arg(data.gate.alpha)
            .arg(100.0 * data.gate.max_regression)
            .arg(data.gate.min_abs_ms));
  }
  m_model->setCases(data.cases);
  m_table->view()->resizeColumnsToContents();
  fillLatency(data.sides, names);
  fillStages(data.sides, names);
  fillMemory(data.sides, names);
  emit dataShown();
}

void CompareView::fillLatency(const std::vector<harness::CaseSide>& sides, const QStringList& names) {
  m_latency->clearChart();
  QChart* chart = m_latency->chart();
  auto* series = new QBoxPlotSeries;
  series->setName(tr("latency per invoke (box: quartiles; whiskers: 1.5 IQR)"));
  QStringList categories;
  double max = 0;
  for (size_t i = 0; i < sides.size(); ++i) {
    const harness::BoxFigures f = harness::box_figures(sides[i].samples_ms);
    QString label = side_name(sides[i], i, true);
    if (sides[i].samples_ms.empty()) label += tr("<br>(failed: no samples)");
    categories << label;
    auto* set = new QBoxSet(f.lower_whisker, f.q1, f.median, f.q3, f.upper_whisker, label);
    QColor c = side_color(i);
    c.setAlpha(150);
    set->setBrush(c);
    set->setPen(QPen(side_color(i).darker(150), 1.5));
    series->append(set);
    max = std::max(max, f.upper_whisker);
  }
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(categories);
  x->setTruncateLabels(false);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  auto* y = value_axis(tr("ms"), max);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  chart->legend()->hide();
  m_latency->showChart();
}

void CompareView::fillStages(const std::vector<harness::CaseSide>& sides, const QStringList& names) {
  m_stages->clearChart();
  struct Stage { QString name; double Stages::*field; QColor color; };
  const Stage kStages[] = {
      {tr("load"), &Stages::load_ms, QColor(0x8c, 0x6d, 0x31)},
      {tr("partition"), &Stages::partition_ms, QColor(0xbd, 0x9e, 0x39)},
      {tr("plan"), &Stages::plan_ms, QColor(0xe7, 0xba, 0x52)},
      {tr("prepare"), &Stages::prepare_ms, QColor(0x6b, 0x6e, 0xcf)},
      {tr("first invoke"), &Stages::first_invoke_ms, QColor(0xd6, 0x61, 0x6b)},
  };
  auto* series = new QHorizontalStackedBarSeries;
  std::vector<double> totals(sides.size(), 0.0);
  for (const Stage& st : kStages) {
    auto* set = new QBarSet(st.name);
    set->setColor(st.color);
    for (size_t i = 0; i < sides.size(); ++i) {
      const double v = sides[i].stages.*st.field;
      set->append(v);
      totals[i] += v;
    }
    series->append(set);
  }
  auto* warm = new QBarSet(tr("warm invoke (median)"));
  warm->setColor(QColor(0x3a, 0xa6, 0x5c));
  for (size_t i = 0; i < sides.size(); ++i) {
    warm->append(sides[i].median_ms);
    totals[i] += sides[i].median_ms;
  }
  series->append(warm);
  series->setBarWidth(0.6);
  QChart* chart = m_stages->chart();
  chart->addSeries(series);
  QStringList short_names;
  for (size_t i = 0; i < sides.size(); ++i) short_names << names[i].section(QLatin1Char(':'), 0, 0);
  auto* y = new QBarCategoryAxis;
  y->append(short_names);
  y->setTruncateLabels(false);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  auto* x = value_axis(tr("ms"),
                       *std::max_element(totals.begin(), totals.end()));
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  chart->legend()->show();
  m_stages->showChart();
}

void CompareView::fillMemory(const std::vector<harness::CaseSide>& sides, const QStringList& names) {
  m_memory->clearChart();
  struct Field { QString name; int64_t MemoryStats::*field; };
  const Field kFields[] = {
      {tr("peak RSS"), &MemoryStats::peak_rss_bytes},
      {tr("arena"), &MemoryStats::arena_bytes},
      {tr("weights"), &MemoryStats::weights_bytes},
  };
  auto* series = new QBarSeries;
  double max = 0;
  for (size_t i = 0; i < sides.size(); ++i) {
    auto* set = new QBarSet(names[i].section(QLatin1Char(':'), 0, 0));
    set->setColor(side_color(i));
    for (const Field& f : kFields) {
      const double mib = static_cast<double>(sides[i].memory.*f.field) / 1048576.0;
      set->append(mib);
      max = std::max(max, mib);
    }
    series->append(set);
  }
  QChart* chart = m_memory->chart();
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  for (const Field& f : kFields) x->append(f.name);
  x->setTruncateLabels(false);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  auto* y = value_axis(tr("MiB"), max);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  chart->legend()->show();
  m_memory->showChart();
}

}  // namespace opscope::dashboard

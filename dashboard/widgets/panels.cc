#include "dashboard/widgets/panels.h"

#include <QAbstractAxis>
#include <QAction>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QRegularExpression>
#include <QMessageBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "dashboard/widgets/export.h"

namespace opscope::dashboard {
namespace {

QWidget* header(const QString& title, QToolButton* button, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), row);
  layout->addWidget(label);
  layout->addStretch(1);
  layout->addWidget(button);
  return row;
}

QString file_stem(const QString& title) {
  QString s = title.toLower();
  s.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
  return QStringLiteral("opscope_") + s;
}

}  // namespace

ChartPanel::ChartPanel(const QString& title, QWidget* parent)
    : QWidget(parent), m_title(title), m_chart(new QChart), m_view(new QChartView(m_chart)),
      m_message(new QLabel), m_stack(new QStackedWidget) {
  m_chart->setMargins(QMargins(4, 4, 4, 4));
  m_chart->legend()->setAlignment(Qt::AlignBottom);
  m_chart->setAnimationOptions(QChart::NoAnimation);  // screenshots show the final state
  m_view->setRenderHint(QPainter::Antialiasing);
  m_message->setAlignment(Qt::AlignCenter);
  m_message->setWordWrap(true);
  m_stack->addWidget(m_view);
  m_stack->addWidget(m_message);

  auto* button = new QToolButton;
  button->setText(tr("Export"));
  button->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(button);
  menu->addAction(tr("Save as PNG…"), this, [this] { exportAs(QStringLiteral("png")); });
  menu->addAction(tr("Save as SVG…"), this, [this] { exportAs(QStringLiteral("svg")); });
  button->setMenu(menu);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(header(title, button, this));
  layout->addWidget(m_stack, 1);
}

void ChartPanel::clearChart() {
  m_chart->removeAllSeries();
  for (QAbstractAxis* axis : m_chart->axes()) {
    m_chart->removeAxis(axis);
    delete axis;
  }
}

void ChartPanel::showMessage(const QString& text) {
  m_message->setText(text);
  m_stack->setCurrentWidget(m_message);
}

void ChartPanel::showChart() { m_stack->setCurrentWidget(m_view); }

bool ChartPanel::savePng(const QString& path, QString* error) { return save_png(*m_view, path, error); }

bool ChartPanel::saveSvg(const QString& path, QString* error) {
  return save_svg(*m_view, path, m_title, error);
}

void ChartPanel::exportAs(const QString& suffix) {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export %1").arg(m_title), file_stem(m_title) + QLatin1Char('.') + suffix,
      suffix == QLatin1String("png") ? tr("PNG image (*.png)") : tr("SVG image (*.svg)"));
  if (path.isEmpty()) return;
  QString error;
  const bool ok = suffix == QLatin1String("png") ? savePng(path, &error) : saveSvg(path, &error);
  if (!ok) QMessageBox::warning(this, tr("Export failed"), error);
}

TablePanel::TablePanel(const QString& title, QWidget* parent)
    : QWidget(parent), m_title(title), m_view(new QTableView), m_note(new QLabel) {
  auto* button = new QToolButton;
  button->setText(tr("Export CSV…"));
  connect(button, &QToolButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(m_title),
                                                      file_stem(m_title) + QStringLiteral(".csv"),
                                                      tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    QString error;
    if (!saveCsv(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
  });
  m_view->setSortingEnabled(true);
  m_view->setAlternatingRowColors(true);
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->setWordWrap(false);
  m_view->verticalHeader()->setVisible(false);
  m_view->verticalHeader()->setDefaultSectionSize(22);
  m_view->horizontalHeader()->setStretchLastSection(true);
  m_note->setWordWrap(true);
  m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_note->hide();

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(header(title, button, this));
  layout->addWidget(m_note);
  layout->addWidget(m_view, 1);
}

void TablePanel::setModel(QAbstractItemModel* model) { m_view->setModel(model); }

bool TablePanel::saveCsv(const QString& path, QString* error) {
  if (!m_view->model()) {
    if (error) *error = path + QStringLiteral(": the table is empty");
    return false;
  }
  return write_csv(*m_view->model(), path, error);
}

void TablePanel::setNote(const QString& text) {
  m_note->setText(text);
  m_note->setVisible(!text.isEmpty());
}

}  // namespace opscope::dashboard

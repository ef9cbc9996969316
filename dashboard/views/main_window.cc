#include "dashboard/views/main_window.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QKeySequence>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

#include "adapters/store/store.h"

namespace opscope::dashboard {
namespace {

constexpr int kMaxRecent = 8;
const char* const kRecentKey = "recentFiles";

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_loader(new StoreLoader(this)), m_banner(new QLabel),
      m_tabs(new QTabWidget), m_runs(new RunsView), m_compare(new CompareView),
      m_operators(new OperatorsView), m_trends(new TrendsView), m_status(new QLabel) {
  setWindowTitle(tr("opscope dashboard"));
  m_banner->setWordWrap(true);
  m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_banner->setStyleSheet(QStringLiteral(
      "QLabel { background: #fde2e1; color: #7a1010; border: 1px solid #e0a0a0; padding: 6px; }"));
  m_banner->hide();
  m_tabs->addTab(m_runs, tr("Runs"));
  m_tabs->addTab(m_compare, tr("Compare"));
  m_tabs->addTab(m_operators, tr("Operators"));
  m_tabs->addTab(m_trends, tr("Trends"));
  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(m_banner);
  layout->addWidget(m_tabs, 1);
  setCentralWidget(central);
  statusBar()->addWidget(m_status, 1);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a results store"), {},
                                                      tr("opscope results (*.db);;All files (*)"));
    if (!path.isEmpty()) openStore(path);
  });
  file->addAction(tr("Open &Connection…"), this, [this] {
    bool ok = false;
    const QString url = QInputDialog::getText(
        this, tr("Open a team store"),
        tr("PostgreSQL URL (the password comes from ~/.pgpass or PGPASSFILE):"),
        QLineEdit::Normal, QStringLiteral("postgresql://USER@HOST:5432/opscope"), &ok);
    if (ok && !url.trimmed().isEmpty()) openStore(url.trimmed());
  });
  m_recent = file->addMenu(tr("Open &Recent"));
  file->addAction(tr("&Reload"), QKeySequence::Refresh, m_loader, &StoreLoader::reloadRuns);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About"), this, [this] {
    QMessageBox::about(this, tr("opscope dashboard"),
                       tr("Results of opscope runs: runs, comparisons with the gate's verdicts, "
                          "operators and trends. See docs/dashboard.md."));
  });
  fillRecentMenu();

  connect(m_loader, &StoreLoader::opened, this, [this](const QString& path) {
    m_banner->hide();
    const QString shown = displayName(path);
    setWindowTitle(tr("%1 — opscope dashboard")
                       .arg(StoreLoader::isUrl(path) ? shown : QFileInfo(path).fileName()));
    m_status->setText(shown);
    rememberRecent(path);
  });
  connect(m_loader, &StoreLoader::openFailed, this, [this](const QString& message) {
    showBanner(tr("Cannot open the results store: %1").arg(message));
    setWindowTitle(tr("opscope dashboard"));
    m_runs->setRuns({});
    m_runs->setMessage(tr("No store is open. Use File → Open to open an opscope results store."));
    m_trends->setRuns({});
    m_compare->clear(tr("No store is open."));
    m_operators->clear(tr("No store is open."));
  });
  connect(m_loader, &StoreLoader::failed, this, &MainWindow::showBanner);
  connect(m_loader, &StoreLoader::runsAvailable, this, [this](const RunList& runs) {
    m_runs->setRuns(runs);
    m_trends->setRuns(runs);
    m_status->setText(tr("%1 — %2 runs").arg(displayName(m_loader->path())).arg(runs.size()));
  });
  connect(m_loader, &StoreLoader::storeChanged, this,
          [this] {
            m_status->setText(tr("%1 — changed, reloading…").arg(displayName(m_loader->path())));
          });
  connect(m_loader, &StoreLoader::operatorsAvailable, m_operators, &OperatorsView::setData);
  connect(m_loader, &StoreLoader::compareAvailable, m_compare, &CompareView::setData);
  connect(m_loader, &StoreLoader::trendAvailable, m_trends, &TrendsView::setData);
  connect(m_runs, &RunsView::selectionChanged, this, &MainWindow::onSelection);
  connect(m_trends, &TrendsView::trendRequested, m_loader, &StoreLoader::requestTrend);
  resize(1280, 820);
}

QString MainWindow::displayName(const QString& path) {
  return QString::fromStdString(store::display_name(path.toStdString()));
}

void MainWindow::openStore(const QString& path) {
  m_status->setText(tr("Opening %1…").arg(displayName(path)));
  m_compare->clear(tr("Select two or more runs in the Runs view to compare them."));
  m_operators->clear(tr("Select a run in the Runs view to see its operators."));
  m_loader->open(path);
}

void MainWindow::showBanner(const QString& text) {
  m_banner->setText(text);
  m_banner->show();
}

void MainWindow::onSelection(const QList<qint64>& ids) {
  if (ids.isEmpty()) {
    m_operators->clear(tr("Select a run in the Runs view to see its operators."));
    m_compare->clear(tr("Select two or more runs in the Runs view to compare them."));
    return;
  }
  // Operators: one run, or the per-op diff of the first two selected.
  m_loader->requestOperators(ids.mid(0, 2));
  m_loader->requestCompare(ids);
}

QStringList MainWindow::recentFiles() {
  return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void MainWindow::rememberRecent(const QString& path) {
  QStringList recent = recentFiles();
  // A URL is kept without its password (libpq reads it from ~/.pgpass).
  const QString abs =
      StoreLoader::isUrl(path) ? displayName(path) : QFileInfo(path).absoluteFilePath();
  recent.removeAll(abs);
  recent.prepend(abs);
  while (recent.size() > kMaxRecent) recent.removeLast();
  QSettings().setValue(QLatin1String(kRecentKey), recent);
  fillRecentMenu();
}

void MainWindow::fillRecentMenu() {
  m_recent->clear();
  const QStringList recent = recentFiles();
  for (const QString& path : recent) {
    m_recent->addAction(path, this, [this, path] { openStore(path); });
  }
  m_recent->setEnabled(!recent.isEmpty());
}

}  // namespace opscope::dashboard

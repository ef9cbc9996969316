// The dashboard's main window: the four views in tabs, the File menu (Open,
// recent files, Reload), a banner for what went wrong (a file that is no
// store, a newer schema, a query error), and the wiring between the Runs
// view's selection, the loader and the other views.
#pragma once

#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QTabWidget>

#include "dashboard/loader/store_loader.h"
#include "dashboard/views/compare_view.h"
#include "dashboard/views/operators_view.h"
#include "dashboard/views/runs_view.h"
#include "dashboard/views/trends_view.h"

namespace opscope::dashboard {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  void openStore(const QString& path);

  StoreLoader* loader() const { return m_loader; }
  RunsView* runsView() const { return m_runs; }
  CompareView* compareView() const { return m_compare; }
  OperatorsView* operatorsView() const { return m_operators; }
  TrendsView* trendsView() const { return m_trends; }
  QTabWidget* tabs() const { return m_tabs; }
  // The banner's text ("" when hidden).
  QString bannerText() const { return m_banner->isHidden() ? QString() : m_banner->text(); }

  static QStringList recentFiles();
  // How the window names a store: its path, or its URL without a password.
  static QString displayName(const QString& path);

 private:
  void showBanner(const QString& text);
  void onSelection(const QList<qint64>& ids);
  void rememberRecent(const QString& path);
  void fillRecentMenu();

  StoreLoader* m_loader;
  QLabel* m_banner;
  QTabWidget* m_tabs;
  RunsView* m_runs;
  CompareView* m_compare;
  OperatorsView* m_operators;
  TrendsView* m_trends;
  QMenu* m_recent;
  QLabel* m_status;
};

}  // namespace opscope::dashboard

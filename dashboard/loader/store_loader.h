// The dashboard's loader (the GUI-thread half): owns the loader thread and
// its StoreWorker, forwards requests to it, drops answers that a newer
// request has superseded, and watches the database file (and its -wal file)
// so the Runs view follows new runs without blocking the interface. A
// PostgreSQL store (a URL) cannot be watched: it is polled instead, one
// query for its newest run id every few seconds.
//
// Shape of hotspot's PerfParser and heaptrack's parser: requests in, data
// structs out through ...Available signals, failures as failed(QString).
#pragma once

#include <array>

#include <QFileSystemWatcher>
#include <QList>
#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include "dashboard/data/dashboard_data.h"
#include "dashboard/loader/store_worker.h"

Q_DECLARE_METATYPE(opscope::dashboard::RunList)
Q_DECLARE_METATYPE(opscope::dashboard::OperatorsData)
Q_DECLARE_METATYPE(opscope::dashboard::CompareData)
Q_DECLARE_METATYPE(opscope::dashboard::TrendData)
Q_DECLARE_METATYPE(opscope::dashboard::TrendQuery)

namespace opscope::dashboard {

class StoreLoader : public QObject {
  Q_OBJECT
 public:
  explicit StoreLoader(QObject* parent = nullptr);
  ~StoreLoader() override;  // closes the store and joins the thread

  // Opens a results store, a SQLite file or a PostgreSQL URL; on success
  // emits opened and then runsAvailable. A missing file is refused here
  // (the store would create it).
  void open(const QString& path);
  // Whether `path` is a PostgreSQL URL rather than a file.
  static bool isUrl(const QString& path);
  QString path() const { return m_path; }

  void reloadRuns();
  // 1 id: that run's ops; 2 ids: their per-op diff (first is the baseline).
  void requestOperators(const QList<qint64>& ids);
  void requestCompare(const QList<qint64>& ids);
  void requestTrend(const opscope::dashboard::TrendQuery& query);

  // How long after the last file change the runs are reloaded.
  void setReloadDelay(int ms) { m_reloadTimer.setInterval(ms); }
  // How often a PostgreSQL store is asked for its newest run.
  void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }

 signals:
  void opened(const QString& path);
  void openFailed(const QString& message);
  void runsAvailable(const opscope::dashboard::RunList& runs);
  void operatorsAvailable(const opscope::dashboard::OperatorsData& data);
  void compareAvailable(const opscope::dashboard::CompareData& data);
  void trendAvailable(const opscope::dashboard::TrendData& data);
  void failed(const QString& message);
  // The watcher (or, on PostgreSQL, the poll) saw the store change; a
  // reload follows.
  void storeChanged();

 private:
  quint64 next(RequestKind kind);
  bool current(RequestKind kind, quint64 gen) const {
    return m_latest[static_cast<int>(kind)] == gen;
  }
  void watch(const QString& path);
  void onFileEvent();

  QThread m_thread;
  StoreWorker* m_worker = nullptr;  // lives on m_thread; deleted when it ends
  QString m_path;
  quint64 m_counter = 0;
  std::array<quint64, static_cast<int>(RequestKind::kCount)> m_latest{};
  bool m_runsInFlight = false, m_runsDirty = false;
  bool m_walExists = false;
  QFileSystemWatcher m_watcher;
  QTimer m_reloadTimer;
  QTimer m_pollTimer;
  qint64 m_newestId = 0;  // of the last run list; a poll that finds another reloads
};

}  // namespace opscope::dashboard

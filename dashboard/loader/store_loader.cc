#include "dashboard/loader/store_loader.h"

#include <QFileInfo>

#include "adapters/store/store.h"

namespace opscope::dashboard {

bool StoreLoader::isUrl(const QString& path) {
  return store::is_postgres_url(path.toStdString());
}

StoreLoader::StoreLoader(QObject* parent) : QObject(parent), m_worker(new StoreWorker) {
  qRegisterMetaType<RunList>();
  qRegisterMetaType<OperatorsData>();
  qRegisterMetaType<CompareData>();
  qRegisterMetaType<TrendData>();
  qRegisterMetaType<TrendQuery>();
  m_thread.setObjectName(QStringLiteral("opscope-store-loader"));
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

  connect(m_worker, &StoreWorker::opened, this, [this](const QString& path, quint64 gen) {
    if (!current(RequestKind::kOpen, gen)) return;
    m_path = path;
    watch(path);
    emit opened(path);
    reloadRuns();
  });
  connect(m_worker, &StoreWorker::runsAvailable, this, [this](const RunList& runs, quint64 gen) {
    m_runsInFlight = false;
    if (m_runsDirty) {  // the file changed while this list was read
      m_runsDirty = false;
      reloadRuns();
    }
    if (!current(RequestKind::kRuns, gen)) return;
    m_newestId = runs.empty() ? 0 : runs.front().id;
    emit runsAvailable(runs);
  });
  connect(m_worker, &StoreWorker::newestRun, this, [this](qint64 id, const QString& path) {
    if (path != m_path || m_runsInFlight || id == m_newestId) return;
    emit storeChanged();
    reloadRuns();
  });
  connect(m_worker, &StoreWorker::operatorsAvailable, this,
          [this](const OperatorsData& d, quint64 gen) {
            if (current(RequestKind::kOperators, gen)) emit operatorsAvailable(d);
          });
  connect(m_worker, &StoreWorker::compareAvailable, this,
          [this](const CompareData& d, quint64 gen) {
            if (current(RequestKind::kCompare, gen)) emit compareAvailable(d);
          });
  connect(m_worker, &StoreWorker::trendAvailable, this, [this](const TrendData& d, quint64 gen) {
    if (current(RequestKind::kTrend, gen)) emit trendAvailable(d);
  });
  connect(m_worker, &StoreWorker::failed, this,
          [this](const QString& message, int kind, quint64 gen) {
            const auto k = static_cast<RequestKind>(kind);
            if (k == RequestKind::kRuns) m_runsInFlight = false;
            if (!current(k, gen)) return;
            if (k == RequestKind::kOpen) {
              emit openFailed(message);
            } else {
              emit failed(message);
            }
          });

  m_reloadTimer.setSingleShot(true);
  m_reloadTimer.setInterval(250);
  connect(&m_reloadTimer, &QTimer::timeout, this, [this] {
    emit storeChanged();
    reloadRuns();
  });
  m_pollTimer.setInterval(5000);
  connect(&m_pollTimer, &QTimer::timeout, this, [this] {
    if (m_path.isEmpty() || m_runsInFlight) return;
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->checkNewest(); },
                              Qt::QueuedConnection);
  });
  connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &StoreLoader::onFileEvent);
  connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
    // Other files in the folder do not matter; the -wal file coming or going does.
    if (m_path.isEmpty() || QFileInfo::exists(m_path + QStringLiteral("-wal")) == m_walExists) {
      return;
    }
    onFileEvent();
  });
  m_thread.start();
}

StoreLoader::~StoreLoader() {
  QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->close(); }, Qt::QueuedConnection);
  m_thread.quit();
  m_thread.wait();
}

quint64 StoreLoader::next(RequestKind kind) {
  return m_latest[static_cast<int>(kind)] = ++m_counter;
}

void StoreLoader::open(const QString& path) {
  // A new store supersedes every answer still on its way from the old one.
  for (int k = 0; k < static_cast<int>(RequestKind::kCount); ++k) {
    next(static_cast<RequestKind>(k));
  }
  m_runsInFlight = m_runsDirty = false;
  m_pollTimer.stop();
  m_newestId = 0;
  if (!m_watcher.files().isEmpty()) m_watcher.removePaths(m_watcher.files());
  if (!m_watcher.directories().isEmpty()) m_watcher.removePaths(m_watcher.directories());
  m_path.clear();
  const QFileInfo info(path);
  if (isUrl(path)) {
    // A server: nothing to check here; watch() polls it once it is open.
  } else if (!info.exists()) {
    emit openFailed(QStringLiteral("results store %1: no such file").arg(path));
    return;
  }
  if (info.isDir()) {
    emit openFailed(QStringLiteral("results store %1: is a folder, not a database file").arg(path));
    return;
  }
  const quint64 gen = next(RequestKind::kOpen);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, path, gen] { w->open(path, gen); },
                            Qt::QueuedConnection);
}

void StoreLoader::reloadRuns() {
  if (m_path.isEmpty()) return;
  if (m_runsInFlight) {  // one list at a time; read again when it lands
    m_runsDirty = true;
    return;
  }
  m_runsInFlight = true;
  const quint64 gen = next(RequestKind::kRuns);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, gen] { w->loadRuns(gen); },
                            Qt::QueuedConnection);
}

void StoreLoader::requestOperators(const QList<qint64>& ids) {
  const quint64 gen = next(RequestKind::kOperators);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, ids, gen] { w->loadOperators(ids, gen); },
                            Qt::QueuedConnection);
}

void StoreLoader::requestCompare(const QList<qint64>& ids) {
  const quint64 gen = next(RequestKind::kCompare);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, ids, gen] { w->loadCompare(ids, gen); },
                            Qt::QueuedConnection);
}

void StoreLoader::requestTrend(const TrendQuery& query) {
  const quint64 gen = next(RequestKind::kTrend);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, query, gen] { w->loadTrend(query, gen); },
                            Qt::QueuedConnection);
}

// The database file, its -wal file (SQLite writes new runs there first) and
// their folder (the -wal file comes and goes as writers open and close).
void StoreLoader::watch(const QString& path) {
  if (isUrl(path)) {
    m_pollTimer.start();
    return;
  }
  const QFileInfo info(path);
  const QString wal = path + QStringLiteral("-wal");
  QStringList paths{info.absoluteFilePath(), info.absolutePath()};
  m_walExists = QFileInfo::exists(wal);
  if (m_walExists) paths << QFileInfo(wal).absoluteFilePath();
  const QStringList have = m_watcher.files() + m_watcher.directories();
  for (const QString& p : paths) {
    if (!have.contains(p)) m_watcher.addPath(p);
  }
}

void StoreLoader::onFileEvent() {
  if (m_path.isEmpty()) return;
  // A file replaced by rename drops out of the watch list: add it back.
  watch(m_path);
  m_reloadTimer.start();
}

}  // namespace opscope::dashboard

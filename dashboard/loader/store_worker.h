// The half of the loader that lives on the loader thread: it owns the store
// connection (SQLite connections must not cross threads) and turns requests
// into plain data (dashboard/data), signalled back with the request's
// generation so that the GUI side can drop stale answers.
//
// Every public method runs on the loader thread: StoreLoader calls them
// through queued invocations, never directly.
#pragma once

#include <memory>

#include <QList>
#include <QObject>
#include <QString>

#include "dashboard/data/dashboard_data.h"

namespace opscope::dashboard {

// What a request asked for: the GUI side keeps the latest generation of each.
enum class RequestKind : int { kOpen, kRuns, kOperators, kCompare, kTrend, kCount };

class StoreWorker : public QObject {
  Q_OBJECT
 public:
  StoreWorker();
  ~StoreWorker() override;

  void open(const QString& path, quint64 gen);
  void loadRuns(quint64 gen);
  void loadOperators(const QList<qint64>& ids, quint64 gen);
  void loadCompare(const QList<qint64>& ids, quint64 gen);
  void loadTrend(const opscope::dashboard::TrendQuery& query, quint64 gen);
  // The newest run's id (0: none), for a store that cannot be watched as a
  // file (PostgreSQL); a failure says nothing (the next poll tries again).
  void checkNewest();
  // Closes the connection; called before the thread ends.
  void close();

 signals:
  void opened(const QString& path, quint64 gen);
  void runsAvailable(const opscope::dashboard::RunList& runs, quint64 gen);
  void operatorsAvailable(const opscope::dashboard::OperatorsData& data, quint64 gen);
  void compareAvailable(const opscope::dashboard::CompareData& data, quint64 gen);
  void trendAvailable(const opscope::dashboard::TrendData& data, quint64 gen);
  void newestRun(qint64 id, const QString& path);
  // `kind` is a RequestKind; the message names the file and the reason.
  void failed(const QString& message, int kind, quint64 gen);

 private:
  // Loads each run, or emits failed and returns false.
  bool loadAll(const QList<qint64>& ids, RequestKind kind, quint64 gen,
               std::vector<store::StoredRun>& out,
               store::LoadParts parts = store::LoadParts::kAll);

  std::unique_ptr<store::Store> m_store;
  QString m_path;
};

}  // namespace opscope::dashboard

// The dashboard on a team store: the fixture runs copied into a real
// PostgreSQL server (tests/util/postgres_server.h) and opened by URL, as
// `opscope-dashboard postgresql://...` and File > Open Connection do. The
// loader lists the same runs, answers the Operators view and, by polling,
// shows a run another process stores; the window never shows the URL's
// password.
#include <gtest/gtest.h>

#include <QSignalSpy>

#include "adapters/store/store.h"
#include "dashboard/loader/store_loader.h"
#include "dashboard/views/main_window.h"
#include "tests/dashboard/fixture_store.h"
#include "tests/util/postgres_server.h"

namespace opscope::dashboard {
namespace {

using opscope::testing::PostgresServer;

class PostgresDashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = PostgresServer::skip_reason(); !why.empty()) GTEST_SKIP() << why;
    PostgresServer& server = opscope::testing::shared_postgres_server();
    ASSERT_TRUE(server.status().ok) << server.status().message;
    url_ = server.create_unique_database("dashboard");
    ASSERT_FALSE(url_.empty()) << server.last_error();
    const std::string file = dir_.file("results.db");
    ids_ = testing::build_fixture_store(file);
    auto from = store::open_sqlite_store(file);
    auto to = store::open_postgres_store(url_, {});
    ASSERT_TRUE(from.is_ok() && to.is_ok()) << to.status().message();
    auto rows = (*from)->list_runs({});
    ASSERT_TRUE(rows.is_ok());
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {  // oldest first: same ids
      auto copied = (*to)->copy_run(*(*from)->load_run(it->id));
      ASSERT_TRUE(copied.is_ok()) << copied.status().message();
      ASSERT_EQ(copied->id, it->id);
    }
  }

  testing::ScratchDir dir_;
  std::string url_;
  testing::FixtureIds ids_;
};

TEST_F(PostgresDashboard, ListsTheRunsAndShowsTheirOperators) {
  StoreLoader loader;
  QSignalSpy runs(&loader, &StoreLoader::runsAvailable);
  loader.open(QString::fromStdString(url_));
  ASSERT_TRUE(runs.wait(10000));
  const RunList list = runs.takeFirst().at(0).value<RunList>();
  ASSERT_EQ(list.size(), static_cast<size_t>(testing::FixtureIds::kRuns));
  EXPECT_EQ(list.front().id, ids_.float_xnn_c3);  // newest first, as on SQLite
  EXPECT_EQ(list.back().tags.at("commit"), "c1");

  QSignalSpy ops(&loader, &StoreLoader::operatorsAvailable);
  loader.requestOperators({ids_.float_xnn, ids_.int8_xnn});
  ASSERT_TRUE(ops.wait(10000));
  const auto data = ops.takeFirst().at(0).value<OperatorsData>();
  EXPECT_TRUE(data.message.empty()) << data.message;
  EXPECT_EQ(data.diff.size(), 137u);
}

TEST_F(PostgresDashboard, ARunStoredMeanwhileShowsUpByPolling) {
  StoreLoader loader;
  loader.setPollInterval(100);
  QSignalSpy runs(&loader, &StoreLoader::runsAvailable);
  loader.open(QString::fromStdString(url_));
  ASSERT_TRUE(runs.wait(10000));
  const size_t before = runs.takeFirst().at(0).value<RunList>().size();
  // Another writer (a CI runner) stores a run on the server.
  auto other = store::open_postgres_store(url_, {});
  ASSERT_TRUE(other.is_ok()) << other.status().message();
  auto first = (*other)->load_run(ids_.float_xnn);
  ASSERT_TRUE(first.is_ok());
  auto id = (*other)->ingest_json(first->document, {{"commit", "c9"}});
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  QSignalSpy changed(&loader, &StoreLoader::storeChanged);
  ASSERT_TRUE(runs.wait(10000));
  const RunList after = runs.takeFirst().at(0).value<RunList>();
  EXPECT_EQ(after.size(), before + 1);
  EXPECT_EQ(after.front().id, *id);
  EXPECT_EQ(changed.size(), 1);
}

TEST_F(PostgresDashboard, TheWindowNeverShowsThePassword) {
  const std::string with_password = [&] {
    std::string u = url_;
    u.replace(u.find("opscope@"), 8, "opscope:s3cret@");
    return u;
  }();
  MainWindow window;
  QSignalSpy runs(window.loader(), &StoreLoader::runsAvailable);
  window.openStore(QString::fromStdString(with_password));
  ASSERT_TRUE(runs.wait(10000));
  EXPECT_FALSE(window.windowTitle().contains(QStringLiteral("s3cret")));
  EXPECT_TRUE(window.windowTitle().contains(QStringLiteral("postgresql://")))
      << window.windowTitle().toStdString();
  for (const QString& recent : MainWindow::recentFiles()) {
    EXPECT_FALSE(recent.contains(QStringLiteral("s3cret"))) << recent.toStdString();
  }
}

TEST_F(PostgresDashboard, AnEmptyDatabaseIsAMessageNotACrash) {
  PostgresServer& server = opscope::testing::shared_postgres_server();
  const std::string empty = server.create_unique_database("dashboard_empty");
  StoreLoader loader;
  QSignalSpy failed(&loader, &StoreLoader::openFailed);
  loader.open(QString::fromStdString(empty));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_TRUE(failed.takeFirst().at(0).toString().contains(QStringLiteral("opscope store init")));
}

}  // namespace
}  // namespace opscope::dashboard

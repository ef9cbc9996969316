// opscope-bench-dashboard [--db FILE] [--runs N] [--ops N] [--picks N] [--pg]
//
// Generates (once; cached) a results store of 10,000 runs and 2,000,000 op
// rows (about 200 per run) through the real store code, then measures the
// dashboard offscreen:
//   - from start (before the window exists) to the Runs view populated;
//   - from selecting a run to its Operators view shown (and painted), over
//     several runs; the same for a two-run per-op diff;
//   - the longest gap between ticks of a 5 ms QTimer on the GUI thread while
//     all of that loads (how long the interface could not respond).
// With --pg it copies the store into a real PostgreSQL server (started here
// as the tests start one; `opscope store push` does the same copy) and
// measures the same on its URL, then prints both side by side.
// Targets: Runs <= 1 s, Operators <= 200 ms, Trends <= 300 ms, gaps <= ~50 ms,
// the SQLite store <= 300 MiB.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <libpq-fe.h>

#include "dashboard/views/main_window.h"
#include "tests/dashboard/synthetic_runs.h"
#include "tests/util/postgres_server.h"

namespace {

using opscope::dashboard::MainWindow;
using opscope::dashboard::OperatorsView;
using opscope::dashboard::RunsView;
namespace synth = opscope::dashboard::testing;

struct Options {
  std::string db = "/tmp/opscope-bench-dashboard-10000x200.db";
  int runs = 10000, ops = 200, picks = 20;
  bool pg = false;
};

// What one store gave.
struct Figures {
  double runs_ms = 0, gap_open_ms = 0, one_median = 0, one_max = 0, two_median = 0,
         two_max = 0, gap_select_ms = 0, trends_ms = 0, gap_trends_ms = 0, size_mib = 0;
  bool ok() const {
    return runs_ms <= 1000 && one_median <= 200 && trends_ms <= 300 && gap_open_ms <= 50 &&
           gap_select_ms <= 50;
  }
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// The store the benchmark opens, generated through Store::ingest: 5 models,
// float and int8 variants, two backend lists, 1 and 2 threads, two devices,
// 100 commits; 1% of the runs failed (these have no op rows). Written to FILE.partial and renamed
// when complete, so an interrupted generation is never reused.
bool ensure_store(const Options& o) {
  if (std::filesystem::exists(o.db)) {
    std::printf("store: %s (cached; delete it to regenerate)\n", o.db.c_str());
    return true;
  }
  const std::string partial = o.db + ".partial";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(partial + suffix);
  auto opened = opscope::store::open_sqlite_store(partial);
  if (!opened.is_ok()) {
    std::fprintf(stderr, "opscope-bench-dashboard: %s\n", opened.status().message().c_str());
    return false;
  }
  auto& db = **opened;
  const auto t0 = std::chrono::steady_clock::now();
  const char* models[] = {"selfie_segmentation", "face_detection_full_range", "hand_landmark_full",
                          "embedding_model", "alexa_v0.1"};
  // Exactly o.runs * o.ops op rows: the failed runs (1%) have none, so the
  // others share their rows.
  const int failed = o.runs / 100;
  const int64_t total_rows = static_cast<int64_t>(o.runs) * o.ops;
  const int64_t per_ok = total_rows / (o.runs - failed), extra = total_rows % (o.runs - failed);
  int64_t rows = 0, ok_seen = 0;
  for (int i = 0; i < o.runs; ++i) {
    // Run i (float) and run i + 1 (its int8 twin) share backends, threads
    // and device: ids 2k+1 and 2k+2 are a float/int8 pair.
    synth::SyntheticRun s;
    const bool int8 = i % 2 == 1;
    s.model = std::string(models[(i / 16) % 5]) + (int8 ? "_int8" : "") + ".tflite";
    s.precision = int8 ? "int8" : "f32";
    s.backends = (i / 2) % 2 ? std::vector<std::string>{"cpu"}
                             : std::vector<std::string>{"xnnpack", "cpu"};
    s.threads = 1 + (i / 4) % 2;
    s.device = (i / 8) % 2 ? "pixel7" : "vm";
    s.median_ms = 2.0 + ((i / 16) % 5) * 3.0 + (int8 ? 1.5 : 0.0);
    s.samples = 30;
    s.failed = i % 100 == 99;
    const int64_t want = s.failed ? 0 : per_ok + (ok_seen++ < extra ? 1 : 0);
    s.ops = static_cast<int>(int8 ? want + want / 14 + 1 : want);  // int8 drops every 15th node, adds two
    s.seed = static_cast<uint64_t>(i) + 1;
    opscope::ResultDocument doc = synth::synthetic_document(s);
    if (doc.ops.size() > static_cast<size_t>(want)) doc.ops.resize(static_cast<size_t>(want));
    rows += static_cast<int64_t>(doc.ops.size());
    const std::string commit = "c" + std::to_string(i * 100 / o.runs);
    auto id = db.ingest(doc, {{"branch", "main"}, {"commit", commit}}, "sw-" + commit,
                        int8 ? "int8" : "float");
    if (!id.is_ok()) {
      std::fprintf(stderr, "opscope-bench-dashboard: %s\n", id.status().message().c_str());
      return false;
    }
    if ((i + 1) % 1000 == 0) {
      std::printf("  generated %d runs (%.0f s)\n", i + 1, ms_since(t0) / 1000.0);
      std::fflush(stdout);
    }
  }
  opened->reset();  // close: checkpoints the WAL into the file
  std::filesystem::rename(partial, o.db);
  std::printf("store: %s generated in %.1f s (%d runs, %lld op rows, %.0f MiB)\n", o.db.c_str(),
              ms_since(t0) / 1000.0, o.runs, static_cast<long long>(rows),
              std::filesystem::file_size(o.db) / 1048576.0);
  return true;
}

// Opens the SQLite store once, which migrates a store written by an older
// opscope (timed: it happens once in a store's life), and returns its size
// on disk in MiB, or a negative number on failure.
double open_and_size_sqlite(const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  auto opened = opscope::store::open_sqlite_store(o.db);
  if (!opened.is_ok()) {
    std::fprintf(stderr, "opscope-bench-dashboard: %s\n", opened.status().message().c_str());
    return -1;
  }
  const double open_ms = ms_since(t0);
  opened->reset();  // close: checkpoints the WAL into the file
  if (open_ms > 1000) std::printf("store: migrated to the current schema in %.1f s\n", open_ms / 1000);
  const double mib = std::filesystem::file_size(o.db) / 1048576.0;
  std::printf("store size, SQLite: %.0f MiB (%.1f KB per run); target <= 300 MiB: %s\n", mib,
              mib * 1048.576 / o.runs, mib <= 300 ? "met" : "NOT met");
  return mib;
}

// The size of the database at `url` in MiB (pg_database_size), or -1.
double postgres_mib(const std::string& url, int runs) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, "SELECT pg_database_size(current_database())");
  double mib = -1;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
    mib = std::strtod(PQgetvalue(r, 0, 0), nullptr) / 1048576.0;
    std::printf("store size, PostgreSQL: %.0f MiB (%.1f KB per run)\n", mib,
                mib * 1048.576 / runs);
  }
  PQclear(r);
  PQfinish(c);
  return mib;
}

// Runs the event loop until `done` is true or `timeout_ms` passes.
bool spin_until(const std::function<bool()>& done, int timeout_ms) {
  QElapsedTimer t;
  t.start();
  while (!done()) {
    if (t.elapsed() > timeout_ms) return false;
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
  }
  return true;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}


// Opens `store` (a file or a URL) in a new window and measures it.
bool measure(const Options& o, const std::string& store, Figures& f) {
  // The interface's responsiveness: the longest wait between 5 ms ticks.
  QElapsedTimer clock;
  qint64 last_tick = -1, worst_gap = 0;
  QTimer ticker;
  ticker.setInterval(5);
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    if (last_tick >= 0) worst_gap = std::max(worst_gap, now - last_tick);
    last_tick = now;
  });

  const auto start = std::chrono::steady_clock::now();
  MainWindow window;
  window.resize(1280, 820);
  window.show();
  int rows = -1;
  QObject::connect(window.runsView(), &RunsView::runsShown, [&](int n) { rows = n; });
  clock.start();
  ticker.start();
  window.openStore(QString::fromStdString(store));
  if (!spin_until([&] { return rows >= 0 || !window.bannerText().isEmpty(); }, 60000) || rows <= 0) {
    std::fprintf(stderr, "opscope-bench-dashboard: the Runs view did not fill: %s\n",
                 window.bannerText().toStdString().c_str());
    return false;
  }
  QCoreApplication::processEvents();  // the paint of the filled table
  const double runs_ms = f.runs_ms = ms_since(start);
  const double gap_open_ms = f.gap_open_ms = worst_gap / 1e6;
  std::printf("runs view populated: %.0f ms from start (%d rows); longest GUI gap %.1f ms\n",
              runs_ms, rows, gap_open_ms);

  // Operators of single runs, spread over the store.
  window.tabs()->setCurrentWidget(window.operatorsView());
  const auto& all = window.runsView()->model()->runs();
  std::vector<double> one, two;
  int shown = 0;
  QObject::connect(window.operatorsView(), &OperatorsView::dataShown, [&] { ++shown; });
  worst_gap = 0;
  last_tick = -1;
  for (int k = 0; k < o.picks; ++k) {
    const auto& row = all[(all.size() * static_cast<size_t>(k)) / static_cast<size_t>(o.picks)];
    const int before = shown;
    const auto t = std::chrono::steady_clock::now();
    window.runsView()->selectIds({row.id});
    if (!spin_until([&] { return shown > before; }, 10000)) return false;
    QCoreApplication::processEvents();  // paint
    one.push_back(ms_since(t));
  }
  // Two-run diffs: a float run (odd id) and its int8 twin (the next id).
  for (int k = 0; k < o.picks; ++k) {
    const qint64 float_id = 1 + 2 * ((o.runs / 2 - 1) * static_cast<qint64>(k) / o.picks);
    const int before = shown;
    const auto t = std::chrono::steady_clock::now();
    window.runsView()->selectIds({float_id, float_id + 1});
    if (!spin_until([&] { return shown > before; }, 10000)) return false;
    QCoreApplication::processEvents();
    two.push_back(ms_since(t));
  }
  const double gap_select_ms = f.gap_select_ms = worst_gap / 1e6;
  f.one_median = median_of(one);
  f.one_max = *std::max_element(one.begin(), one.end());
  f.two_median = median_of(two);
  f.two_max = *std::max_element(two.begin(), two.end());
  std::printf("operators view shown after selecting one run: median %.1f ms, max %.1f ms (%d runs of %d ops)\n",
              median_of(one), *std::max_element(one.begin(), one.end()), o.picks, o.ops);
  std::printf("per-op diff of two runs shown: median %.1f ms, max %.1f ms\n", median_of(two),
              *std::max_element(two.begin(), two.end()));
  std::printf("longest GUI gap while selecting: %.1f ms\n", gap_select_ms);

  // The Trends view: its configuration's newest runs, loaded off the GUI thread.
  worst_gap = 0;
  last_tick = -1;
  int trend_shown = 0;
  QObject::connect(window.trendsView(), &opscope::dashboard::TrendsView::dataShown,
                   [&] { ++trend_shown; });
  const auto t_trend = std::chrono::steady_clock::now();
  window.tabs()->setCurrentWidget(window.trendsView());
  if (!spin_until([&] { return trend_shown > 0; }, 60000)) return false;
  f.trends_ms = ms_since(t_trend);
  f.gap_trends_ms = worst_gap / 1e6;
  std::printf("trends view shown: %.0f ms (%d points); longest GUI gap %.1f ms\n", f.trends_ms,
              window.trendsView()->model()->rowCount(), f.gap_trends_ms);
  std::printf("targets (runs <= 1000 ms, operators <= 200 ms, trends <= 300 ms, GUI gaps <= 50 ms): %s\n",
              f.ok() ? "met" : "NOT met");
  return true;
}

// A new database on `server` holding every run of the SQLite store, copied
// oldest first (so the ids are the same); its URL, or "" on failure.
std::string copy_to_postgres(const Options& o, opscope::testing::PostgresServer& server) {
  const std::string url = server.create_unique_database("dashboard_bench");
  if (url.empty()) {
    std::fprintf(stderr, "opscope-bench-dashboard: %s\n", server.last_error().c_str());
    return "";
  }
  auto from = opscope::store::open_sqlite_store(o.db);
  auto to = opscope::store::open_postgres_store(url, {});
  if (!from.is_ok() || !to.is_ok()) {
    std::fprintf(stderr, "opscope-bench-dashboard: %s\n",
                 (from.is_ok() ? to.status() : from.status()).message().c_str());
    return "";
  }
  auto rows = (*from)->list_runs({});
  if (!rows.is_ok()) return "";
  const auto t0 = std::chrono::steady_clock::now();
  size_t n = 0;
  for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
    auto run = (*from)->load_run(it->id);
    auto copied = run.is_ok() ? (*to)->copy_run(*run) : opscope::Result<opscope::store::CopiedRun>(run.status());
    if (!copied.is_ok()) {
      std::fprintf(stderr, "opscope-bench-dashboard: %s\n", copied.status().message().c_str());
      return "";
    }
    if (++n % 1000 == 0) {
      std::printf("  copied %zu runs to PostgreSQL (%.0f s)\n", n, ms_since(t0) / 1000.0);
      std::fflush(stdout);
    }
  }
  std::printf("store: copied to PostgreSQL in %.1f s\n", ms_since(t0) / 1000.0);
  return url;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--pg") o.pg = true;
    else if (flag == "--db" && has_value) o.db = argv[++i];
    else if (flag == "--runs" && has_value) o.runs = std::stoi(argv[++i]);
    else if (flag == "--ops" && has_value) o.ops = std::stoi(argv[++i]);
    else if (flag == "--picks" && has_value) o.picks = std::stoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: opscope-bench-dashboard [--db FILE] [--runs N] [--ops N] "
                           "[--picks N] [--pg]\n");
      return 2;
    }
  }
  if (!ensure_store(o)) return 1;
  Figures lite, pg;
  lite.size_mib = open_and_size_sqlite(o);
  if (lite.size_mib < 0) return 1;
  opscope::testing::PostgresServer server;
  std::string url;
  if (o.pg) {
    if (!server.start().ok) {
      std::fprintf(stderr, "opscope-bench-dashboard: PostgreSQL: %s\n",
                   server.status().message.c_str());
      return 1;
    }
    url = copy_to_postgres(o, server);
    if (url.empty()) return 1;
    pg.size_mib = postgres_mib(url, o.runs);
  }

  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("opscope-bench"));

  std::printf("== SQLite: %s ==\n", o.db.c_str());
  if (!measure(o, o.db, lite)) return 1;
  if (!o.pg) return 0;
  std::printf("== PostgreSQL: the same runs ==\n");
  if (!measure(o, url, pg)) return 1;
  std::printf("\n%-34s %10s %12s\n", "", "SQLite", "PostgreSQL");
  const auto row = [](const char* what, double a, double b) {
    std::printf("%-34s %10.1f %12.1f\n", what, a, b);
  };
  row("runs view populated (ms)", lite.runs_ms, pg.runs_ms);
  row("operators, one run, median (ms)", lite.one_median, pg.one_median);
  row("per-op diff of two runs, median (ms)", lite.two_median, pg.two_median);
  row("trends view shown (ms)", lite.trends_ms, pg.trends_ms);
  row("store size (MiB)", lite.size_mib, pg.size_mib);
  row("longest GUI gap (ms)",
      std::max({lite.gap_open_ms, lite.gap_select_ms, lite.gap_trends_ms}),
      std::max({pg.gap_open_ms, pg.gap_select_ms, pg.gap_trends_ms}));
  return 0;
}

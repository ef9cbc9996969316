// opscope-bench-store-ingest: how fast results stores take runs, the
// figure a team sizes its store by (docs/store.md "Throughput").
//
// Runs of 200 op rows and 100 samples each (synthetic documents shaped like
// the selfie model's), stored by 1 writer and by 8 writer processes at once,
// into a SQLite file and into a real PostgreSQL server (started here, as the
// tests start one, unless --pg-url names one). Prints runs/s per case, the
// PostgreSQL/SQLite ratio, and each store's size per run.
//
//   opscope-bench-store-ingest [--runs N] [--pg-url URL] [--json]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "adapters/store/store.h"
#include "tests/dashboard/synthetic_runs.h"
#include "tests/util/postgres_server.h"
#include "tests/util/scratch_dir.h"

namespace {

using opscope::store::Store;
namespace synth = opscope::dashboard::testing;

// Run `i`'s document: 200 op rows, 100 samples, a few models and devices.
opscope::ResultDocument document(int i) {
  synth::SyntheticRun s;
  s.ops = 200;
  s.samples = 100;
  s.seed = static_cast<uint64_t>(i) + 1;
  s.model = i % 2 ? "selfie_segmentation.tflite" : "hand_landmark_lite.tflite";
  return synth::synthetic_document(s);
}

// Ingests runs [first, first + n) into `name`; false on the first failure.
bool ingest(const std::string& name, int first, int n) {
  auto store = opscope::store::open_store(name);
  if (!store.is_ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return false;
  }
  for (int i = first; i < first + n; ++i) {
    auto id = (*store)->ingest(document(i), {{"commit", std::to_string(i / 8)}}, "", "float");
    if (!id.is_ok()) {
      std::fprintf(stderr, "%s\n", id.status().message().c_str());
      return false;
    }
  }
  return true;
}

// Seconds for `writers` processes to store `runs` runs between them.
double timed_ingest(const std::string& name, int runs, int writers) {
  const auto start = std::chrono::steady_clock::now();
  if (writers == 1) {
    if (!ingest(name, 0, runs)) std::exit(1);
  } else {
    std::vector<pid_t> pids;
    for (int w = 0; w < writers; ++w) {
      const pid_t pid = fork();
      if (pid == 0) _exit(ingest(name, w * (runs / writers), runs / writers) ? 0 : 1);
      pids.push_back(pid);
    }
    for (pid_t pid : pids) {
      int status = 0;
      waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::exit(1);
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double bytes_of(const std::string& name) {
  if (!opscope::store::is_postgres_url(name)) {
    std::error_code ec;
    double bytes = static_cast<double>(std::filesystem::file_size(name, ec));
    const auto wal = std::filesystem::file_size(name + "-wal", ec);
    if (!ec) bytes += static_cast<double>(wal);
    return bytes;
  }
  PGconn* c = PQconnectdb(name.c_str());
  PGresult* r = PQexec(c, "SELECT pg_database_size(current_database())");
  const double bytes = PQresultStatus(r) == PGRES_TUPLES_OK ? std::atof(PQgetvalue(r, 0, 0)) : 0;
  PQclear(r);
  PQfinish(c);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 400;
  std::string pg_url;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::max(8, std::atoi(argv[++i]) / 8 * 8);
    } else if (!std::strcmp(argv[i], "--pg-url") && i + 1 < argc) {
      pg_url = argv[++i];
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else {
      std::fprintf(stderr,
                   "usage: opscope-bench-store-ingest [--runs N (default 400)] [--pg-url URL] "
                   "[--json]\n  Without --pg-url a PostgreSQL server is started in a scratch "
                   "folder (Debian's postgresql package).\n");
      return 2;
    }
  }
  opscope::testing::ScratchDir dir("opscope-bench-ingest");
  opscope::testing::PostgresServer server;
  const bool own_server = pg_url.empty();
  if (own_server) {
    if (!server.start().ok) {
      std::fprintf(stderr, "cannot start PostgreSQL: %s\n", server.status().message.c_str());
      return 1;
    }
  }
  nlohmann::json out = {{"runs", runs}, {"op_rows_per_run", 200}, {"samples_per_run", 100},
                        {"cases", nlohmann::json::array()}};
  std::printf("ingest: %d runs of 200 op rows and 100 samples each\n", runs);
  std::printf("%-11s %7s %9s %8s %10s\n", "store", "writers", "seconds", "runs/s", "KiB/run");
  double rate[2][2] = {};
  for (int kind = 0; kind < 2; ++kind) {
    for (int w = 0; w < 2; ++w) {
      const int writers = w == 0 ? 1 : 8;
      std::string name;
      if (kind == 0) {
        name = dir.file("w" + std::to_string(writers) + ".db");
      } else {
        name = own_server ? server.create_unique_database("ingest") : pg_url;
      }
      const double before = kind == 1 ? bytes_of(name) : 0;
      const double secs = timed_ingest(name, runs, writers);
      rate[kind][w] = runs / secs;
      const double kib = (bytes_of(name) - before) / runs / 1024;
      const char* label = kind == 0 ? "SQLite" : "PostgreSQL";
      std::printf("%-11s %7d %9.2f %8.0f %10.1f\n", label, writers, secs, rate[kind][w], kib);
      out["cases"].push_back({{"store", label}, {"writers", writers}, {"seconds", secs},
                              {"runs_per_s", rate[kind][w]}, {"kib_per_run", kib}});
    }
  }
  std::printf("PostgreSQL / SQLite runs/s: %.2f with 1 writer, %.2f with 8\n",
              rate[1][0] / rate[0][0], rate[1][1] / rate[0][1]);
  if (json) std::printf("%s\n", out.dump(1).c_str());
  return 0;
}

// Many processes writing one store at once (parallel CI jobs, device
// hosts), on SQLite and on a real PostgreSQL server:
//   - 8 writers x 100 runs of a real result document, all started on a
//     store that does not exist yet: exactly 800 runs at the end, each
//     whole, and a gate over them gives the verdict a store written
//     serially gives;
//   - 50 writers killed with SIGKILL at random moments: no run without its
//     samples, op rows, memory, stages and tags, no orphan rows, and the
//     store still takes runs.
//
// The writers are this test executable started again with
// --gtest_filter=StoreWriter.* and the job in environment variables.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "harness/compare.h"
#include "harness/gate.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

extern char** environ;

namespace opscope::store {
namespace {

using testing::Backend;

constexpr int kWriters = 8;
constexpr int kRunsPerWriter = 100;
constexpr int kKills = 50;

// The child side: ingests OPSCOPE_STORE_WRITER_RUNS copies of the document
// in OPSCOPE_STORE_WRITER_DOC into OPSCOPE_STORE_WRITER_DB.
TEST(StoreWriter, IngestsForTheParent) {
  const char* db = std::getenv("OPSCOPE_STORE_WRITER_DB");
  if (!db) GTEST_SKIP() << "only run as a writer process";
  const std::string writer = std::getenv("OPSCOPE_STORE_WRITER_ID");
  const int runs = std::atoi(std::getenv("OPSCOPE_STORE_WRITER_RUNS"));
  std::ifstream f(std::getenv("OPSCOPE_STORE_WRITER_DOC"));
  const nlohmann::json doc = nlohmann::json::parse(f);
  auto store = open_store(db);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  for (int i = 0; i < runs; ++i) {
    auto id = (*store)->ingest_json(doc, {{"writer", writer}, {"seq", std::to_string(i)}},
                                    "sweep-" + writer);
    ASSERT_TRUE(id.is_ok()) << "writer " << writer << " run " << i << ": "
                            << id.status().message();
  }
}

pid_t start_writer(const std::string& db, const std::string& doc, int writer, int runs,
                   const std::string& log) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  env_store.push_back("OPSCOPE_STORE_WRITER_DB=" + db);
  env_store.push_back("OPSCOPE_STORE_WRITER_DOC=" + doc);
  env_store.push_back("OPSCOPE_STORE_WRITER_ID=" + std::to_string(writer));
  env_store.push_back("OPSCOPE_STORE_WRITER_RUNS=" + std::to_string(runs));
  std::vector<char*> envp;
  for (std::string& s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=StoreWriter.IngestsForTheParent";
  std::string brief = "--gtest_brief=1";
  char* argv[] = {self.data(), filter.data(), brief.data(), nullptr};
  // The writer's gtest output goes to a file, shown only if it fails.
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, self.c_str(), &io, nullptr, argv, envp.data()), 0);
  posix_spawn_file_actions_destroy(&io);
  return pid;
}

// The number of runs that are not whole or rows that belong to no run.
int64_t broken_rows(const testing::FreshStore& s, size_t samples, size_t ops) {
  const auto count = [&](const std::string& sql) {
    return static_cast<int64_t>(s.scalar(sql));
  };
  int64_t n = count(
      "SELECT count(*) FROM runs r WHERE"
      " (SELECT count(*) FROM samples s WHERE s.run_id = r.id) <> " + std::to_string(samples) +
      " OR (SELECT count(*) FROM op_stats o WHERE o.run_id = r.id) <> " + std::to_string(ops) +
      " OR NOT EXISTS (SELECT 1 FROM memory m WHERE m.run_id = r.id)"
      " OR NOT EXISTS (SELECT 1 FROM stages s WHERE s.run_id = r.id)"
      " OR (SELECT count(*) FROM tags t WHERE t.run_id = r.id) <> 2");
  for (const char* table : {"samples", "op_stats", "memory", "stages", "tags"}) {
    n += count(std::string("SELECT count(*) FROM ") + table +
               " x WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = x.run_id)");
  }
  return n;
}

// The writers a gate compares: two of the base writers (0-3) and two of the
// slower ones (4-7); 200 runs a side.
constexpr int kGateWriters[] = {0, 1, kWriters / 2, kWriters / 2 + 1};

// The gate's verdict for writers 0 and 1 (base) against 4 and 5, whose
// document is slower.
std::string gate_verdict(Store& store) {
  const auto runs_of = [&](int first) {
    std::vector<StoredRun> out;
    for (int w = first; w < first + 2; ++w) {
      auto ids = store.select("sweep:sweep-" + std::to_string(w));
      EXPECT_TRUE(ids.is_ok());
      for (int64_t id : *ids) out.push_back(*store.load_run(id));
    }
    return out;
  };
  const harness::Comparison c = harness::compare_runs(runs_of(0), runs_of(kWriters / 2));
  return std::string(to_string(harness::evaluate_gate(c, {}).overall));
}

class StoreConcurrency : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::model_path("selfie_segmentation.tflite"))) {
      GTEST_SKIP() << "models not fetched";
    }
    if (auto why = testing::skip_reason(GetParam()); !why.empty()) GTEST_SKIP() << why;
    if (doc_ == nullptr) {
      doc_ = new ResultDocument(testing::real_document("selfie_segmentation.tflite"));
    }
    ASSERT_EQ(doc_->status, "ok") << doc_->error.message;
  }

  // A writer's document: writers from kWriters / 2 on ran 30% slower.
  std::string write_document(int writer) {
    ResultDocument d = *doc_;
    if (writer >= kWriters / 2) {
      for (double& ms : d.latency_ms.samples) ms *= 1.3;
      d.latency_ms.median *= 1.3;
    }
    const std::string path = dir_.file("doc" + std::to_string(writer) + ".json");
    std::ofstream(path) << to_json(d).dump();
    return path;
  }

  static inline ResultDocument* doc_ = nullptr;
  testing::ScratchDir dir_;
};

TEST_P(StoreConcurrency, EightWritersOfAHundredRunsLoseNothing) {
  testing::FreshStore shared;
  // SQLite: the writers race to create the file too. PostgreSQL: to create
  // the schema in the new database (open() below only makes the database).
  ASSERT_EQ(shared.open(GetParam()), "");
  shared.store.reset();
  if (GetParam() == Backend::kSqlite) std::filesystem::remove(shared.name);

  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(start_writer(shared.name, write_document(w), w, kRunsPerWriter,
                                   dir_.file("writer" + std::to_string(w) + ".log")));
  }
  for (int w = 0; w < kWriters; ++w) {
    int status = 0;
    ASSERT_EQ(waitpid(writers[w], &status, 0), writers[w]);
    std::ifstream log(dir_.file("writer" + std::to_string(w) + ".log"));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "writer " << w << " failed:\n" << log.rdbuf();
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  EXPECT_EQ(shared.scalar("SELECT count(*) FROM runs"), kWriters * kRunsPerWriter);
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(shared.scalar("SELECT count(DISTINCT value) FROM tags WHERE key = 'seq' AND run_id"
                            " IN (SELECT run_id FROM tags WHERE key = 'writer' AND value = '" +
                            std::to_string(w) + "')"),
              kRunsPerWriter)
        << "writer " << w;
  }
  EXPECT_EQ(broken_rows(shared, doc_->latency_ms.samples.size(), doc_->ops.size()), 0);

  // The runs the gate reads, written by one process one after the other.
  testing::FreshStore serial;
  ASSERT_EQ(serial.open(GetParam()), "");
  for (int w : kGateWriters) {
    std::ifstream f(dir_.file("doc" + std::to_string(w) + ".json"));
    const nlohmann::json doc = nlohmann::json::parse(f);
    for (int i = 0; i < kRunsPerWriter; ++i) {
      ASSERT_TRUE(serial->ingest_json(doc, {{"writer", std::to_string(w)},
                                            {"seq", std::to_string(i)}},
                                      "sweep-" + std::to_string(w))
                      .is_ok());
    }
  }
  auto concurrent = shared.reopen();
  ASSERT_TRUE(concurrent.is_ok()) << concurrent.status().message();
  const std::string verdict = gate_verdict(**concurrent);
  EXPECT_EQ(verdict, gate_verdict(*serial.store));
  EXPECT_EQ(verdict, "FAIL");  // 30% slower, 200 runs a side
  std::printf("concurrency (%s): %d writers x %d runs in %.1f s (%.0f runs/s); gate %s\n",
              GetParam() == Backend::kSqlite ? "SQLite" : "PostgreSQL", kWriters,
              kRunsPerWriter, secs, kWriters * kRunsPerWriter / secs, verdict.c_str());
}

TEST_P(StoreConcurrency, FiftyKilledWritersLeaveNoHalfWrittenRun) {
  testing::FreshStore shared;
  ASSERT_EQ(shared.open(GetParam()), "");
  const std::string doc = write_document(0);
  std::mt19937 rng(50);
  // Two writers at a time, each killed after a random 20-150 ms: at every
  // point of an ingest (and of opening the store) sooner or later.
  for (int k = 0; k < kKills; k += 2) {
    const pid_t a = start_writer(shared.name, doc, 100 + k, 100000, dir_.file("a.log"));
    const pid_t b = start_writer(shared.name, doc, 101 + k, 100000, dir_.file("b.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 130));
    kill(a, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 20));
    kill(b, SIGKILL);
    for (pid_t p : {a, b}) {
      int status = 0;
      ASSERT_EQ(waitpid(p, &status, 0), p);
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "a writer ended before it was killed";
    }
  }
  const double stored = shared.scalar("SELECT count(*) FROM runs");
  EXPECT_EQ(broken_rows(shared, doc_->latency_ms.samples.size(), doc_->ops.size()), 0);
  ASSERT_TRUE(shared->check_integrity().is_ok());
  // The store still takes runs, from this process and a new one.
  EXPECT_TRUE(shared->ingest(*doc_, {{"writer", "after"}, {"seq", "0"}}).is_ok());
  auto again = shared.reopen();
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_TRUE((*again)->ingest(*doc_, {{"writer", "after"}, {"seq", "1"}}).is_ok());
  std::printf("kills (%s): %d writers killed, %.0f runs committed before, none half-written\n",
              GetParam() == Backend::kSqlite ? "SQLite" : "PostgreSQL", kKills, stored);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConcurrency, testing::kBothBackends,
                         testing::backend_name);

}  // namespace
}  // namespace opscope::store

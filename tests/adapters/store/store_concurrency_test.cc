// Several processes writing one store at once (parallel CI jobs): four
// writers of 200 runs each, plus one writer killed with SIGKILL in the
// middle of its work. Every committed run must be there, whole, and SQLite's
// own integrity check must pass.
//
// The writers are this test executable started again with
// --gtest_filter=StoreWriter.* and the job in environment variables.
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "tests/adapters/store/store_test_util.h"

extern char** environ;

namespace opscope::store {
namespace {

using testing::ScratchDir;

constexpr int kWriters = 4;
constexpr int kRunsPerWriter = 200;

// The child side: ingests OPSCOPE_STORE_WRITER_RUNS copies of the document
// in OPSCOPE_STORE_WRITER_DOC into OPSCOPE_STORE_WRITER_DB.
TEST(StoreWriter, IngestsForTheParent) {
  const char* db = std::getenv("OPSCOPE_STORE_WRITER_DB");
  if (!db) GTEST_SKIP() << "only run as a writer process";
  const std::string writer = std::getenv("OPSCOPE_STORE_WRITER_ID");
  const int runs = std::atoi(std::getenv("OPSCOPE_STORE_WRITER_RUNS"));
  std::ifstream f(std::getenv("OPSCOPE_STORE_WRITER_DOC"));
  const nlohmann::json doc = nlohmann::json::parse(f);
  auto store = open_sqlite_store(db);
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

int64_t scalar(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement st(db, sql);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

TEST(StoreConcurrency, FourWritersAndAKilledOneLoseNothing) {
  if (!std::filesystem::exists(testing::model_path("selfie_segmentation.tflite"))) {
    GTEST_SKIP() << "models not fetched";
  }
  ScratchDir dir;
  const std::string db_path = dir.file("shared.db");
  const std::string doc_path = dir.file("doc.json");
  const ResultDocument doc = testing::real_document("selfie_segmentation.tflite");
  ASSERT_EQ(doc.status, "ok") << doc.error.message;
  std::ofstream(doc_path) << to_json(doc).dump();

  // All start on a file that does not exist yet: creation races too.
  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(start_writer(db_path, doc_path, w, kRunsPerWriter,
                                   dir.file("writer" + std::to_string(w) + ".log")));
  }
  const pid_t doomed = start_writer(db_path, doc_path, 99, 100000, dir.file("doomed.log"));
  for (int w = 0; w < kWriters; ++w) {
    int status = 0;
    ASSERT_EQ(waitpid(writers[w], &status, 0), writers[w]);
    std::ifstream log(dir.file("writer" + std::to_string(w) + ".log"));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "writer " << w << " failed:\n" << log.rdbuf();
  }
  // The doomed writer is mid-way through its runs (it has 100000 to do).
  kill(doomed, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(doomed, &status, 0), doomed);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  // What a later process sees on opening the file.
  auto store = open_sqlite_store(db_path);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  SQLite::Database db(db_path);
  {
    SQLite::Statement check(db, "PRAGMA integrity_check");
    ASSERT_TRUE(check.executeStep());
    EXPECT_EQ(check.getColumn(0).getString(), "ok");
  }
  for (int w = 0; w < kWriters; ++w) {
    const std::string w_s = std::to_string(w);
    EXPECT_EQ(scalar(db, "SELECT count(DISTINCT value) FROM tags WHERE key = 'seq' AND run_id IN"
                         " (SELECT run_id FROM tags WHERE key = 'writer' AND value = '" + w_s +
                         "')"),
              kRunsPerWriter)
        << "writer " << w;
    auto ids = (*store)->select("sweep:sweep-" + w_s);
    ASSERT_TRUE(ids.is_ok());
    EXPECT_EQ(ids->size(), static_cast<size_t>(kRunsPerWriter));
  }
  const int64_t killed_runs =
      scalar(db, "SELECT count(*) FROM runs WHERE sweep_id = 'sweep-99'");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM runs"), kWriters * kRunsPerWriter + killed_runs);
  // Every run is whole: its samples, op rows, memory and stages are there.
  const int64_t n_samples = static_cast<int64_t>(doc.latency_ms.samples.size());
  const int64_t n_ops = static_cast<int64_t>(doc.ops.size());
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM runs r WHERE"
                       " (SELECT count(*) FROM samples s WHERE s.run_id = r.id) <> " +
                           std::to_string(n_samples) +
                           " OR (SELECT count(*) FROM op_stats o WHERE o.run_id = r.id) <> " +
                           std::to_string(n_ops) +
                           " OR NOT EXISTS (SELECT 1 FROM memory m WHERE m.run_id = r.id)"
                           " OR NOT EXISTS (SELECT 1 FROM stages s WHERE s.run_id = r.id)"
                           " OR (SELECT count(*) FROM tags t WHERE t.run_id = r.id) <> 2"),
            0);
  // And the file still takes new runs.
  EXPECT_TRUE((*store)->ingest(doc, {}).is_ok());
  std::printf("concurrency: %d writers x %d runs stored, killed writer had committed %lld\n",
              kWriters, kRunsPerWriter, static_cast<long long>(killed_runs));
}

}  // namespace
}  // namespace opscope::store

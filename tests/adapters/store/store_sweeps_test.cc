// Sweeps in the store (schema version 4): a sweep and its cases round trip,
// case outcomes and status updates, "latest", a dead host read as
// incomplete; the integrity check; read-only opening.
#include <unistd.h>

#include <fstream>

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

namespace opscope::store {
namespace {

using testing::ScratchDir;

ResultDocument tiny_document() {
  ResultDocument d;
  d.model.path = "/models/m.tflite";
  d.model.name = "m.tflite";
  d.device.id = "host";
  d.latency_ms.samples = {1.0};
  d.latency_ms.count = 1;
  return d;
}

SweepRecord sweep(const std::string& id, int64_t pid) {
  SweepRecord r;
  r.id = id;
  r.host = "box";
  r.host_pid = pid;
  r.plan = {{"timeout_secs", 60}};
  return r;
}

class StoreSweeps : public testing::OnEachBackend {};

TEST_P(StoreSweeps, RoundTripsCasesAndOutcomes) {
  Store& db = *fresh_.store;
  std::vector<nlohmann::json> specs = {{{"args", {"a"}}}, {{"args", {"b"}}}, {{"args", {"c"}}}};
  ASSERT_TRUE(db.begin_sweep(sweep("sw-1", 42), specs).is_ok());
  EXPECT_EQ(db.begin_sweep(sweep("sw-1", 42), specs).code(), ErrorCode::kInvalidArgument);
  auto run = db.ingest(tiny_document(), {}, "sw-1");
  ASSERT_TRUE(run.is_ok());
  ASSERT_TRUE(db.finish_sweep_case("sw-1", 0, "ok", *run).is_ok());
  ASSERT_TRUE(db.finish_sweep_case("sw-1", 2, "failed", 0).is_ok());
  ASSERT_TRUE(db.set_sweep_status("sw-1", "incomplete", 43).is_ok());

  auto rec = db.load_sweep("latest");
  ASSERT_TRUE(rec.is_ok()) << rec.status().message();
  EXPECT_EQ(rec->id, "sw-1");
  EXPECT_EQ(rec->status, "incomplete");
  EXPECT_EQ(rec->host_pid, 43);
  EXPECT_EQ(rec->cases, 3);
  EXPECT_EQ(rec->ok, 1);
  EXPECT_EQ(rec->failed, 1);
  EXPECT_EQ(rec->plan.value("timeout_secs", 0), 60);
  auto cases = db.sweep_cases("sw-1");
  ASSERT_TRUE(cases.is_ok());
  ASSERT_EQ(cases->size(), 3u);
  EXPECT_EQ((*cases)[0].status, "ok");
  EXPECT_EQ((*cases)[0].run_id, *run);
  EXPECT_EQ((*cases)[1].status, "pending");
  EXPECT_EQ((*cases)[1].spec["args"][0], "b");
  EXPECT_EQ((*cases)[2].status, "failed");
  EXPECT_EQ((*cases)[2].run_id, 0);
  EXPECT_FALSE(db.load_sweep("sw-none").is_ok());
  auto all = db.list_sweeps(0);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSweeps, testing::kBothBackends, testing::backend_name);

TEST(StoreSweepStatus, ARunningSweepWhoseHostIsGoneIsIncomplete) {
  SweepRecord r = sweep("sw", getpid());
  r.status = "running";
  EXPECT_EQ(effective_sweep_status(r, "box"), "running");   // we are alive
  EXPECT_EQ(effective_sweep_status(r, "other"), "running"); // cannot tell: kept
  r.host_pid = 0x3ffffff0;                                  // no such process
  EXPECT_EQ(effective_sweep_status(r, "box"), "incomplete");
  r.status = "complete";
  EXPECT_EQ(effective_sweep_status(r, "box"), "complete");
}

TEST(StoreIntegrity, PassesAHealthyStoreAndRefusesADamagedOne) {
  ScratchDir dir;
  const std::string path = dir.file("c.db");
  {
    auto store = open_sqlite_store(path);
    ASSERT_TRUE(store.is_ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*store)->ingest(tiny_document(), {}).is_ok());
    EXPECT_TRUE((*store)->check_integrity().is_ok());
  }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3 * 4096);
    for (int i = 0; i < 1000; ++i) f.write("\x0d\xff\xff", 3);
  }
  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  const Status st = (*store)->check_integrity();
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("fails SQLite's integrity check"), std::string::npos)
      << st.message();
}

TEST(StoreReadOnly, ReadsWithoutWritingAndRefusesWrites) {
  ScratchDir dir;
  const std::string path = dir.file("r.db");
  {
    auto store = open_sqlite_store(path);
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE((*store)->ingest(tiny_document(), {}).is_ok());
  }
  SqliteOptions ro;
  ro.read_only = true;
  auto store = open_sqlite_store(path, ro);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  auto rows = (*store)->list_runs(RunFilter{});
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  EXPECT_EQ(rows->size(), 1u);
  EXPECT_FALSE((*store)->ingest(tiny_document(), {}).is_ok());
  EXPECT_FALSE(open_sqlite_store(dir.file("missing.db"), ro).is_ok());
}

}  // namespace
}  // namespace opscope::store

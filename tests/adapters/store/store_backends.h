// The store tests that go through the Store interface run on both
// databases (INSTANTIATE_TEST_SUITE_P(..., kBothBackends, backend_name)):
// a fresh, empty store of each, and a way to read its tables with the
// database's own client, in SQL both dialects parse.
//
// PostgreSQL is the real server tests/util/postgres_server.h starts, once
// per test binary, with a new database for every store.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "tests/adapters/store/store_test_util.h"
#include "tests/util/postgres_server.h"

namespace opscope::store::testing {

enum class Backend { kSqlite, kPostgres };

inline const auto kBothBackends = ::testing::Values(Backend::kSqlite, Backend::kPostgres);

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Why a test of `b` cannot run here ("" when it can): PostgreSQL's server
// binaries are missing and OPSCOPE_REQUIRE_POSTGRES is not set.
inline std::string skip_reason(Backend b) {
  return b == Backend::kPostgres ? opscope::testing::PostgresServer::skip_reason() : "";
}

// A new empty store: a file in a scratch folder, or a new database on the
// shared server. `name` is what --db would take.
class FreshStore {
 public:
  // A name for a store that does not exist yet (an empty database): ""
  // on success, else why not.
  std::string create(Backend backend) {
    backend_ = backend;
    if (backend == Backend::kSqlite) {
      name = dir_.file("store.db");
    } else {
      auto& server = opscope::testing::shared_postgres_server();
      if (!server.status().ok) return server.status().message;
      name = server.create_unique_database("opscope_store");
      if (name.empty()) return server.last_error();
    }
    return "";
  }

  // create(), then the store opened on it: "" on success, else why not.
  std::string open(Backend backend) {
    if (std::string why = create(backend); !why.empty()) return why;
    auto opened = reopen();
    if (!opened.is_ok()) return opened.status().message();
    store = std::move(opened).value();
    return "";
  }

  // Another connection to the same store.
  Result<std::unique_ptr<Store>> reopen() const {
    return open_store(name);
  }

  // The first column of the first row of `sql`, as a number (NULL: 0).
  double scalar(const std::string& sql) const {
    if (backend_ == Backend::kSqlite) {
      SQLite::Database db(name);
      SQLite::Statement st(db, sql);
      return st.executeStep() ? st.getColumn(0).getDouble() : 0;
    }
    double v = 0;
    with_pg(sql, [&](PGresult* r) {
      if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) v = std::strtod(PQgetvalue(r, 0, 0), nullptr);
    });
    return v;
  }

  // Runs statements that return nothing (e.g. a DELETE behind the store's
  // back); on SQLite, makes the file after create().
  void exec(const std::string& sql) const {
    if (backend_ == Backend::kSqlite) {
      SQLite::Database db(name, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec("PRAGMA foreign_keys = ON");
      db.exec(sql);
      return;
    }
    with_pg(sql, [](PGresult*) {});
  }

  Store* operator->() const { return store.get(); }

  std::string name;
  std::unique_ptr<Store> store;

 private:
  template <typename F>
  void with_pg(const std::string& sql, F&& read) const {
    PGconn* c = PQconnectdb(name.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    const ExecStatusType s = PQresultStatus(r);
    EXPECT_TRUE(s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        << sql << ": " << PQerrorMessage(c);
    read(r);
    PQclear(r);
    PQfinish(c);
  }

  Backend backend_ = Backend::kSqlite;
  ScratchDir dir_;
};

// A test run once per backend on a fresh store (skipped where PostgreSQL's
// server is missing and not required).
class OnEachBackend : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto why = skip_reason(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(fresh_.open(GetParam()), "");
  }
  FreshStore fresh_;
};

}  // namespace opscope::store::testing

// The PostgreSQL test server (postgres_server.h) against libpq: it answers,
// databases come fresh, a stopped or abandoned server is gone with its
// folder, and a missing server is a clear failure.
#include "tests/util/postgres_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "tests/util/scratch_dir.h"

namespace opscope::testing {
namespace {

namespace fs = std::filesystem;

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

Conn connect(const std::string& url) { return Conn(PQconnectdb(url.c_str()), &PQfinish); }

// The first value of the first row, or "ERROR: ..." .
std::string query_one(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) {
    out = PQgetvalue(r, 0, 0);
  } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    out = std::string("ERROR: ") + PQerrorMessage(c);
  }
  PQclear(r);
  return out;
}

// The database a url() names: postgresql://opscope@/NAME?host=...
std::string database_of(const std::string& url) {
  const size_t at = url.find("@/");
  const size_t q = url.find('?');
  return at == std::string::npos || q == std::string::npos ? "" : url.substr(at + 2, q - at - 2);
}

// A live process (not a zombie).
bool alive(pid_t pid) {
  if (pid <= 1 || kill(pid, 0) != 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const size_t p = line.rfind(')');
  return p == std::string::npos || p + 2 >= line.size() || line[p + 2] != 'Z';
}

#define SKIP_WITHOUT_POSTGRES()                                          \
  do {                                                                   \
    if (std::string why = PostgresServer::skip_reason(); !why.empty()) { \
      GTEST_SKIP() << why;                                               \
    }                                                                    \
  } while (0)

TEST(PostgresServerTest, SharedServerAnswersOnItsSocketOnly) {
  SKIP_WITHOUT_POSTGRES();
  PostgresServer& pg = shared_postgres_server();
  ASSERT_TRUE(pg.status().ok) << pg.status().message;
  EXPECT_EQ(&pg, &shared_postgres_server());

  const std::string url = pg.url();
  EXPECT_EQ(url.rfind("postgresql://opscope@/opscope_test?host=%2F", 0), 0u) << url;
  EXPECT_NE(url.find("&port=" + std::to_string(pg.port())), std::string::npos) << url;
  EXPECT_TRUE(fs::exists(pg.socket_dir() + "/.s.PGSQL." + std::to_string(pg.port())));

  Conn c = connect(url);
  ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  const std::string version = query_one(c.get(), "SELECT version()");
  EXPECT_NE(version.find("PostgreSQL"), std::string::npos) << version;
  std::printf("server: %s\n", version.c_str());
  EXPECT_EQ(query_one(c.get(), "SELECT current_database()"), "opscope_test");
  EXPECT_EQ(query_one(c.get(), "SELECT current_user"), "opscope");
  EXPECT_EQ(query_one(c.get(), "SHOW listen_addresses"), "");
  EXPECT_EQ(query_one(c.get(), "SHOW server_encoding"), "UTF8");
}

TEST(PostgresServerTest, CreateDatabaseGivesFreshEmptyDatabases) {
  SKIP_WITHOUT_POSTGRES();
  PostgresServer& pg = shared_postgres_server();
  ASSERT_TRUE(pg.status().ok) << pg.status().message;

  const std::string a = pg.create_unique_database("fixture");
  ASSERT_FALSE(a.empty()) << pg.last_error();
  const std::string b = pg.create_unique_database();
  ASSERT_FALSE(b.empty()) << pg.last_error();
  EXPECT_NE(a, b);
  const std::string name_a = database_of(a);
  EXPECT_EQ(name_a.rfind("fixture_", 0), 0u) << a;
  EXPECT_EQ(pg.url(name_a), a);

  Conn ca = connect(a);
  Conn cb = connect(b);
  ASSERT_EQ(PQstatus(ca.get()), CONNECTION_OK) << PQerrorMessage(ca.get());
  ASSERT_EQ(PQstatus(cb.get()), CONNECTION_OK) << PQerrorMessage(cb.get());
  EXPECT_EQ(query_one(ca.get(), "SELECT current_database()"), name_a);
  EXPECT_EQ(query_one(cb.get(), "SELECT current_database()"), database_of(b));

  // Separate: a table in one is not in the other.
  EXPECT_EQ(query_one(ca.get(), "CREATE TABLE runs (id integer)"), "");
  EXPECT_EQ(query_one(ca.get(), "SELECT count(*) FROM runs"), "0");
  EXPECT_EQ(query_one(cb.get(), "SELECT count(*) FROM pg_tables WHERE tablename = 'runs'"), "0");

  // Refusals say why.
  EXPECT_EQ(pg.create_database(name_a), "");
  EXPECT_NE(pg.last_error().find("already exists"), std::string::npos) << pg.last_error();
  EXPECT_EQ(pg.create_database("bad name; DROP"), "");
  EXPECT_NE(pg.last_error().find("bad name"), std::string::npos) << pg.last_error();
}

TEST(PostgresServerTest, StoppedServerIsGoneWithItsFolder) {
  SKIP_WITHOUT_POSTGRES();
  std::string url, dir;
  pid_t pid = 0;
  {
    PostgresServer pg;
    const PostgresStatus st = pg.start();
    ASSERT_TRUE(st.ok) << st.message;
    url = pg.url();
    dir = pg.socket_dir();
    pid = pg.server_pid();
    EXPECT_GT(pid, 1);
    // Beside the shared one: its own folder.
    if (shared_postgres_server().status().ok) {
      EXPECT_NE(dir, shared_postgres_server().socket_dir());
    }
    Conn c = connect(url);
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  }
  Conn c = connect(url);
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD);
  EXPECT_FALSE(fs::exists(dir)) << dir;
  EXPECT_FALSE(alive(pid)) << "postmaster " << pid;
}

// A forked copy of the test process that exits through exit() runs the
// static destructors too: it must leave the shared server alone.
TEST(PostgresServerTest, ForkedCopyLeavesTheServerRunning) {
  SKIP_WITHOUT_POSTGRES();
  PostgresServer& pg = shared_postgres_server();
  ASSERT_TRUE(pg.status().ok) << pg.status().message;
  std::fflush(nullptr);  // or the child's exit() prints our buffered output again
  const pid_t child = fork();
  if (child == 0) std::exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  Conn c = connect(pg.url());
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
}

// A process killed with its server up: the watchdog stops the server and
// removes the folder.
TEST(PostgresServerTest, KilledOwnerLeavesNoServerBehind) {
  SKIP_WITHOUT_POSTGRES();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    PostgresServer pg;
    const PostgresStatus st = pg.start();
    const std::string line = st.ok ? pg.socket_dir() + " " + std::to_string(pg.server_pid()) + "\n"
                                   : "start failed: " + st.message;
    if (write(fds[1], line.data(), line.size()) < 0) _exit(1);
    kill(getpid(), SIGKILL);
    _exit(1);
  }
  ASSERT_GT(child, 0);
  close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) got.append(buf, n);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(got.rfind("start failed", 0), std::string::npos) << got;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  const size_t space = got.find(' ');
  ASSERT_NE(space, std::string::npos) << "the child said: " << got;
  const std::string dir = got.substr(0, space);
  const pid_t pid = std::atoi(got.c_str() + space + 1);
  ASSERT_GT(pid, 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((fs::exists(dir) || alive(pid)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(fs::exists(dir)) << dir;
  EXPECT_FALSE(alive(pid)) << "postmaster " << pid;
}

TEST(PostgresServerTest, MissingBinariesFailNamingThem) {
  ScratchDir empty("opscope-pg-bindir");
  std::string bindir = empty.file("");
  bindir.pop_back();  // the trailing /
  const char* old = std::getenv("OPSCOPE_PG_BINDIR");
  const std::string saved = old ? old : "";
  setenv("OPSCOPE_PG_BINDIR", bindir.c_str(), 1);

  EXPECT_FALSE(PostgresServer::available());
  const std::string why = PostgresServer::unavailable_reason();
  EXPECT_NE(why.find("OPSCOPE_PG_BINDIR=" + bindir), std::string::npos) << why;
  EXPECT_NE(why.find("initdb"), std::string::npos) << why;
  if (!PostgresServer::required()) {
    EXPECT_NE(PostgresServer::skip_reason().find("OPSCOPE_REQUIRE_POSTGRES=1"), std::string::npos);
  }
  PostgresServer pg;
  const PostgresStatus st = pg.start();
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message, why);
  EXPECT_EQ(pg.url(), "");
  EXPECT_EQ(pg.create_database("x"), "");
  std::printf("message: %s\n", st.message.c_str());

  if (old) {
    setenv("OPSCOPE_PG_BINDIR", saved.c_str(), 1);
  } else {
    unsetenv("OPSCOPE_PG_BINDIR");
  }
}

TEST(PostgresServerTest, RequiredComesFromTheEnvironment) {
  const char* old = std::getenv("OPSCOPE_REQUIRE_POSTGRES");
  const std::string saved = old ? old : "";
  setenv("OPSCOPE_REQUIRE_POSTGRES", "1", 1);
  EXPECT_TRUE(PostgresServer::required());
  EXPECT_EQ(PostgresServer::skip_reason(), "");
  setenv("OPSCOPE_REQUIRE_POSTGRES", "0", 1);
  EXPECT_FALSE(PostgresServer::required());
  if (old) {
    setenv("OPSCOPE_REQUIRE_POSTGRES", saved.c_str(), 1);
  } else {
    unsetenv("OPSCOPE_REQUIRE_POSTGRES");
  }
}

}  // namespace
}  // namespace opscope::testing

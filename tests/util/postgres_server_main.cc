// opscope-test-postgres: the test server of postgres_server.h for the shell
// tests. Starts a private PostgreSQL, creates a database, prints its URL on
// one line, then waits until its stdin closes (or SIGTERM/SIGINT) and stops
// the server. Exit 77 (skip) when the server binaries are missing and
// OPSCOPE_REQUIRE_POSTGRES is not set; 1 when it cannot start.
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "tests/util/postgres_server.h"

namespace {
volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main() {
  using opscope::testing::PostgresServer;
  if (const std::string why = PostgresServer::skip_reason(); !why.empty()) {
    std::fprintf(stderr, "opscope-test-postgres: %s\n", why.c_str());
    return 77;
  }
  PostgresServer server;
  if (!server.start().ok) {
    std::fprintf(stderr, "opscope-test-postgres: %s\n", server.status().message.c_str());
    return 1;
  }
  const std::string url = server.create_unique_database("opscope_cli");
  if (url.empty()) {
    std::fprintf(stderr, "opscope-test-postgres: %s\n", server.last_error().c_str());
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::printf("%s\n", url.c_str());
  std::fflush(stdout);
  char buf[64];
  while (!g_stop && read(STDIN_FILENO, buf, sizeof(buf)) > 0) {
  }
  return 0;  // the destructor stops the server and removes its folder
}

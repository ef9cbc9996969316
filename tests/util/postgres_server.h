// A private PostgreSQL server for tests: initdb in a fresh folder under
// $TMPDIR (or /tmp), postgres listening on a unix socket in that folder
// only (no TCP), stopped (pg_ctl -m immediate) and removed at destruction.
// For the store tests that run against SQLite and PostgreSQL alike.
//
//   if (auto why = PostgresServer::skip_reason(); !why.empty()) GTEST_SKIP() << why;
//   PostgresServer& pg = shared_postgres_server();   // one per test binary
//   ASSERT_TRUE(pg.status().ok) << pg.status().message;
//   std::string url = pg.create_unique_database();    // a fresh, empty database
//   ASSERT_FALSE(url.empty()) << pg.last_error();
//   PGconn* c = PQconnectdb(url.c_str());
//
// The binaries: $OPSCOPE_PG_BINDIR, else the highest /usr/lib/postgresql/*/bin
// holding initdb (Debian's postgresql package). Skipped where they are
// missing, unless OPSCOPE_REQUIRE_POSTGRES=1 (scripts/test.sh sets it): then
// start() fails and so does the test.
//
// PostgreSQL refuses to run as root. As root (CI), the folder is given to the
// `postgres` user (else `nobody`) and initdb, postgres, pg_ctl and createdb
// run as that user: fork, setgroups/setgid/setuid, execve; no shell. Every
// command's output goes to a file in the folder (the server's to "log"),
// and failures quote its last lines.
//
// postgres is started directly, not with pg_ctl start: it stays this
// process's child, so the destructor reaps it (pg_ctl's postmaster is an
// orphan: a zombie until init reaps it) and a signal to its id can never
// reach a stranger that took the id over.
//
// A watchdog process (its own session) stops the server and removes the
// folder if the test process dies without running the destructor (a crash,
// SIGKILL, a timeout's kill of the test process alone).
//
// Not thread-safe: use one object from one thread at a time.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace opscope::testing {

// What start() says: ok, or a message naming the step that failed and the
// last lines of its output and of the server's log.
struct PostgresStatus {
  bool ok = false;
  std::string message;
  explicit operator bool() const { return ok; }
};

class PostgresServer {
 public:
  // The database start() creates; url()'s default.
  static constexpr const char* kDefaultDatabase = "opscope_test";
  // The superuser initdb makes (trust authentication on the socket only).
  static constexpr const char* kUser = "opscope";

  // Starts nothing: call start().
  PostgresServer() = default;
  // stop().
  ~PostgresServer() { stop(); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The folder holding the binaries (initdb, pg_ctl, postgres, createdb):
  // $OPSCOPE_PG_BINDIR when set (whatever it holds), else the highest
  // /usr/lib/postgresql/<version>/bin with an initdb; "" when none.
  static std::string bindir() {
    if (const char* env = std::getenv("OPSCOPE_PG_BINDIR"); env != nullptr && *env != '\0') {
      return env;
    }
    std::error_code ec;
    std::string best;
    std::vector<long> best_version;
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      const std::string bin = e.path().string() + "/bin";
      if (access((bin + "/initdb").c_str(), X_OK) != 0) continue;
      std::vector<long> version;  // "15" -> {15}, "9.6" -> {9, 6}
      const std::string name = e.path().filename().string();
      for (size_t i = 0; i < name.size();) {
        char* end = nullptr;
        version.push_back(std::strtol(name.c_str() + i, &end, 10));
        i = static_cast<size_t>(end - name.c_str());
        if (i < name.size() && name[i] != '.') break;
        ++i;
      }
      if (best.empty() || version > best_version) {
        best = bin;
        best_version = version;
      }
    }
    return best;
  }

  // Why start() cannot work here ("" when it can): the binaries missing, or
  // root with no user to run the server as.
  static std::string unavailable_reason() {
    const std::string dir = bindir();
    if (dir.empty()) {
      return "no PostgreSQL server: no /usr/lib/postgresql/*/bin holds initdb "
             "(apt-get install postgresql, or set OPSCOPE_PG_BINDIR)";
    }
    for (const char* tool : {"initdb", "pg_ctl", "postgres", "createdb"}) {
      if (access((dir + "/" + tool).c_str(), X_OK) != 0) {
        const char* env = std::getenv("OPSCOPE_PG_BINDIR");
        return std::string(env != nullptr && *env != '\0' ? "OPSCOPE_PG_BINDIR=" : "") + dir +
               " holds no executable " + tool;
      }
    }
    if (geteuid() == 0 && getpwnam("postgres") == nullptr && getpwnam("nobody") == nullptr) {
      return "running as root (PostgreSQL refuses to), and there is neither a 'postgres' nor "
             "a 'nobody' user to run the server as";
    }
    return "";
  }
  // True when start() can be tried: the binaries are there (and, as root, a
  // user to run them as).
  static bool available() { return unavailable_reason().empty(); }
  // True when OPSCOPE_REQUIRE_POSTGRES=1: a missing server fails the tests.
  static bool required() {
    const char* env = std::getenv("OPSCOPE_REQUIRE_POSTGRES");
    return env != nullptr && std::string(env) == "1";
  }
  // Why a test should skip: "" when the server is available or required
  // (then a missing one fails at start()).
  static std::string skip_reason() {
    if (required()) return "";
    const std::string why = unavailable_reason();
    return why.empty() ? "" : why + "; OPSCOPE_REQUIRE_POSTGRES=1 makes this a failure";
  }

  // Makes the folder, runs initdb, starts the server and creates
  // kDefaultDatabase. Once per object; a second call returns the first's
  // status. On failure everything made so far is stopped and removed.
  // Takes about 1-2 s.
  PostgresStatus start() {
    if (tried_) return status_;
    tried_ = true;
    status_ = start_steps();
    if (!status_.ok) stop();
    return status_;
  }
  // The result of start() (not ok before it is called).
  const PostgresStatus& status() const { return status_; }
  bool running() const { return server_started_; }

  // Stops the server (pg_ctl -m immediate -w, then reaps the postmaster;
  // SIGKILL when pg_ctl fails or it lingers 10 s) and removes the folder.
  // Idempotent; does nothing in a forked copy of the process that started
  // the server.
  void stop() {
    if (owner_pid_ == 0 || owner_pid_ != getpid()) return;
    if (server_pid_ > 0) {
      const Run r =
          run({bin("pg_ctl"), "-D", data_dir(), "-m", "immediate", "-w", "-t", "30", "stop"},
              "pg_ctl_stop.out", 45);
      wait_child(server_pid_, r.ok() ? 10 : 0);
      server_pid_ = 0;
    }
    server_started_ = false;
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    disarm_watchdog();
    owner_pid_ = 0;
  }

  // A libpq connection URI for `dbname` on this server, e.g.
  // postgresql://opscope@/opscope_test?host=%2Ftmp%2Fopscope-pg-Ab12Cd&port=54321
  // ("" when the server is not running).
  std::string url(const std::string& dbname = kDefaultDatabase) const {
    if (!server_started_) return "";
    return std::string("postgresql://") + kUser + "@/" + percent_encode(dbname) +
           "?host=" + percent_encode(dir_) + "&port=" + std::to_string(port_);
  }
  // The folder holding the socket (.s.PGSQL.<port>), the data, the logs.
  const std::string& socket_dir() const { return dir_; }
  // The port: only names the socket file, nothing listens on TCP.
  int port() const { return port_; }
  // The postmaster's process id (a child of this process), 0 when none.
  pid_t server_pid() const { return server_pid_; }

  // Creates the empty database `name` (letters, digits, '_'; at most 63)
  // and returns its url(); "" on failure, with the reason in last_error().
  std::string create_database(const std::string& name) {
    last_error_.clear();
    if (!server_started_) {
      last_error_ = "create_database(" + name + "): the server is not running: " + status_.message;
      return "";
    }
    const bool valid = !name.empty() && name.size() <= 63 &&
                       std::all_of(name.begin(), name.end(), [](unsigned char c) {
                         return std::isalnum(c) != 0 || c == '_';
                       });
    if (!valid) {
      last_error_ = "create_database: bad name '" + name + "' (letters, digits, _; at most 63)";
      return "";
    }
    const Run r = run({bin("createdb"), "-h", dir_, "-p", std::to_string(port_), "-U", kUser, name},
                      "createdb.out", 30);
    if (!r.ok()) {
      last_error_ = "createdb " + name + " " + r.describe() + ": " + tail(dir_ + "/createdb.out") +
                    server_log_tail();
      return "";
    }
    return url(name);
  }
  // Creates a database named `prefix`_<n> (n counts up per object) and
  // returns its url(); "" on failure (last_error()). A fresh store per test.
  std::string create_unique_database(const std::string& prefix = "opscope_t") {
    return create_database(prefix + "_" + std::to_string(++databases_made_));
  }
  // Why the last create_database failed.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Run {
    bool started = false;  // fork worked
    bool timed_out = false;
    int status = 0;  // waitpid's
    bool ok() const {
      return started && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    std::string describe() const {
      if (!started) return "could not be started (fork failed)";
      if (timed_out) return "timed out (killed)";
      if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return "could not be executed (exit 127)";
      return "failed (exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
    }
  };

  PostgresStatus fail(const std::string& message) { return {false, message}; }

  PostgresStatus start_steps() {
    owner_pid_ = getpid();
    if (std::string why = unavailable_reason(); !why.empty()) return fail(why);
    bindir_ = bindir();

    // As root: the user the server runs as.
    run_as_user_ = geteuid() == 0;
    if (run_as_user_) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr) pw = getpwnam("nobody");
      if (pw == nullptr) return fail("running as root and no 'postgres' or 'nobody' user");
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
      user_name_ = pw->pw_name;
    }

    std::string why_not_tmpdir;
    const std::string base = base_dir(&why_not_tmpdir);
    std::string tmpl = base + "/opscope-pg-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      return fail("cannot make a folder under " + base + ": " + std::strerror(errno) +
                  why_not_tmpdir);
    }
    dir_ = tmpl;
    if (run_as_user_ && chown(dir_.c_str(), uid_, gid_) != 0) {
      return fail("cannot give " + dir_ + " to user " + user_name_ + ": " + std::strerror(errno));
    }
    arm_watchdog();

    // initdb: C.UTF-8 (glibc >= 2.35 has it built in), else no locale.
    const std::string as = run_as_user_ ? " as user " + user_name_ : "";
    std::vector<std::string> initdb = {
        bin("initdb"),  "-D", data_dir(), "-U",        kUser,
        "--auth=trust", "-E", "UTF8",     "--no-sync", "--locale=C.UTF-8"};
    Run r = run(initdb, "initdb.out", 120);
    if (!r.ok()) {
      const std::string first = r.describe() + ": " + tail(dir_ + "/initdb.out");
      std::error_code ec;
      std::filesystem::remove_all(data_dir(), ec);
      initdb.back() = "--no-locale";
      r = run(initdb, "initdb.out", 120);
      if (!r.ok()) {
        return fail("initdb" + as + " in " + dir_ + " failed with --locale=C.UTF-8 (" + first +
                    ") and with --no-locale (" + r.describe() + ": " + tail(dir_ + "/initdb.out") +
                    ")");
      }
    }

    port_ = free_port();
    if (port_ <= 0) return fail(std::string("cannot find a free port: ") + std::strerror(errno));
    server_pid_ = spawn({bin("postgres"), "-D", data_dir(), "-k", dir_, "-p", std::to_string(port_),
                         "-c", "listen_addresses=", "-c", "fsync=off", "-c", "max_connections=100"},
                        "log", /*session=*/true);
    if (server_pid_ <= 0) {
      server_pid_ = 0;
      return fail(std::string("cannot fork postgres: ") + std::strerror(errno));
    }
    // Ready when postmaster.pid says so (what pg_ctl -w watches too).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (int delay_ms = 1; !server_ready();) {
      int st = 0;
      if (waitpid(server_pid_, &st, WNOHANG) == server_pid_) {
        server_pid_ = 0;
        Run exited;
        exited.started = true;
        exited.status = st;
        return fail("postgres" + as + " in " + dir_ + " " + exited.describe() + server_log_tail());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return fail("postgres" + as + " in " + dir_ + " was not ready within 30 s" +
                    server_log_tail());
      }
      sleep_ms(delay_ms);
      delay_ms = std::min(delay_ms * 2, 20);
    }
    server_started_ = true;
    r = run(
        {bin("createdb"), "-h", dir_, "-p", std::to_string(port_), "-U", kUser, kDefaultDatabase},
        "createdb.out", 30);
    if (!r.ok()) {
      return fail(std::string("createdb ") + kDefaultDatabase + " " + r.describe() + ": " +
                  tail(dir_ + "/createdb.out") + server_log_tail());
    }
    return {true, ""};
  }

  // $TMPDIR, unless the server's user could not reach it, its name holds
  // characters other than [A-Za-z0-9/._-] (unix_socket_directories is a
  // comma-separated list with quoting rules), or the socket's path
  // would pass the 107 bytes a unix socket allows: then /tmp (the reason
  // lands in *why).
  std::string base_dir(std::string* why) const {
    const char* env = std::getenv("TMPDIR");
    std::string base = env != nullptr && *env != '\0' ? env : "/tmp";
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    if (base == "/tmp") return base;
    const bool plain =
        base[0] == '/' && std::all_of(base.begin(), base.end(), [](unsigned char c) {
          return std::isalnum(c) != 0 || c == '/' || c == '_' || c == '-' || c == '.';
        });
    // "/opscope-pg-XXXXXX/.s.PGSQL.65535" is 33 bytes.
    if (!plain || base.size() + 33 > 107) {
      *why = " ($TMPDIR=" + base + " is not a plain short path, so /tmp)";
      return "/tmp";
    }
    if (run_as_user_) {
      // Every folder above must let the server's user through.
      for (std::string p = base; !p.empty(); p = p.substr(0, p.rfind('/'))) {
        struct stat st {};
        const bool through =
            stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
            ((st.st_mode & S_IXOTH) != 0 || (st.st_uid == uid_ && (st.st_mode & S_IXUSR) != 0) ||
             (st.st_gid == gid_ && (st.st_mode & S_IXGRP) != 0));
        if (!through) {
          *why = " (user " + user_name_ + " cannot reach $TMPDIR=" + base + ", so /tmp)";
          return "/tmp";
        }
      }
    }
    return base;
  }

  static int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = -1;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  std::string data_dir() const { return dir_ + "/data"; }
  std::string bin(const char* tool) const { return bindir_ + "/" + tool; }

  // postmaster.pid names our child and its status line (the 8th) "ready".
  bool server_ready() const {
    std::ifstream in(data_dir() + "/postmaster.pid");
    std::string line;
    for (int i = 0; i < 8 && std::getline(in, line); ++i) {
      if (i == 0 && line != std::to_string(server_pid_)) return false;
      if (i == 7) return line.rfind("ready", 0) == 0;
    }
    return false;
  }

  // The environment of every command: nothing of ours (no PG* variables, no
  // LD_PRELOAD of a sanitizer), HOME in the folder (no ~/.pgpass).
  std::vector<std::string> environment() const {
    std::vector<std::string> env = {"PATH=" + bindir_ + ":/usr/bin:/bin", "HOME=" + dir_,
                                    "LC_ALL=C"};
    if (const char* ld = std::getenv("LD_LIBRARY_PATH"))
      env.push_back(std::string("LD_LIBRARY_PATH=") + ld);
    return env;
  }

  struct CStrings {  // argv/envp for execve, made before fork
    std::vector<std::string> s;
    std::vector<char*> p;
    explicit CStrings(std::vector<std::string> v) : s(std::move(v)) {
      for (auto& x : s) p.push_back(x.data());
      p.push_back(nullptr);
    }
  };

  // In a forked child: only async-signal-safe calls from here on.
  static void close_fds_from(int lowest, int except) {
#ifdef SYS_close_range
    if (except < lowest) {
      if (syscall(SYS_close_range, lowest, ~0U, 0) == 0) return;
    } else if (syscall(SYS_close_range, lowest, except - 1, 0) == 0 &&
               syscall(SYS_close_range, except + 1, ~0U, 0) == 0) {
      return;
    }
#endif
    for (int fd = lowest; fd < 65536; ++fd) {
      if (fd != except) close(fd);
    }
  }
  // In a forked child: become the server's user (as root), or _exit(126).
  static void become(bool as_user, uid_t uid, gid_t gid, int err_fd) {
    if (!as_user) return;
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
      static const char msg[] = "postgres_server.h: cannot switch to the server's user\n";
      if (write(err_fd, msg, sizeof(msg) - 1) < 0) {
      }
      _exit(126);
    }
  }

  // Starts argv (argv[0] a full path) as the server's user, in the folder,
  // stdin /dev/null, stdout and stderr into <folder>/<out_name> (appended),
  // in a process group of its own (a session of its own with `session`: out
  // of the terminal's reach too). The child's id, or -1.
  pid_t spawn(const std::vector<std::string>& argv, const std::string& out_name,
              bool session = false) const {
    CStrings args(argv);
    CStrings env(environment());
    const int out =
        open((dir_ + "/" + out_name).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || null_fd < 0) {
      if (out >= 0) close(out);
      if (null_fd >= 0) close(null_fd);
      return -1;
    }
    const bool as_user = run_as_user_;
    const uid_t uid = uid_;
    const gid_t gid = gid_;
    const char* cwd = dir_.c_str();
    const pid_t pid = fork();
    if (pid == 0) {
      if (session) {
        setsid();
      } else {
        setpgid(0, 0);
      }
      if (dup2(null_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(126);
      close_fds_from(3, -1);
      become(as_user, uid, gid, 2);
      if (chdir(cwd) != 0) _exit(126);
      execve(args.p[0], args.p.data(), env.p.data());
      static const char msg[] = "postgres_server.h: execve failed\n";
      if (write(2, msg, sizeof(msg) - 1) < 0) {
      }
      _exit(127);
    }
    close(out);
    close(null_fd);
    // Also here, so that a kill of the group cannot come before the child's
    // own call. (Not for a session: setsid fails in a group leader.)
    if (pid > 0 && !session) setpgid(pid, pid);
    return pid;
  }

  // Waits for the child `pid` up to timeout_s seconds, then kills its
  // process group (its own: spawn) and reaps it.
  static Run wait_child(pid_t pid, int timeout_s) {
    Run result;
    if (pid <= 1) return result;  // never 0 or -1: kill() would reach this process
    result.started = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int delay_ms = 1;
    for (;;) {
      const pid_t w = waitpid(pid, &result.status, WNOHANG);
      if (w == pid) return result;
      if (w < 0 && errno != EINTR) {  // SIGCHLD ignored: the status is lost
        result.status = 0;
        return result;
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
      sleep_ms(delay_ms);
      delay_ms = std::min(delay_ms * 2, 20);
    }
    result.timed_out = true;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
    }
    return result;
  }

  // spawn, then wait_child: the output file starts empty.
  Run run(const std::vector<std::string>& argv, const std::string& out_name, int timeout_s) const {
    std::error_code ec;
    std::filesystem::remove(dir_ + "/" + out_name, ec);
    const pid_t pid = spawn(argv, out_name);
    if (pid < 0) return Run{};
    return wait_child(pid, timeout_s);
  }

  // A child in its own session holding the read end of a pipe: when the
  // pipe closes without a byte (this process died), it runs pg_ctl stop and
  // rm -rf on the folder; a byte (disarm_watchdog) ends it quietly.
  void arm_watchdog() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;  // no watchdog: only the destructor cleans up
    const char* rm_path = access("/bin/rm", X_OK) == 0 ? "/bin/rm" : "/usr/bin/rm";
    CStrings stop({bin("pg_ctl"), "-D", data_dir(), "-m", "immediate", "-w", "-t", "30", "stop"});
    CStrings rm({rm_path, "-rf", "--", dir_});
    CStrings env(environment());
    const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    const bool as_user = run_as_user_;
    const uid_t uid = uid_;
    const gid_t gid = gid_;
    const char* cwd = dir_.c_str();
    const pid_t pid = fork();
    if (pid == 0) {
      setsid();  // out of the test's process group: its signals do not reach here
      if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        dup2(null_fd, 2);
      }
      const int rfd = fds[0];
      close_fds_from(3, rfd);  // not our stdout: ctest waits for that to close
      char c;
      ssize_t n;
      do {
        n = read(rfd, &c, 1);
      } while (n < 0 && errno == EINTR);
      if (n == 1) _exit(0);
      const pid_t stopper = fork();
      if (stopper == 0) {
        become(as_user, uid, gid, 2);
        if (chdir(cwd) != 0) _exit(126);
        execve(stop.p[0], stop.p.data(), env.p.data());
        _exit(127);
      }
      if (stopper > 0) {
        while (waitpid(stopper, nullptr, 0) < 0 && errno == EINTR) {
        }
      }
      execve(rm.p[0], rm.p.data(), env.p.data());
      _exit(127);
    }
    if (null_fd >= 0) close(null_fd);
    close(fds[0]);
    if (pid < 0) {
      close(fds[1]);
      return;
    }
    watchdog_pid_ = pid;
    watchdog_fd_ = fds[1];
  }
  void disarm_watchdog() {
    if (watchdog_fd_ >= 0) {
      const char c = 'x';
      if (write(watchdog_fd_, &c, 1) < 0) {
      }
      close(watchdog_fd_);
      watchdog_fd_ = -1;
    }
    if (watchdog_pid_ > 0) {
      while (waitpid(watchdog_pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      watchdog_pid_ = 0;
    }
  }

  static void sleep_ms(int ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }

  // The last `lines` lines of a file, on one line each after " | ".
  static std::string tail(const std::string& path, size_t lines = 12) {
    std::ifstream in(path);
    if (!in) return "(no " + path + ")";
    std::deque<std::string> last;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      last.push_back(line);
      if (last.size() > lines) last.pop_front();
    }
    if (last.empty()) return "(" + path + " is empty)";
    std::string text;
    for (const auto& l : last) text += (text.empty() ? "" : " | ") + l;
    return text;
  }
  std::string server_log_tail() const { return "; server log: " + tail(dir_ + "/log"); }

  static std::string percent_encode(const std::string& s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }

  PostgresStatus status_{false, "start() was not called"};
  bool tried_ = false;
  bool server_started_ = false;
  pid_t owner_pid_ = 0;
  std::string bindir_;
  std::string dir_;
  int port_ = 0;
  bool run_as_user_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::string user_name_;
  pid_t server_pid_ = 0;
  pid_t watchdog_pid_ = 0;
  int watchdog_fd_ = -1;
  int databases_made_ = 0;
  std::string last_error_;
};

// One server per test binary, started at the first call (check status()),
// stopped at exit.
inline PostgresServer& shared_postgres_server() {
  static PostgresServer server;
  static const bool started = (server.start(), true);
  (void)started;
  return server;
}

}  // namespace opscope::testing

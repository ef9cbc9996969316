// The ssh transport against a real OpenSSH server on 127.0.0.1: commands,
// exit codes, stderr, the held-open stdin, copies both ways, the failures
// of the link (wrong key, unknown host key, closed port, a full disk) and
// the reuse of one connection. No timing is asserted; waits have generous
// deadlines.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/devices/local_process.h"
#include "adapters/devices/ssh_transport.h"
#include "tests/adapters/devices/sshd_fixture.h"

namespace opscope::devices {
namespace {

namespace fs = std::filesystem;
using testing::SshdTest;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits up to `secs` for `done()`.
template <typename F>
bool eventually(F done, double secs = 30) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string describe_of(const SshTarget& t) {
  return "ssh://" + t.user + "@" + t.host + ":" + std::to_string(t.port);
}

class SshTransportTest : public SshdTest {
 protected:
  std::unique_ptr<Transport> open() {
    return make_ssh_transport(sshd_->target(), sshd_->identity(), "");
  }
  CommandResult run_ok(Transport& t, const std::string& command, bool capture_stderr = false) {
    CommandOptions o;
    o.capture_stderr = capture_stderr;
    o.limits.timeout_secs = 60;
    auto r = t.run(command, o);
    EXPECT_TRUE(r.is_ok()) << command << ": " << r.status().to_string();
    return r.is_ok() ? *r : CommandResult{};
  }
  std::string fresh_key() {
    const std::string key = sshd_->dir() + "/not_authorized";
    std::string out, err;
    auto r = run_local_captured("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", key},
                                ProcessLimits{}, &out, &err);
    EXPECT_TRUE(r.is_ok() && r->exit_code == 0) << err;
    return key;
  }
};

TEST_F(SshTransportTest, DescribesItself) {
  auto t = open();
  EXPECT_EQ(t->kind(), "ssh");
  EXPECT_EQ(t->describe(), describe_of(sshd_->target()));
  EXPECT_EQ(t->workdir(), ".cache/opscope-device");
  EXPECT_FALSE(t->shares_filesystem());
  EXPECT_EQ(make_ssh_transport({"", "pi.local", 0}, "", "/data/x")->describe(), "ssh://pi.local");
  EXPECT_EQ(make_ssh_transport({"", "pi.local", 0}, "", "/data/x")->workdir(), "/data/x");
  EXPECT_EQ(make_ssh_transport({"u", "::1", 2222}, "", "")->describe(), "ssh://u@[::1]:2222");
}

TEST_F(SshTransportTest, EchoRoundTrip) {
  auto t = open();
  const CommandResult r = run_ok(*t, "echo hello; printf 'it'\\''s %s' \"$((6 * 7))\"");
  EXPECT_EQ(r.out, "hello\nit's 42");
  EXPECT_EQ(r.process.exit_code, 0);
  EXPECT_FALSE(r.process.signaled);
  EXPECT_FALSE(r.process.timed_out);
}

TEST_F(SshTransportTest, CommandStartingWithADashIsNotAnOption) {
  auto t = open();
  EXPECT_EQ(run_ok(*t, "-V 2>/dev/null; echo ran").out, "ran\n");
}

TEST_F(SshTransportTest, ExitCodesPropagate) {
  auto t = open();
  EXPECT_EQ(run_ok(*t, "exit 0").process.exit_code, 0);
  EXPECT_EQ(run_ok(*t, "exit 3").process.exit_code, 3);
  // ssh's own failures are 255 too: the command's 255 must stay an exit code.
  const CommandResult r = run_ok(*t, "echo before; exit 255");
  EXPECT_EQ(r.process.exit_code, 255);
  EXPECT_EQ(r.out, "before\n");
  EXPECT_EQ(run_ok(*t, "exit 4").process.exit_code, 4);  // the link is still fine
}

TEST_F(SshTransportTest, CapturesStderrWhenAsked) {
  auto t = open();
  const CommandResult r = run_ok(*t, "echo to-out; echo to-err >&2; exit 2", true);
  EXPECT_EQ(r.out, "to-out\n");
  EXPECT_EQ(r.err, "to-err\n");
  EXPECT_EQ(r.process.exit_code, 2);
  // Not asked: it goes to our stderr, never into out.
  const CommandResult p = run_ok(*t, "echo to-out; echo to-err-passed-through >&2", false);
  EXPECT_EQ(p.out, "to-out\n");
  EXPECT_EQ(p.err, "");
}

// The remote command's stdin is our pipe, held open while it runs: `cat`
// blocks on it. When the process that holds the pipe dies, the device sees
// EOF and `cat` returns (the runner's --exit-on-stdin-eof relies on it).
TEST_F(SshTransportTest, StdinStaysOpenAndItsEofReachesTheDevice) {
  auto t = open();
  run_ok(*t, "true");  // the control master is up before the fork
  const std::string started = sshd_->dir() + "/started";
  const std::string finished = sshd_->dir() + "/finished";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The "host" process: runs the command and is killed while it waits.
    CommandOptions o;
    (void)t->run("touch " + started + "; cat >/dev/null; touch " + finished, o);
    _exit(0);
  }
  ASSERT_TRUE(eventually([&] { return fs::exists(started); }));
  // With stdin at /dev/null (ssh -n) `cat` would end at once. Not a timing
  // assertion that can fail falsely: a slow machine only makes it weaker.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_FALSE(fs::exists(finished)) << "the remote stdin was not held open";
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, WNOHANG), 0) << "run() returned while the pipe was open";
  kill(child, SIGKILL);
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(eventually([&] { return fs::exists(finished); }))
      << "the device never saw EOF after the host process died";
}

// The same, when the process that dies is the one that started the device
// shell (the session): its end closes the command's stdin.
TEST_F(SshTransportTest, SessionStdinEofReachesTheDeviceWhenTheHostDies) {
  auto t = open();
  const std::string started = sshd_->dir() + "/started";
  const std::string finished = sshd_->dir() + "/finished";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    CommandOptions o;
    o.limits.timeout_secs = 60;
    (void)t->run("true", o);  // the session starts in this process
    (void)t->run("touch " + started + "; cat >/dev/null; touch " + finished, o);
    _exit(0);
  }
  ASSERT_TRUE(eventually([&] { return fs::exists(started); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_FALSE(fs::exists(finished)) << "the remote stdin was not held open";
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(eventually([&] { return fs::exists(finished); }))
      << "the device never saw EOF after the host process died";
}

// Many commands of one transport go through one device shell: the login
// shell starts once (same $$ each time), exit status, stdout and stderr
// stay each command's own, and any byte but NUL may be in a command.
TEST_F(SshTransportTest, ManyCommandsThroughOneDeviceShell) {
  auto t = open();
  std::string shell;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    const CommandResult r = run_ok(*t, "echo \"$$\"; printf o" + n + "; echo e" + n +
                                           " >&2; exit " + std::to_string(i % 5),
                                   true);
    const std::string pid = r.out.substr(0, r.out.find('\n'));
    if (i == 0) shell = pid;
    EXPECT_EQ(pid, shell) << "command " << i << " ran in another shell";
    EXPECT_EQ(r.out, pid + "\no" + n);
    EXPECT_EQ(r.err, "e" + n + "\n");
    EXPECT_EQ(r.process.exit_code, i % 5);
  }
  std::string bytes;
  for (int b = 1; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  EXPECT_EQ(run_ok(*t, "printf '%s' " + shell_quote(bytes)).out, bytes);
  // A path of any bytes (no NUL, no slash in the name) made and read back.
  const std::string odd = sshd_->dir() + "/" + bytes.substr(0, 46) + bytes.substr(47);
  EXPECT_EQ(run_ok(*t, "printf x > " + shell_quote(odd) + " && cat " + shell_quote(odd)).out,
            "x");
  // A runner killed by a signal comes back as 128+N, on the same shell.
  EXPECT_EQ(run_ok(*t, "sh -c 'kill -SEGV $$'").process.exit_code, 128 + SIGSEGV);
  const CommandResult last = run_ok(*t, "echo \"$$\"");
  EXPECT_EQ(last.out, shell + "\n");
}

// The link killed while a command waits on its stdin (as the runner does):
// run() reports the device unreachable, and the command on the device sees
// its stdin close (the runner would exit). The next command reconnects.
TEST_F(SshTransportTest, LinkKilledMidCommandEndsTheCommand) {
  auto t = open();
  run_ok(*t, "true");
  const std::string pidfile = sshd_->dir() + "/sshd_session_pid";
  const std::string finished = sshd_->dir() + "/finished";
  std::thread killer([&] {
    ASSERT_TRUE(eventually([&] { return !read_file(pidfile).empty(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // $PPID of the device shell: the connection's sshd process.
    kill(std::atoi(read_file(pidfile).c_str()), SIGKILL);
  });
  CommandOptions o;
  o.limits.timeout_secs = 60;
  auto r = t->run("echo $PPID > " + pidfile + ".tmp && mv " + pidfile + ".tmp " + pidfile +
                      "; cat >/dev/null; touch " + finished,
                  o);
  killer.join();
  ASSERT_FALSE(r.is_ok()) << "exit " << r->process.exit_code;
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceUnreachable) << r.status().to_string();
  EXPECT_NE(r.status().message().find(describe_of(sshd_->target()) + ": run: "),
            std::string::npos)
      << r.status().message();
  EXPECT_TRUE(eventually([&] { return fs::exists(finished); }))
      << "the command on the device never saw its stdin close";
  EXPECT_EQ(run_ok(*t, "echo again").out, "again\n");
}

// OPSCOPE_SSH_SESSION=0: one ssh per command, as before the device shell.
TEST_F(SshTransportTest, OneSshPerCommandWhenTheSessionIsOff) {
  setenv("OPSCOPE_SSH_SESSION", "0", 1);
  auto t = open();
  unsetenv("OPSCOPE_SSH_SESSION");
  const CommandResult a = run_ok(*t, "echo \"$$\"; echo err >&2; exit 3", true);
  const CommandResult b = run_ok(*t, "echo \"$$\"");
  EXPECT_EQ(a.process.exit_code, 3);
  EXPECT_EQ(a.err, "err\n");
  EXPECT_NE(a.out.substr(0, a.out.find('\n')) + "\n", b.out) << "one shell for both";
}

TEST_F(SshTransportTest, PushPullRoundTripOfEveryByteValue) {
  auto t = open();
  const std::string local = sshd_->dir() + "/bytes.bin";
  std::string data;
  for (int rep = 0; rep < 300; ++rep) {
    for (int b = 0; b < 256; ++b) data.push_back(static_cast<char>((b + rep) & 0xff));
  }
  std::ofstream(local, std::ios::binary) << data;
  fs::create_directory(sshd_->dir() + "/remote");
  const std::string remote = sshd_->dir() + "/remote/bytes.bin";

  EXPECT_EQ(t->bytes_pushed(), 0);
  ASSERT_TRUE(t->push(local, remote).is_ok());
  EXPECT_EQ(t->bytes_pushed(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(read_file(remote), data);
  const std::string back = sshd_->dir() + "/back.bin";
  const Status pulled = t->pull(remote, back);
  ASSERT_TRUE(pulled.is_ok()) << pulled.to_string();
  EXPECT_EQ(read_file(back), data);
  EXPECT_EQ(t->bytes_pushed(), static_cast<int64_t>(data.size()));  // pulls do not count
  ASSERT_TRUE(t->push(local, remote).is_ok());
  EXPECT_EQ(t->bytes_pushed(), 2 * static_cast<int64_t>(data.size()));

  // An empty file and a relative local path.
  const fs::path cwd = fs::current_path();
  fs::current_path(sshd_->dir());
  std::ofstream("empty.bin").close();
  ASSERT_TRUE(t->push("empty.bin", sshd_->dir() + "/remote/empty.bin").is_ok());
  EXPECT_TRUE(fs::exists(sshd_->dir() + "/remote/empty.bin"));
  fs::current_path(cwd);
}

TEST_F(SshTransportTest, FullDiskOnTheDeviceIsDeviceIo) {
  auto t = open();
  const std::string local = sshd_->dir() + "/big.bin";
  std::ofstream(local, std::ios::binary) << std::string(200000, 'x');
  // /dev/full: every write fails with ENOSPC, as on a full SD card.
  const Status s = t->push(local, "/dev/full");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kDeviceIo) << s.to_string();
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(describe_of(sshd_->target()) + ": push"), std::string::npos)
      << s.message();
  EXPECT_EQ(t->bytes_pushed(), 0);
}

TEST_F(SshTransportTest, MissingFilesAreReported) {
  auto t = open();
  const Status pulled = t->pull(sshd_->dir() + "/no-such-file", sshd_->dir() + "/x");
  ASSERT_FALSE(pulled.is_ok());
  EXPECT_EQ(pulled.code(), ErrorCode::kDeviceIo) << pulled.to_string();
  EXPECT_NE(pulled.message().find("No such file"), std::string::npos) << pulled.message();
  EXPECT_NE(pulled.message().find(": pull "), std::string::npos) << pulled.message();
  const Status pushed = t->push(sshd_->dir() + "/no-such-file", sshd_->dir() + "/y");
  ASSERT_FALSE(pushed.is_ok());
  EXPECT_EQ(pushed.code(), ErrorCode::kIoError) << pushed.to_string();
}

TEST_F(SshTransportTest, RejectsAKeyNotInAuthorizedKeys) {
  auto t = make_ssh_transport(sshd_->target(), fresh_key(), "");
  const std::string where = describe_of(sshd_->target());
  auto r = t->run("true", {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceAuth) << r.status().to_string();
  EXPECT_NE(r.status().message().find(where + ": run: "), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("Permission denied"), std::string::npos)
      << r.status().message();
  const std::string local = sshd_->dir() + "/f";
  std::ofstream(local) << "x";
  const Status p = t->push(local, sshd_->dir() + "/g");
  EXPECT_EQ(p.code(), ErrorCode::kDeviceAuth) << p.to_string();
  EXPECT_NE(p.message().find(where + ": push "), std::string::npos) << p.message();
  EXPECT_EQ(t->bytes_pushed(), 0);
}

TEST_F(SshTransportTest, RejectsAnUnknownHostKey) {
  const std::string empty = sshd_->dir() + "/empty_known_hosts";
  std::ofstream(empty).close();
  setenv("OPSCOPE_SSH_OPTIONS",
         ("-o UserKnownHostsFile=" + empty + " -o StrictHostKeyChecking=yes").c_str(), 1);
  auto t = open();
  auto r = t->run("true", {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceAuth) << r.status().to_string();
  EXPECT_NE(r.status().message().find("Host key verification failed"), std::string::npos)
      << r.status().message();
}

TEST_F(SshTransportTest, ClosedPortIsUnreachable) {
  // A port the kernel gave us and that nobody listens on any more.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  close(fd);
  SshTarget target = sshd_->target();
  target.port = ntohs(a.sin_port);

  auto t = make_ssh_transport(target, sshd_->identity(), "");
  auto r = t->run("true", {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceUnreachable) << r.status().to_string();
  EXPECT_NE(r.status().message().find(describe_of(target) + ": run: "), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("Connection refused"), std::string::npos)
      << r.status().message();
  const Status p = t->pull("/etc/hostname", sshd_->dir() + "/h");
  EXPECT_EQ(p.code(), ErrorCode::kDeviceUnreachable) << p.to_string();
  EXPECT_NE(p.message().find("Connection refused"), std::string::npos) << p.message();
}

TEST_F(SshTransportTest, ConnectionLostMidCommandIsUnreachable) {
  auto t = open();
  // The command kills the server process of its own connection.
  auto r = t->run("kill -9 $PPID; sleep 5", {});
  ASSERT_FALSE(r.is_ok()) << "exit " << r->process.exit_code;
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceUnreachable) << r.status().to_string();
  // The next command reconnects.
  EXPECT_EQ(run_ok(*t, "echo again").out, "again\n");
}

TEST_F(SshTransportTest, TimeoutKillsTheCommand) {
  auto t = open();
  CommandOptions o;
  o.limits.timeout_secs = 1;
  auto r = t->run("cat >/dev/null", o);  // never ends while our stdin is open
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->process.timed_out);
  EXPECT_TRUE(r->process.signaled);
  EXPECT_EQ(run_ok(*t, "echo after").out, "after\n");
}

TEST_F(SshTransportTest, CancelKillsTheCommand) {
  auto t = open();
  std::atomic<int> cancel{1};
  CommandOptions o;
  o.limits.cancel = &cancel;
  auto r = t->run("cat >/dev/null", o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->process.cancelled);
}

// One transport, one connection: every command of it arrives over the same
// TCP connection (same client port in SSH_CONNECTION, same sshd session
// process), and the session ends with the transport.
TEST_F(SshTransportTest, ReusesOneConnection) {
  const std::string probe = "echo \"$SSH_CONNECTION\" $PPID";
  std::string first, second, third, other;
  {
    auto t = open();
    first = run_ok(*t, probe).out;
    second = run_ok(*t, probe).out;
    const std::string local = sshd_->dir() + "/f";
    std::ofstream(local) << "x";
    ASSERT_TRUE(t->push(local, sshd_->dir() + "/g").is_ok());
    third = run_ok(*t, probe).out;
    other = run_ok(*open(), probe).out;
  }
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, third);
  EXPECT_NE(first, other);  // another transport: another connection
  // The destructor closed the master: the session's sshd process goes.
  const pid_t session = std::atoi(first.substr(first.rfind(' ') + 1).c_str());
  ASSERT_GT(session, 1);
  EXPECT_TRUE(eventually([&] { return kill(session, 0) != 0; }))
      << "the ssh session " << session << " outlived its transport";
}

}  // namespace
}  // namespace opscope::devices

// ShellSession against this machine's `sh` (the device shell of an ssh
// session is one too; ssh_transport_test runs it over a real sshd): many
// commands through one shell, exit status, stdout and stderr kept apart
// and whole, every byte value in a command, the time limit, and the shell
// going away mid-command.
#include "adapters/devices/shell_session.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "adapters/devices/transport.h"

namespace opscope::devices {
namespace {

namespace fs = std::filesystem;

template <typename F>
bool eventually(F done, double secs = 30) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

class ShellSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscope-shell-session-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // rc-file chatter before the shell answers must not reach any command.
    auto r = s_.start("sh", {"-c", "echo chatter; echo chatter >&2; exec sh"}, limits(30));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_TRUE(r->done);
    ASSERT_TRUE(s_.alive());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static ProcessLimits limits(double secs) {
    ProcessLimits l;
    l.timeout_secs = secs;
    return l;
  }
  SessionOutcome run(const std::string& cmd, std::string* out, std::string* err,
                     double secs = 30) {
    return s_.run(cmd, limits(secs), out, err);
  }
  ShellSession s_;
  std::string dir_;
};

TEST_F(ShellSessionTest, ManyCommandsOneShell) {
  std::string first_pid;
  for (int i = 0; i < 60; ++i) {
    std::string out, err;
    const SessionOutcome o =
        run("echo \"$$\"; printf 'n%d' " + std::to_string(i) + "; echo e" + std::to_string(i) +
                " >&2; exit " + std::to_string(i % 7),
            &out, &err);
    ASSERT_TRUE(o.done) << i;
    EXPECT_EQ(o.process.exit_code, i % 7) << i;
    const std::string pid = out.substr(0, out.find('\n'));
    if (i == 0) first_pid = pid;
    EXPECT_EQ(pid, first_pid) << "command " << i << " ran in another shell";
    EXPECT_EQ(out, pid + "\nn" + std::to_string(i)) << i;
    EXPECT_EQ(err, "e" + std::to_string(i) + "\n") << i;
  }
  EXPECT_TRUE(s_.alive());
}

TEST_F(ShellSessionTest, EveryByteValueAndShellSyntaxInACommand) {
  std::string all;
  for (int b = 1; b < 256; ++b) all.push_back(static_cast<char>(b));
  all += "\n\n";  // trailing newlines are the command's, not the marker's
  std::string out, err;
  SessionOutcome o = run("printf '%s' " + shell_quote(all), &out, &err);
  ASSERT_TRUE(o.done);
  EXPECT_EQ(o.process.exit_code, 0);
  EXPECT_EQ(out, all);
  // exit, cd and a syntax error stay in their command's subshell; a
  // leading dash is no option; a command the same as a marker's start.
  EXPECT_EQ(run("cd /; exit 3", &out, &err).process.exit_code, 3);
  EXPECT_EQ(run("-V 2>/dev/null; pwd", &out, &err).process.exit_code, 0);
  EXPECT_NE(out, "/\n");
  o = run("echo 'unbalanced ( \" quote", &out, &err);
  ASSERT_TRUE(o.done);
  EXPECT_NE(o.process.exit_code, 0);
  o = run("printf '\\n__opscope_rc_x=1\\n'; printf '\\n__opscope_end_' >&2", &out, &err);
  ASSERT_TRUE(o.done);
  EXPECT_EQ(out, "\n__opscope_rc_x=1\n");
  EXPECT_EQ(err, "\n__opscope_end_");
  EXPECT_EQ(run("echo still here", &out, &err).process.exit_code, 0);
  EXPECT_EQ(out, "still here\n");
}

TEST_F(ShellSessionTest, SignalsComeBackAs128PlusN) {
  std::string out, err;
  const SessionOutcome o = run("sh -c 'kill -SEGV $$'", &out, &err);
  ASSERT_TRUE(o.done);
  EXPECT_EQ(o.process.exit_code, 128 + SIGSEGV);
  EXPECT_TRUE(s_.alive());
}

TEST_F(ShellSessionTest, StdinStaysOpenWhileACommandRuns) {
  // `cat` waits on the session's stdin: only the time limit ends it, and it
  // ends the session (the caller starts another).
  std::string out, err;
  const SessionOutcome o = run("echo started; cat >/dev/null; echo finished", &out, &err, 1);
  ASSERT_TRUE(o.done);
  EXPECT_TRUE(o.process.timed_out);
  EXPECT_TRUE(o.process.signaled);
  EXPECT_EQ(out, "started\n");
  EXPECT_FALSE(s_.alive());
  EXPECT_TRUE(run("true", &out, &err).ended);
}

TEST_F(ShellSessionTest, CancelEndsTheSession) {
  std::atomic<int> cancel{0};
  ProcessLimits l;
  l.cancel = &cancel;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = 1;
  });
  std::string out, err;
  const SessionOutcome o = s_.run("sleep 30", l, &out, &err);
  t.join();
  ASSERT_TRUE(o.done);
  EXPECT_TRUE(o.process.cancelled);
  EXPECT_FALSE(s_.alive());
}

TEST_F(ShellSessionTest, ShellGoneMidCommandIsEnded) {
  std::string out, err;
  const SessionOutcome o = run("echo partial; kill -9 $$; sleep 5", &out, &err);
  EXPECT_FALSE(o.done);
  EXPECT_TRUE(o.ended);
  EXPECT_TRUE(o.client.signaled);
  EXPECT_EQ(o.client.signal, SIGKILL);
  EXPECT_FALSE(s_.alive());
}

// The session's end (here: its destructor, as when the host goes away)
// closes the stdin of a command still running in it.
TEST(ShellSessionEnd, ClosingTheSessionClosesTheCommandsStdin) {
  char tmpl[] = "/tmp/opscope-shell-session-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string finished = dir + "/finished";
  {
    ShellSession s;
    ProcessLimits l;
    l.timeout_secs = 30;
    ASSERT_TRUE(s.start("sh", {}, l)->done);
    // A process left in the background with the session's stdin (a
    // background job gets /dev/null unless given it explicitly: fd 3).
    std::string out, err;
    const SessionOutcome o = s.run("exec 3<&0; (cat <&3 >/dev/null; touch " +
                                       shell_quote(finished) + ") >/dev/null 2>&1 & exec 3<&-",
                                   l, &out, &err);
    ASSERT_TRUE(o.done);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(fs::exists(finished));
  }
  EXPECT_TRUE(eventually([&] { return fs::exists(finished); }));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(ShellSessionStart, AClientThatEndsFirstIsEnded) {
  ShellSession s;
  ProcessLimits l;
  l.timeout_secs = 30;
  auto r = s.start("sh", {"-c", "echo refused >&2; exit 255"}, l);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->ended);
  EXPECT_EQ(r->client.exit_code, 255);
  EXPECT_FALSE(s.alive());
  ShellSession t;
  EXPECT_FALSE(t.start("/no/such/program", {}, l).is_ok());
}

}  // namespace
}  // namespace opscope::devices

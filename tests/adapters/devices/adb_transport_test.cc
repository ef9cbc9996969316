// The adb transport through the real adb client, against adb_test_server.py:
// a server speaking the adb host protocol whose one device is this machine
// (its shell is /bin/sh here, its files are our files). Commands, exit codes
// (through our marker), stderr, stdin, copies both ways, and the failures
// adb reports (unknown serial, unauthorized, offline, a full disk), with and
// without the shell protocol. What this does not prove (adbd itself,
// Android's sh, SELinux) is in docs/devices.md.
//
// Skipped where adb or python3 is missing, unless OPSCOPE_REQUIRE_ADB=1
// (scripts/test.sh): then it fails.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/devices/adb_transport.h"
#include "adapters/devices/local_process.h"

extern char** environ;

namespace opscope::devices {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSerial = "opscope-test-1";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename F>
bool eventually(F done, double secs = 20) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

bool on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::istringstream in(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string adb_program() {
  const char* a = std::getenv("OPSCOPE_ADB");
  return (a != nullptr && *a != '\0') ? a : "adb";
}

class AdbTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const bool have = on_path(adb_program()) && on_path("python3");
    const char* req = std::getenv("OPSCOPE_REQUIRE_ADB");
    if (!have) {
      if (req != nullptr && std::string(req) == "1") {
        FAIL() << "adb or python3 is missing and OPSCOPE_REQUIRE_ADB=1";
      }
      GTEST_SKIP() << "adb or python3 is missing";
    }
    char dir[] = "/tmp/opscope-adb-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }

  void TearDown() override {
    stop();
    unsetenv("ANDROID_ADB_SERVER_PORT");
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  // Starts the test server with `options`, waits for its port file and
  // points ANDROID_ADB_SERVER_PORT at it.
  void start(std::vector<std::string> options = {}) {
    const std::string port_file = dir_ + "/port";
    std::vector<std::string> args = {"python3", OPSCOPE_ADB_TEST_SERVER, "--port", "0",
                                     "--port-file", port_file, "--serial", kSerial};
    args.insert(args.end(), options.begin(), options.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    const std::string log = dir_ + "/server.log";
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "python3", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ASSERT_EQ(rc, 0) << "cannot start python3";
    server_pid_ = pid;
    // Until the port file exists, an adb call would start adb's own server.
    std::string port;
    ASSERT_TRUE(eventually([&] {
      port = read_file(port_file);
      while (!port.empty() && std::isspace(static_cast<unsigned char>(port.back()))) {
        port.pop_back();
      }
      return !port.empty();
    })) << "the test server did not start: " << read_file(log);
    setenv("ANDROID_ADB_SERVER_PORT", port.c_str(), 1);
  }

  void stop() {
    if (server_pid_ <= 0) return;
    kill(server_pid_, SIGTERM);
    int status = 0;
    const bool ended = eventually([&] { return waitpid(server_pid_, &status, WNOHANG) != 0; }, 5);
    if (!ended) {
      kill(server_pid_, SIGKILL);
      waitpid(server_pid_, &status, 0);
    }
    server_pid_ = 0;
  }

  std::unique_ptr<Transport> open(const std::string& serial = kSerial) {
    return make_adb_transport(serial, dir_ + "/work");
  }

  CommandResult run_ok(Transport& t, const std::string& command, bool capture_stderr = false) {
    CommandOptions o;
    o.capture_stderr = capture_stderr;
    o.limits.timeout_secs = 30;
    auto r = t.run(command, o);
    EXPECT_TRUE(r.is_ok()) << command << ": " << r.status().to_string();
    return r.is_ok() ? *r : CommandResult{};
  }

  std::string dir_;
  pid_t server_pid_ = 0;
};

TEST_F(AdbTransportTest, DescribesItself) {
  auto t = open();
  EXPECT_EQ(t->kind(), "adb");
  EXPECT_EQ(t->describe(), std::string("adb:") + kSerial);
  EXPECT_EQ(t->workdir(), dir_ + "/work");
  EXPECT_FALSE(t->shares_filesystem());
  auto any = make_adb_transport("", "");
  EXPECT_EQ(any->describe(), "adb:");
  EXPECT_EQ(any->workdir(), "/data/local/tmp/opscope");
}

TEST_F(AdbTransportTest, StdoutAndExitCodes) {
  start();
  auto t = open();
  CommandResult r = run_ok(*t, "echo hello");
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_EQ(r.process.exit_code, 0);
  EXPECT_FALSE(r.process.signaled);
  r = run_ok(*t, "printf 'no newline'; exit 3");
  EXPECT_EQ(r.out, "no newline");
  EXPECT_EQ(r.process.exit_code, 3);
  // The serial may be left out when one device is attached.
  auto any = make_adb_transport("", dir_ + "/work");
  EXPECT_EQ(run_ok(*any, "echo any").out, "any\n");
}

TEST_F(AdbTransportTest, CapturesStderrWhenAsked) {
  start();
  auto t = open();
  CommandResult r = run_ok(*t, "echo out; echo err >&2; exit 2", /*capture_stderr=*/true);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.process.exit_code, 2);
}

TEST_F(AdbTransportTest, PushPullRoundTripOfEveryByteValue) {
  start();
  auto t = open();
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const std::string local = dir_ + "/all.bin";
  std::ofstream(local, std::ios::binary) << bytes;
  fs::create_directories(dir_ + "/work");
  const std::string remote = dir_ + "/work/remote.bin";
  ASSERT_TRUE(t->push(local, remote).is_ok());
  EXPECT_EQ(t->bytes_pushed(), 256);
  EXPECT_EQ(read_file(remote), bytes);
  const std::string back = dir_ + "/back.bin";
  auto pulled = t->pull(remote, back);
  ASSERT_TRUE(pulled.is_ok()) << pulled.to_string();
  EXPECT_EQ(read_file(back), bytes);
  EXPECT_EQ(t->bytes_pushed(), 256);  // a pull counts nothing

  Status missing = t->pull(dir_ + "/work/no-such-file", dir_ + "/x");
  EXPECT_EQ(missing.code(), ErrorCode::kDeviceIo) << missing.to_string();
  EXPECT_NE(missing.message().find(std::string("adb:") + kSerial + ": pull"), std::string::npos)
      << missing.message();
}

TEST_F(AdbTransportTest, UnknownSerialIsUnreachableAndNamed) {
  start();
  auto t = open("no-such-phone");
  auto r = t->run("true", CommandOptions{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceUnreachable) << r.status().to_string();
  EXPECT_NE(r.status().message().find("adb:no-such-phone: run"), std::string::npos)
      << r.status().message();
}

TEST_F(AdbTransportTest, UnauthorizedIsDeviceAuth) {
  start({"--state", "unauthorized"});
  auto t = open();
  Status s = t->push(dir_ + "/port", dir_ + "/copy");
  EXPECT_EQ(s.code(), ErrorCode::kDeviceAuth) << s.to_string();
  EXPECT_NE(s.message().find(std::string("adb:") + kSerial + ": push"), std::string::npos)
      << s.message();
  EXPECT_EQ(t->bytes_pushed(), 0);
}

TEST_F(AdbTransportTest, OfflineIsUnreachable) {
  start({"--state", "offline"});
  auto t = open();
  auto r = t->run("true", CommandOptions{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeviceUnreachable) << r.status().to_string();
  EXPECT_NE(r.status().message().find("offline"), std::string::npos) << r.status().message();
}

TEST_F(AdbTransportTest, FullDiskIsDeviceIo) {
  start({"--disk-bytes", "100"});
  auto t = open();
  const std::string local = dir_ + "/big.bin";
  std::ofstream(local, std::ios::binary) << std::string(1000, 'x');
  Status s = t->push(local, dir_ + "/copy.bin");
  EXPECT_EQ(s.code(), ErrorCode::kDeviceIo) << s.to_string();
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::string("adb:") + kSerial + ": push"), std::string::npos)
      << s.message();
  EXPECT_EQ(t->bytes_pushed(), 0);
}

// With the shell protocol the command's stdin is our pipe, held open while
// it runs; when the process holding it dies, adb sends the end of stdin and
// `cat` returns (the runner's --exit-on-stdin-eof relies on it).
TEST_F(AdbTransportTest, ShellV2ForwardsStdinAndItsEof) {
  start();
  auto t = open();
  EXPECT_TRUE(t->forwards_stdin());
  const std::string started = dir_ + "/started";
  const std::string finished = dir_ + "/finished";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    (void)t->run("touch " + started + "; cat >/dev/null; touch " + finished, CommandOptions{});
    _exit(0);
  }
  ASSERT_TRUE(eventually([&] { return fs::exists(started); }));
  // With stdin at /dev/null `cat` would end at once; a slow machine only
  // makes this weaker, never false.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_FALSE(fs::exists(finished)) << "the device's stdin was not held open";
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(eventually([&] { return fs::exists(finished); }))
      << "the device never saw the end of stdin";
}

// An old device (no shell protocol): no stdin to watch, but exit codes come
// through the marker and stderr is still kept apart from stdout.
TEST_F(AdbTransportTest, WithoutShellV2) {
  start({"--no-shell-v2"});
  auto t = open();
  EXPECT_FALSE(t->forwards_stdin());
  CommandResult r = run_ok(*t, "echo out; echo err >&2; exit 3", /*capture_stderr=*/true);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.process.exit_code, 3);
  r = run_ok(*t, "cat; echo done");  // stdin is /dev/null: cat ends at once
  EXPECT_EQ(r.out, "done\n");
  EXPECT_EQ(r.process.exit_code, 0);
  r = run_ok(*t, "printf x; exit 0");
  EXPECT_EQ(r.out, "x");
  EXPECT_EQ(r.process.exit_code, 0);
  // Its stderr file on the device is gone afterwards.
  for (const auto& e : fs::directory_iterator(dir_ + "/work")) {
    ADD_FAILURE() << "left on the device: " << e.path();
  }
}

TEST_F(AdbTransportTest, TimeoutKillsTheCommand) {
  start();
  auto t = open();
  const std::string finished = dir_ + "/finished";
  CommandOptions o;
  o.limits.timeout_secs = 1;
  auto r = t->run("sleep 2; touch " + finished, o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->process.timed_out);
  EXPECT_TRUE(r->process.signaled);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  EXPECT_FALSE(fs::exists(finished)) << "the command on the device outlived the time limit";
  EXPECT_EQ(run_ok(*t, "echo after").out, "after\n");
}

}  // namespace
}  // namespace opscope::devices

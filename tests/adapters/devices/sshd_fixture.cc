#include "tests/adapters/devices/sshd_fixture.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "adapters/devices/local_process.h"

#ifndef OPSCOPE_START_SSHD_SCRIPT
#error "OPSCOPE_START_SSHD_SCRIPT: the path of start_sshd.sh (tests/adapters/devices/ssh_tests.cmake)"
#endif

namespace opscope::devices::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSshd = "/usr/sbin/sshd";

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool required() {
  const char* env = std::getenv("OPSCOPE_REQUIRE_SSHD");
  return env != nullptr && std::string(env) == "1";
}

}  // namespace

Result<std::unique_ptr<SshdServer>> SshdServer::start() {
  char tmpl[] = "/tmp/opscope-sshd-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return Status(ErrorCode::kIoError, "cannot make a temporary folder for sshd");
  }
  std::unique_ptr<SshdServer> s(new SshdServer);
  s->dir_ = tmpl;
  std::string out, err;
  ProcessLimits limits;
  limits.timeout_secs = 60;
  OPSCOPE_ASSIGN_OR_RETURN(
      ProcessOutcome o,
      run_local_captured("/bin/bash", {OPSCOPE_START_SSHD_SCRIPT, s->dir_}, limits, &out, &err));
  const std::string pid = read_line(s->dir_ + "/sshd.pid");
  if (!pid.empty()) s->pid_ = std::atoi(pid.c_str());
  if (o.signaled || o.exit_code != 0) {
    return Status(ErrorCode::kIoError, "start_sshd.sh failed: " + err);
  }
  s->port_ = std::atoi(read_line(s->dir_ + "/port").c_str());
  s->ssh_options_ = read_line(s->dir_ + "/ssh_options");
  if (s->port_ <= 0 || s->pid_ <= 0 || s->ssh_options_.empty()) {
    return Status(ErrorCode::kIoError, "start_sshd.sh left no port, pid or options in " + s->dir_);
  }
  return s;
}

SshdServer::~SshdServer() {
  if (pid_ > 0 && kill(pid_, SIGTERM) == 0) {
    // sshd is the script's child, not ours: we cannot wait for it, only
    // watch for it to go.
    for (int i = 0; i < 500 && kill(pid_, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (kill(pid_, 0) == 0) kill(pid_, SIGKILL);
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

SshTarget SshdServer::target() const {
  SshTarget t;
  if (const passwd* pw = getpwuid(getuid())) t.user = pw->pw_name;
  t.host = "127.0.0.1";
  t.port = port_;
  return t;
}

bool sshd_expected() { return required() || access(kSshd, X_OK) == 0; }

void SshdTest::SetUp() {
  if (!sshd_expected()) {
    GTEST_SKIP() << kSshd << " is not installed (apt-get install openssh-server); "
                 << "OPSCOPE_REQUIRE_SSHD=1 makes this a failure";
  }
  auto server = SshdServer::start();
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  sshd_ = std::move(server).value();
  if (const char* old = std::getenv("OPSCOPE_SSH_OPTIONS")) {
    had_options_ = true;
    saved_options_ = old;
  }
  setenv("OPSCOPE_SSH_OPTIONS", sshd_->ssh_options().c_str(), 1);
}

void SshdTest::TearDown() {
  if (had_options_) {
    setenv("OPSCOPE_SSH_OPTIONS", saved_options_.c_str(), 1);
  } else {
    unsetenv("OPSCOPE_SSH_OPTIONS");
  }
  sshd_.reset();
}

}  // namespace opscope::devices::testing

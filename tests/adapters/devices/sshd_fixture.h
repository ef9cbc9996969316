// A private OpenSSH server on 127.0.0.1 for tests (start_sshd.sh), and a
// gtest fixture that starts one per test.
//
// Skipped (GTEST_SKIP) where /usr/sbin/sshd is missing, unless
// OPSCOPE_REQUIRE_SSHD=1 (scripts/test.sh sets it): then the test fails.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "adapters/devices/device_spec.h"
#include "engine/status.h"

namespace opscope::devices::testing {

class SshdServer {
 public:
  // Runs start_sshd.sh in a fresh temporary folder.
  static Result<std::unique_ptr<SshdServer>> start();
  // Stops sshd (SIGTERM, then SIGKILL after 5 s) and removes the folder.
  // Sessions still open keep their own sshd processes until they end:
  // destroy the transports first.
  ~SshdServer();
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  int port() const { return port_; }
  // The server's folder (private, 0700): files a test puts here are the
  // "device's" files too, since the device is this machine.
  const std::string& dir() const { return dir_; }
  // A client key the server accepts.
  std::string identity() const { return dir_ + "/id_ed25519"; }
  // What OPSCOPE_SSH_OPTIONS must hold to reach it (its known_hosts).
  const std::string& ssh_options() const { return ssh_options_; }
  // {this user, 127.0.0.1, port}.
  SshTarget target() const;

 private:
  SshdServer() = default;
  std::string dir_;
  int port_ = 0;
  int pid_ = 0;
  std::string ssh_options_;
};

// True when sshd is installed; true too when OPSCOPE_REQUIRE_SSHD=1 (the
// test then fails on its own if it is not).
bool sshd_expected();

// A fresh server per test, with OPSCOPE_SSH_OPTIONS set to reach it for
// the duration of the test (the ssh transport reads it when it is made).
class SshdTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<SshdServer> sshd_;

 private:
  std::string saved_options_;
  bool had_options_ = false;
};

}  // namespace opscope::devices::testing

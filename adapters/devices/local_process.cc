#include "adapters/devices/local_process.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

extern char** environ;

namespace opscope::devices {

using Clock = std::chrono::steady_clock;

namespace {

// Waits for `pid` to end, killing it at `deadline` when one is given, or
// when *cancel becomes non-zero. Polls (every 5 ms) when there is either:
// waitpid has no timeout, and a SIGCHLD handler would be process-global
// state for a library to own. A blocking waitpid interrupted by a signal
// (EINTR) looks at *cancel too.
Result<int> wait_for(pid_t pid, const std::string& program,
                     std::optional<Clock::time_point> deadline,
                     const std::atomic<int>* cancel, ProcessOutcome& out) {
  int status = 0;
  bool killed = false;
  for (;;) {
    const bool poll = !killed && (deadline || cancel);
    const pid_t r = waitpid(pid, &status, poll ? WNOHANG : 0);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) {
      return Status(ErrorCode::kInternal,
                    "waitpid failed for " + program + ": " + std::strerror(errno));
    }
    if (killed) continue;
    if (cancel && cancel->load() != 0) {
      kill(pid, SIGKILL);
      out.cancelled = killed = true;
    } else if (deadline && Clock::now() >= *deadline) {
      kill(pid, SIGKILL);
      out.timed_out = killed = true;
    } else if (r == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

}  // namespace

Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args) {
  return run_local_process(program, args, ProcessLimits{});
}

Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args,
                                         const ProcessLimits& limits) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  const auto start = Clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), nullptr, nullptr,
                             argv.data(), environ);
  if (rc != 0) {
    return Status(ErrorCode::kIoError,
                  "cannot start " + program + ": " + std::strerror(rc));
  }
  std::optional<Clock::time_point> deadline;
  if (limits.timeout_secs > 0) {
    deadline = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(limits.timeout_secs));
  }
  ProcessOutcome out;
  auto status = wait_for(pid, program, deadline, limits.cancel, out);
  if (!status.is_ok()) return status.status();
  out.wall_secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (WIFSIGNALED(*status)) {
    out.signaled = true;
    out.signal = WTERMSIG(*status);
  } else {
    out.exit_code = WEXITSTATUS(*status);
  }
  return out;
}

std::string default_runner_path() {
  if (const char* env = std::getenv("OPSCOPE_RUNNER"); env && *env) return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "opscope-runner";
  return (self.parent_path() / "opscope-runner").string();
}

}  // namespace opscope::devices

#include "adapters/devices/local_process.h"

#include <fcntl.h>
#include <poll.h>
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

namespace opscope::devices {
namespace {

// Reads what is there on a non-blocking fd; false at EOF or error.
bool drain(int fd, std::string* into) {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      if (into) into->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;  // EOF or a real error
  }
}

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
  bool open() { return pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

}  // namespace

Result<ProcessOutcome> run_local_captured(const std::string& program,
                                          const std::vector<std::string>& args,
                                          const ProcessLimits& limits, std::string* out,
                                          std::string* err, const std::string& input) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Pipe in, o, e;
  if (!in.open() || !o.open() || (err && !e.open())) {
    return Status(ErrorCode::kIoError, std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&fa, o.fd[1], 1);
  if (err) posix_spawn_file_actions_adddup2(&fa, e.fd[1], 2);
  const auto start = Clock::now();
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    return Status(ErrorCode::kIoError, "cannot start " + program + ": " + std::strerror(rc));
  }
  in.close_end(0);
  o.close_end(1);
  e.close_end(1);
  // A short input fits the pipe buffer; a child that never reads it must not block us.
  if (!input.empty()) {
    signal(SIGPIPE, SIG_IGN);
    fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
    (void)!write(in.fd[1], input.data(), input.size());
  }
  fcntl(o.fd[0], F_SETFL, O_NONBLOCK);
  if (err) fcntl(e.fd[0], F_SETFL, O_NONBLOCK);
  std::optional<Clock::time_point> deadline;
  if (limits.timeout_secs > 0) {
    deadline = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(limits.timeout_secs));
  }
  ProcessOutcome result;
  bool out_open = true, err_open = err != nullptr, killed = false;
  int status = 0;
  for (;;) {
    pollfd fds[2];
    int n = 0;
    if (out_open) fds[n++] = {o.fd[0], POLLIN, 0};
    if (err_open) fds[n++] = {e.fd[0], POLLIN, 0};
    if (n > 0) poll(fds, n, 5);
    if (out_open) out_open = drain(o.fd[0], out);
    if (err_open) err_open = drain(e.fd[0], err);
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (out_open) drain(o.fd[0], out);
      if (err_open) drain(e.fd[0], err);
      break;
    }
    if (r < 0 && errno != EINTR) {
      return Status(ErrorCode::kInternal, "waitpid failed for " + program + ": " + std::strerror(errno));
    }
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (killed) continue;
    if (limits.cancel && limits.cancel->load() != 0) {
      kill(pid, SIGKILL);
      result.cancelled = killed = true;
    } else if (deadline && Clock::now() >= *deadline) {
      kill(pid, SIGKILL);
      result.timed_out = killed = true;
    }
  }
  result.wall_secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.signal = WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace opscope::devices

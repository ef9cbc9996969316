#include "adapters/devices/shell_session.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

#include "adapters/devices/transport.h"

extern char** environ;

namespace opscope::devices {
namespace {

double now_secs() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Reads what is there on a non-blocking fd; false at EOF or error.
bool drain(int fd, std::string* into) {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      into->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;
  }
}

void write_fully(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// How many bytes at the end of `text` could be the start of `marker`.
size_t partial_marker(const std::string& text, const std::string& marker) {
  for (size_t k = std::min(text.size(), marker.size() - 1); k > 0; --k) {
    if (text.compare(text.size() - k, k, marker, 0, k) == 0) return k;
  }
  return 0;
}

std::string random_tag() {
  std::random_device rd;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x%08x%08x", rd(), rd(), rd());
  return buf;
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

ShellSession::ShellSession() : tag_(random_tag()) {}

ShellSession::~ShellSession() {
  const bool mine = owner_ == getpid();
  close_fd(in_);  // the device's shell reads EOF and ends
  if (mine && pid_ > 0 && !reaped_) {
    const double until = now_secs() + 2;
    while (!reap(false) && now_secs() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!reaped_) kill_client();
  }
  close_fd(out_);
  close_fd(err_);
}

bool ShellSession::reap(bool block) {
  if (reaped_ || pid_ <= 0) return reaped_;
  for (;;) {
    const pid_t r = waitpid(pid_, &status_, block ? 0 : WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      ready_ = false;
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {  // not our child (any more): nothing to wait for
      reaped_ = true;
      ready_ = false;
      status_ = 0;
      return true;
    }
    return false;
  }
}

void ShellSession::kill_client() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    reap(true);
  }
  ready_ = false;
  close_fd(in_);
}

Result<SessionOutcome> ShellSession::start(const std::string& program,
                                           const std::vector<std::string>& args,
                                           const ProcessLimits& limits) {
  started_ = now_secs();
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    return Status(ErrorCode::kIoError, std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]), close(in[1]);
    return Status(ErrorCode::kIoError, std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    return Status(ErrorCode::kIoError, std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]), close(out[1]), close(err[1]);
  if (rc != 0) {
    close(in[1]), close(out[0]), close(err[0]);
    return Status(ErrorCode::kIoError, "cannot start " + program + ": " + std::strerror(rc));
  }
  // A device that went away while we write must not kill us with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  pid_ = pid;
  owner_ = getpid();
  in_ = in[1], out_ = out[0], err_ = err[0];
  for (int fd : {in_, out_, err_}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  const std::string ready = "__opscope_ready_" + tag_ + "\n";
  const double deadline = limits.timeout_secs > 0 ? started_ + limits.timeout_secs
                                                  : std::numeric_limits<double>::infinity();
  SessionOutcome o;
  Wait w = Wait::kDone;
  if (write_all("echo __opscope_ready_" + tag_ + "; echo __opscope_ready_" + tag_ + " >&2\n",
                deadline, limits, &w)) {
    w = pump([&] {
      return out_buf_.find(ready) != std::string::npos &&
             err_buf_.find(ready) != std::string::npos;
    }, deadline, limits, false, "");
  }
  o.process.wall_secs = now_secs() - started_;
  switch (w) {
    case Wait::kDone:
      out_buf_.erase(0, out_buf_.find(ready) + ready.size());
      err_buf_.erase(0, err_buf_.find(ready) + ready.size());
      ready_ = true;
      o.done = true;
      break;
    case Wait::kTimedOut:
    case Wait::kCancelled:
      o.done = true;
      o.process.timed_out = w == Wait::kTimedOut;
      o.process.cancelled = w == Wait::kCancelled;
      o.process.signaled = true;
      o.process.signal = SIGKILL;
      break;
    case Wait::kEnded:
      o.ended = true;
      break;
  }
  if (o.ended) {
    o.client.signaled = WIFSIGNALED(status_);
    o.client.signal = o.client.signaled ? WTERMSIG(status_) : 0;
    o.client.exit_code = o.client.signaled ? -1 : WEXITSTATUS(status_);
  }
  return o;
}

bool ShellSession::write_all(const std::string& text, double deadline,
                             const ProcessLimits& limits, Wait* why) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = write(in_, text.data() + done, text.size() - done);
    if (w > 0) {
      done += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno != EAGAIN) {  // EPIPE: the client is gone
      reap(true);
      *why = Wait::kEnded;
      return false;
    }
    if (reap(false)) {
      *why = Wait::kEnded;
      return false;
    }
    if (limits.cancel && limits.cancel->load() != 0) {
      kill_client();
      *why = Wait::kCancelled;
      return false;
    }
    if (now_secs() >= deadline) {
      kill_client();
      *why = Wait::kTimedOut;
      return false;
    }
    pollfd p{in_, POLLOUT, 0};
    poll(&p, 1, 10);
  }
  return true;
}

template <typename F>
ShellSession::Wait ShellSession::pump(F finished, double deadline, const ProcessLimits& limits,
                                      bool pass_err, const std::string& err_marker) {
  for (;;) {
    if (!out_eof_) out_eof_ = !drain(out_, &out_buf_);
    if (!err_eof_) err_eof_ = !drain(err_, &err_buf_);
    if (pass_err && !err_buf_.empty()) {
      // Pass on what is known to be the command's, now.
      const size_t at = err_buf_.find(err_marker);
      const size_t n = at != std::string::npos
                           ? at
                           : err_buf_.size() - partial_marker(err_buf_, err_marker);
      if (n > 0) {
        write_fully(STDERR_FILENO, err_buf_.data(), n);
        err_buf_.erase(0, n);
      }
    }
    if (finished()) return Wait::kDone;
    if (reaped_) return Wait::kEnded;
    if (reap(false)) {
      // Ended: what it wrote before is still in the pipes.
      if (!out_eof_) drain(out_, &out_buf_);
      if (!err_eof_) drain(err_, &err_buf_);
      if (finished()) return Wait::kDone;
      return Wait::kEnded;
    }
    if (limits.cancel && limits.cancel->load() != 0) {
      kill_client();
      return Wait::kCancelled;
    }
    if (now_secs() >= deadline) {
      kill_client();
      return Wait::kTimedOut;
    }
    pollfd fds[2];
    int n = 0;
    if (!out_eof_) fds[n++] = {out_, POLLIN, 0};
    if (!err_eof_) fds[n++] = {err_, POLLIN, 0};
    if (n > 0) {
      poll(fds, n, 10);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

SessionOutcome ShellSession::run(const std::string& command, const ProcessLimits& limits,
                                 std::string* out, std::string* err) {
  SessionOutcome o;
  const double start = now_secs();
  auto ended = [&] {
    reap(true);
    o.ended = true;
    o.client.signaled = WIFSIGNALED(status_);
    o.client.signal = o.client.signaled ? WTERMSIG(status_) : 0;
    o.client.exit_code = o.client.signaled ? -1 : WEXITSTATUS(status_);
    o.process.wall_secs = now_secs() - start;
    ready_ = false;
    return o;
  };
  if (!alive() || owner_ != getpid()) return ended();
  const std::string rc_marker = "\n__opscope_rc_" + tag_ + "=";
  const std::string end_marker = "\n__opscope_end_" + tag_ + "\n";
  // Leftovers of an earlier command (a background process it left that
  // still writes) are not this one's.
  out_buf_.clear();
  err_buf_.clear();
  const std::string line = "( eval " + shell_quote(" " + command) +
                           " ); __opscope_r=$?; printf '\\n%s%d\\n' '__opscope_rc_" + tag_ +
                           "=' \"$__opscope_r\"; printf '\\n%s\\n' '__opscope_end_" + tag_ +
                           "' >&2\n";
  const double deadline = limits.timeout_secs > 0 ? start + limits.timeout_secs
                                                  : std::numeric_limits<double>::infinity();
  size_t rc_at = std::string::npos, rc_end = std::string::npos;
  auto finished = [&] {
    if (rc_end == std::string::npos) {
      rc_at = out_buf_.find(rc_marker);
      if (rc_at != std::string::npos) rc_end = out_buf_.find('\n', rc_at + rc_marker.size());
      if (rc_end == std::string::npos) return false;
    }
    return err_buf_.find(end_marker) != std::string::npos;
  };
  Wait w = Wait::kDone;
  if (write_all(line, deadline, limits, &w)) {
    w = pump(finished, deadline, limits, err == nullptr, end_marker);
  }
  o.process.wall_secs = now_secs() - start;
  if (w == Wait::kEnded) return ended();
  o.done = true;
  if (w == Wait::kTimedOut || w == Wait::kCancelled) {
    o.process.timed_out = w == Wait::kTimedOut;
    o.process.cancelled = w == Wait::kCancelled;
    o.process.signaled = true;
    o.process.signal = SIGKILL;
    if (out) *out = out_buf_;
    if (err) *err = err_buf_;
    return o;
  }
  o.process.exit_code =
      std::atoi(out_buf_.substr(rc_at + rc_marker.size(), rc_end - rc_at - rc_marker.size()).c_str());
  if (out) *out = out_buf_.substr(0, rc_at);
  out_buf_.erase(0, rc_end + 1);
  const size_t e = err_buf_.find(end_marker);
  if (err) *err = err_buf_.substr(0, e);
  err_buf_.erase(0, e + end_marker.size());
  return o;
}

}  // namespace opscope::devices

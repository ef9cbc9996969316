#include "adapters/devices/ssh_transport.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

#include "adapters/devices/shell_session.h"

// How it works (docs/devices.md, "The ssh transport"):
//  - Every ssh and scp call runs the system client with BatchMode=yes, so a
//    password or passphrase prompt fails at once instead of waiting for a
//    person, and ConnectTimeout=10.
//  - The first command opens a ControlMaster connection (ControlPersist=60)
//    whose socket lies in a private folder of this transport object; every
//    later ssh and scp call is a client of it and does not reconnect. The
//    destructor sends `ssh -O exit` and removes the folder.
//  - Commands go through one device shell per transport (ShellSession:
//    `ssh ... -- 'exec sh'`, started by the first command), so the login
//    shell and its rc files start once, not once per command. When that
//    shell cannot start (the client ends before it answers, with nothing in
//    its log), or OPSCOPE_SSH_SESSION=0, or in a fork of the process that
//    started it, every command is its own `ssh ... -- COMMAND`.
//  - ssh's own diagnostics go to a log file (-E) per call (per session),
//    apart from the remote command's stderr; exit status 255 (the session
//    ending) plus a line in that log is a failure of the link, classified
//    by the log's words.
namespace opscope::devices {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultWorkdir = ".cache/opscope-device";

// ssh's (and scp's) words for a key or host key that was refused.
constexpr const char* kAuthWords[] = {
    "permission denied", "publickey", "host key verification failed",
    "no matching host key", "too many authentication failures",
    "remote host identification has changed"};
// ... for a host that could not be reached, or a link that went away.
constexpr const char* kUnreachableWords[] = {
    "connection refused", "could not resolve", "timed out", "no route to host",
    "connection closed", "closed by remote host", "connection reset", "broken pipe",
    "not responding", "network is unreachable", "lost connection", "host is down"};

bool has_any(const std::string& lowered, const auto& words) {
  for (const char* w : words) {
    if (lowered.find(w) != std::string::npos) return true;
  }
  return false;
}

// The lines of ssh's output that say something went wrong: not debug output
// (OPSCOPE_SSH_OPTIONS=-v) nor the notes ssh prints on success.
std::vector<std::string> error_lines(const std::string& text) {
  return message_lines(text, {"debug", "OpenSSH_", "Warning: Permanently added", "Authenticated to",
                              "Transferred:", "Bytes per second", "Exit request sent"});
}

// Auth first: a refused key is also followed by "Connection closed" (scp).
ErrorCode classify(const std::vector<std::string>& lines) {
  std::string all;
  for (const std::string& l : lines) all += ascii_lower(l) + "\n";
  if (has_any(all, kAuthWords)) return ErrorCode::kDeviceAuth;
  if (has_any(all, kUnreachableWords)) return ErrorCode::kDeviceUnreachable;
  return ErrorCode::kDeviceIo;
}

// The one line that says why: the first that names a known cause (scp
// follows ssh's reason with its own "lost connection"), else the first.
std::string reason(const std::vector<std::string>& lines) {
  if (lines.empty()) return "no reason given";
  for (const std::string& l : lines) {
    const std::string low = ascii_lower(l);
    if (has_any(low, kAuthWords) || low.find("no space left") != std::string::npos) return l;
  }
  for (const std::string& l : lines) {
    const std::string low = ascii_lower(l);
    if (has_any(low, kUnreachableWords) && low != "lost connection" &&
        low != "scp: connection closed") {
      return l;
    }
  }
  return lines.front();
}

std::vector<std::string> split_words(const char* text) {
  std::vector<std::string> words;
  if (text == nullptr) return words;
  std::istringstream in(text);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class SshTransport : public Transport {
 public:
  SshTransport(const SshTarget& target, std::string identity, std::string workdir)
      : target_(target),
        identity_(std::move(identity)),
        workdir_(workdir.empty() ? kDefaultWorkdir : std::move(workdir)),
        extra_options_(split_words(std::getenv("OPSCOPE_SSH_OPTIONS"))) {
    if (const char* e = std::getenv("OPSCOPE_SSH_SESSION"); e && std::string(e) == "0") {
      session_off_ = true;
    }
    // Short and private: a socket path has at most 107 bytes, and whoever
    // can reach the socket can run commands on the device as us.
    char dir[] = "/tmp/opscope-ssh-XXXXXX";
    if (mkdtemp(dir) != nullptr) {
      dir_ = dir;
    } else {
      dir_error_ = std::strerror(errno);
    }
  }

  ~SshTransport() override {
    close_session();
    if (dir_.empty()) return;
    std::error_code ec;
    if (fs::exists(control_path(), ec)) {
      std::string out, err;
      ProcessLimits limits;
      limits.timeout_secs = 15;
      (void)run_local_captured(
          "ssh", {"-o", "ControlPath=" + control_path(), "-O", "exit", destination()}, limits,
          &out, &err);
    }
    fs::remove_all(dir_, ec);
  }

  std::string kind() const override { return "ssh"; }

  std::string describe() const override {
    std::string s = "ssh://";
    if (!target_.user.empty()) s += target_.user + "@";
    s += bracketed_host();
    if (target_.port != 0) s += ":" + std::to_string(target_.port);
    return s;
  }

  std::string workdir() const override { return workdir_; }

  Result<CommandResult> run(const std::string& command,
                            const CommandOptions& options) override {
    OPSCOPE_RETURN_IF_ERROR(check_dir("run"));
    std::lock_guard<std::mutex> lock(session_mu_);
    if (!session_off_ && (!session_ || session_->owner() == getpid())) {
      std::optional<Result<CommandResult>> r = run_in_session(command, options);
      if (r) return std::move(*r);
    }
    return run_alone(command, options);
  }

  // One `ssh ... -- COMMAND` for this command alone.
  Result<CommandResult> run_alone(const std::string& command, const CommandOptions& options) {
    const std::string log = dir_ + "/e" + std::to_string(++calls_);
    std::vector<std::string> args = {"-E", log};
    append_options(args, /*for_scp=*/false);
    // `--` after the destination: the command is never read as options.
    args.push_back(destination());
    args.push_back("--");
    // sshd hands it to `$SHELL -c`: a leading space keeps "-x ..." from
    // being read as the shell's option.
    args.push_back(!command.empty() && command[0] == '-' ? " " + command : command);

    CommandResult r;
    auto outcome = run_local_captured("ssh", args, options.limits, &r.out,
                                      options.capture_stderr ? &r.err : nullptr);
    const std::vector<std::string> lines = error_lines(read_text(log));
    std::error_code ec;
    fs::remove(log, ec);
    if (!outcome.is_ok()) return start_failure("run", "ssh", outcome.status());
    r.process = *outcome;
    if (r.process.signaled || r.process.exit_code != 255) return r;

    // 255: ssh's own failure, or the command's exit code. ssh logs its
    // failures; a remote command that exits 255 leaves the log empty.
    if (!lines.empty()) return link_failure("run", lines);
    // An empty log and 255 also happen when the control master lost the
    // connection (its client says nothing above debug level): then the
    // master is gone.
    if (!master_running()) {
      return Status(ErrorCode::kDeviceUnreachable,
                    describe() + ": run: the connection ended before the command did");
    }
    return r;
  }

  Status push(const std::string& local, const std::string& remote) override {
    std::error_code ec;
    const auto size = fs::file_size(local, ec);
    if (ec) {
      return Status(ErrorCode::kIoError,
                    describe() + ": push: cannot read " + local + ": " + ec.message());
    }
    OPSCOPE_RETURN_IF_ERROR(copy("push", local_word(local), scp_remote(remote)));
    bytes_pushed_ += static_cast<int64_t>(size);
    return Status::ok();
  }

  Status pull(const std::string& remote, const std::string& local) override {
    return copy("pull", scp_remote(remote), local_word(local));
  }

 private:
  std::string control_path() const { return dir_ + "/c"; }

  void close_session() {
    if (!session_) return;
    session_.reset();  // waits for the device's shell to end (2 s at most)
    std::error_code ec;
    fs::remove(session_log_, ec);
  }

  // The command through the session, started first when there is none;
  // nullopt: no session could start, run it alone.
  std::optional<Result<CommandResult>> run_in_session(const std::string& command,
                                                      const CommandOptions& options) {
    CommandResult r;
    if (!session_ || !session_->alive()) {
      close_session();
      session_log_ = dir_ + "/e" + std::to_string(++calls_);
      std::vector<std::string> args = {"-E", session_log_};
      append_options(args, /*for_scp=*/false);
      args.push_back(destination());
      args.push_back("--");
      args.push_back("exec sh");
      session_ = std::make_unique<ShellSession>();
      auto started = session_->start("ssh", args, options.limits);
      if (!started.is_ok()) {
        session_.reset();
        return Result<CommandResult>(start_failure("run", "ssh", started.status()));
      }
      if (started->ended) {
        const std::vector<std::string> lines = error_lines(read_text(session_log_));
        close_session();
        if (!lines.empty()) return Result<CommandResult>(link_failure("run", lines));
        // No reason given: no device shell here; one ssh per command.
        session_off_ = true;
        return std::nullopt;
      }
      if (!session_->alive()) {  // the time limit or a cancel, while it started
        r.process = started->process;
        close_session();
        return Result<CommandResult>(std::move(r));
      }
    }
    const SessionOutcome o = session_->run(command, options.limits, &r.out,
                                           options.capture_stderr ? &r.err : nullptr);
    if (o.done) {
      r.process = o.process;
      if (!session_->alive()) close_session();
      return Result<CommandResult>(std::move(r));
    }
    // The session ended before the command did: the link, or the device's
    // shell, went away.
    const std::vector<std::string> lines = error_lines(read_text(session_log_));
    close_session();
    if (!lines.empty()) return Result<CommandResult>(link_failure("run", lines));
    if (!master_running()) {
      return Result<CommandResult>(
          Status(ErrorCode::kDeviceUnreachable,
                 describe() + ": run: the connection ended before the command did"));
    }
    return Result<CommandResult>(
        Status(ErrorCode::kDeviceUnreachable,
               describe() + ": run: the device's shell ended before the command did (ssh " +
                   (o.client.signaled ? "killed by signal " + std::to_string(o.client.signal)
                                      : "exited " + std::to_string(o.client.exit_code)) +
                   ")"));
  }

  std::string bracketed_host() const {
    return target_.host.find(':') != std::string::npos ? "[" + target_.host + "]"
                                                       : target_.host;
  }

  std::string destination() const {
    return target_.user.empty() ? target_.host : target_.user + "@" + target_.host;
  }

  std::string scp_remote(const std::string& path) const {
    return (target_.user.empty() ? "" : target_.user + "@") + bracketed_host() + ":" + path;
  }

  // scp reads "a:b" as a remote path; "./a:b" is a local one.
  static std::string local_word(const std::string& path) {
    return !path.empty() && path[0] == '/' ? path : "./" + path;
  }

  // The options every ssh and scp call gets, in ssh's order of precedence
  // (the first value of an option wins): ours, then OPSCOPE_SSH_OPTIONS.
  void append_options(std::vector<std::string>& args, bool for_scp) const {
    for (const char* o : {"BatchMode=yes", "ConnectTimeout=10", "LogLevel=ERROR",
                          "ServerAliveInterval=15", "ServerAliveCountMax=4",
                          "ControlMaster=auto", "ControlPersist=60"}) {
      args.push_back("-o");
      args.push_back(o);
    }
    args.push_back("-o");
    args.push_back("ControlPath=" + control_path());
    if (target_.port != 0) {
      args.push_back(for_scp ? "-P" : "-p");
      args.push_back(std::to_string(target_.port));
    }
    if (!identity_.empty()) {
      args.insert(args.end(), {"-i", identity_, "-o", "IdentitiesOnly=yes"});
    }
    args.insert(args.end(), extra_options_.begin(), extra_options_.end());
  }

  // scp in the legacy protocol (-O): the device's own scp writes the file
  // and says why it could not ("No space left on device"), where the SFTP
  // protocol reports a bare "Failure"; and devices with dropbear have scp
  // but no SFTP server.
  Status copy(const std::string& step, const std::string& from, const std::string& to) {
    OPSCOPE_RETURN_IF_ERROR(check_dir(step));
    std::vector<std::string> args = {"-O", "-B"};
    append_options(args, /*for_scp=*/true);
    args.push_back("--");
    args.push_back(from);
    args.push_back(to);
    std::string out, err;
    auto outcome = run_local_captured("scp", args, ProcessLimits{}, &out, &err);
    if (!outcome.is_ok()) return start_failure(step, "scp", outcome.status());
    if (!outcome->signaled && outcome->exit_code == 0) return Status::ok();
    std::vector<std::string> lines = error_lines(err);
    if (lines.empty()) {
      lines.push_back(outcome->signaled ? "scp killed by signal " + std::to_string(outcome->signal)
                                        : "scp exited " + std::to_string(outcome->exit_code));
    }
    return link_failure(step + " " + from + " to " + to, lines);
  }

  Status link_failure(const std::string& step, const std::vector<std::string>& lines) const {
    return Status(classify(lines), describe() + ": " + step + ": " + reason(lines));
  }

  Status start_failure(const std::string& step, const std::string& program,
                       const Status& why) const {
    return Status(ErrorCode::kDeviceIo, describe() + ": " + step + ": " + why.message() +
                                            " (is the OpenSSH client installed? " + program +
                                            " must be on PATH)");
  }

  Status check_dir(const std::string& step) const {
    if (!dir_.empty()) return Status::ok();
    return Status(ErrorCode::kDeviceIo, describe() + ": " + step +
                                            ": cannot make a private folder in /tmp for the "
                                            "ssh control socket: " + dir_error_);
  }

  bool master_running() const {
    std::string out, err;
    ProcessLimits limits;
    limits.timeout_secs = 15;
    auto r = run_local_captured(
        "ssh", {"-o", "ControlPath=" + control_path(), "-O", "check", destination()}, limits,
        &out, &err);
    return r.is_ok() && !r->signaled && r->exit_code == 0;
  }

  SshTarget target_;
  std::string identity_;
  std::string workdir_;
  std::vector<std::string> extra_options_;
  std::string dir_;  // private (0700), holds the control socket "c" and the logs
  std::string dir_error_;
  std::atomic<int> calls_{0};
  std::mutex session_mu_;  // one command at a time through the session
  std::unique_ptr<ShellSession> session_;
  std::string session_log_;
  bool session_off_ = false;  // OPSCOPE_SSH_SESSION=0, or no device shell could start
};

}  // namespace

std::unique_ptr<Transport> make_ssh_transport(const SshTarget& target,
                                              const std::string& identity,
                                              const std::string& workdir) {
  return std::make_unique<SshTransport>(target, identity, workdir);
}

}  // namespace opscope::devices

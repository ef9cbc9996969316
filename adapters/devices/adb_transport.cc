#include "adapters/devices/adb_transport.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <sstream>
#include <system_error>
#include <vector>

// How it works (docs/devices.md, "The adb transport"):
//  - Every step runs the system `adb` client ($OPSCOPE_ADB, else `adb` on
//    PATH) with `-s SERIAL` when a serial is given. The client talks to its
//    adb server on ANDROID_ADB_SERVER_PORT (or adb's default, 5037), which it
//    inherits from our environment.
//  - Before the first step, `adb features` checks the link (adb's words on
//    stderr say why it failed) and tells whether the device speaks the
//    shell protocol (shell_v2). The answer is kept.
//  - run() hands `adb shell` one argument: the command in a subshell, then
//    a marker line with its exit status. adb's own exit status is not used
//    (adb before the shell protocol always exits 0); a missing marker means
//    the link went away before the command ended.
//  - Without shell_v2 the old shell merges stderr into stdout and never
//    closes stdin, so the command's stdin is /dev/null and its stderr goes
//    to a file on the device, printed after the marker.
//  - push and pull are `adb push` / `adb pull`; their stderr says why they
//    failed ("remote No space left on device").
namespace opscope::devices {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultWorkdir = "/data/local/tmp/opscope";
constexpr const char* kMarker = "__opscope_rc_";

// adb's non-empty lines, less its notes on starting its own server.
std::vector<std::string> error_lines(const std::string& text) {
  return message_lines(text, {"* daemon"});
}

bool contains(const std::string& lowered, const char* word) {
  return lowered.find(word) != std::string::npos;
}

// adb's words: "error: device unauthorized." -> auth; "device 'X' not
// found", "no devices/emulators found", "device offline", "more than one
// device/emulator", a dropped connection -> unreachable; else I/O (a
// full disk, a missing file).
ErrorCode classify(const std::vector<std::string>& lines) {
  std::string all;
  for (const std::string& l : lines) all += ascii_lower(l) + "\n";
  if (contains(all, "unauthorized") || contains(all, "still authorizing")) {
    return ErrorCode::kDeviceAuth;
  }
  if ((contains(all, "device") && contains(all, "not found")) || contains(all, "no devices") ||
      contains(all, "offline") || contains(all, "more than one device") ||
      contains(all, "cannot connect to daemon") || contains(all, "connect failed") ||
      contains(all, "protocol fault") || contains(all, "error: closed") ||
      contains(all, "device disconnected")) {
    return ErrorCode::kDeviceUnreachable;
  }
  return ErrorCode::kDeviceIo;
}

// The line that says why: the first "error" line (adb follows "device
// unauthorized" with advice), else the first.
std::string reason(const std::vector<std::string>& lines) {
  if (lines.empty()) return "no reason given";
  for (const std::string& l : lines) {
    if (contains(ascii_lower(l), "error")) return l;
  }
  return lines.front();
}

std::string random_tag() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}

class AdbTransport : public Transport {
 public:
  AdbTransport(std::string serial, std::string workdir)
      : serial_(std::move(serial)),
        workdir_(workdir.empty() ? kDefaultWorkdir : std::move(workdir)),
        tag_(random_tag()) {
    const char* a = std::getenv("OPSCOPE_ADB");
    adb_ = (a != nullptr && *a != '\0') ? a : "adb";
  }

  std::string kind() const override { return "adb"; }
  std::string describe() const override { return "adb:" + serial_; }
  std::string workdir() const override { return workdir_; }

  // Only with the shell protocol does adb pass stdin through and close it
  // at its end; the old shell never closes it (we give it /dev/null).
  // Asks the device first if no step has yet.
  bool forwards_stdin() const override {
    if (!check_link("features").is_ok()) return true;  // run() will fail anyway
    std::lock_guard<std::mutex> lock(mu_);
    return shell_v2_;
  }

  Result<CommandResult> run(const std::string& command,
                            const CommandOptions& options) override {
    OPSCOPE_RETURN_IF_ERROR(check_link("run"));
    const std::string marker = kMarker + tag_ + "=";
    const std::string errfile =
        workdir_ + "/.stderr." + tag_ + "." + std::to_string(++calls_);
    // The subshell keeps the command's own `exit` from skipping the marker;
    // the newline before ')' ends a trailing comment.
    std::string line;
    if (shell_v2_) {
      line = "( " + command + "\n); r=$?; echo; echo " + marker + "$r";
    } else {
      line = "mkdir -p " + shell_quote(workdir_) + " && ( " + command + "\n) 2>" +
             shell_quote(errfile) + " </dev/null; r=$?; echo; echo " + marker +
             "$r; cat " + shell_quote(errfile) + " 2>/dev/null; rm -f " + shell_quote(errfile);
    }
    std::vector<std::string> args = base_args();
    args.push_back("shell");
    if (shell_v2_) args.push_back("-T");  // no pty: bytes pass as they are
    args.push_back(line);

    CommandResult r;
    std::string adb_err;
    // Without shell_v2 the command's stderr arrives on adb's stdout; adb's
    // own stderr is kept apart from it then.
    const bool want_err = options.capture_stderr || !shell_v2_;
    auto outcome = run_local_captured(adb_, args, options.limits, &r.out,
                                      want_err ? &adb_err : nullptr);
    if (!outcome.is_ok()) return start_failure("run", outcome.status());
    r.process = *outcome;

    std::string text = std::move(r.out);
    r.out.clear();
    const size_t at = find_marker(text, marker);
    if (at == std::string::npos) {
      // Killed by us (time limit, cancel) or by a signal: no marker is
      // expected; report what happened to the process.
      if (r.process.timed_out || r.process.cancelled || r.process.signaled) {
        r.out = std::move(text);
        if (options.capture_stderr) r.err = std::move(adb_err);
        return r;
      }
      std::vector<std::string> lines = error_lines(adb_err);
      std::string why = lines.empty() ? "the connection ended before the command did"
                                      : reason(lines);
      ErrorCode code = lines.empty() ? ErrorCode::kDeviceUnreachable : classify(lines);
      if (code == ErrorCode::kDeviceIo) code = ErrorCode::kDeviceUnreachable;
      return Status(code, describe() + ": run: " + why + " (no exit status came back)");
    }
    // text = STDOUT "\n" MARKER RC "\n" [STDERR, without shell_v2]
    r.out = text.substr(0, at);
    const size_t rc_at = at + 1 + marker.size();
    const size_t eol = text.find('\n', rc_at);
    std::string rc = text.substr(rc_at, eol == std::string::npos ? std::string::npos : eol - rc_at);
    while (!rc.empty() && (rc.back() == '\r' || rc.back() == ' ')) rc.pop_back();
    // An old adbd with a pty turns "\n" into "\r\n".
    if (!r.out.empty() && r.out.back() == '\r') r.out.pop_back();
    r.process.signaled = false;
    r.process.signal = 0;
    r.process.exit_code = std::atoi(rc.c_str());

    std::string remote_err;
    if (shell_v2_) {
      remote_err = std::move(adb_err);
    } else {
      if (eol != std::string::npos) remote_err = text.substr(eol + 1);
      // adb's own complaints, if any, come after the command's.
      remote_err += adb_err;
    }
    if (options.capture_stderr) {
      r.err = std::move(remote_err);
    } else if (!shell_v2_ && !remote_err.empty()) {
      std::fwrite(remote_err.data(), 1, remote_err.size(), stderr);
      std::fflush(stderr);
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
    OPSCOPE_RETURN_IF_ERROR(check_link("push"));
    OPSCOPE_RETURN_IF_ERROR(copy("push " + local + " to " + remote, {"push", local, remote}));
    bytes_pushed_ += static_cast<int64_t>(size);
    return Status::ok();
  }

  Status pull(const std::string& remote, const std::string& local) override {
    OPSCOPE_RETURN_IF_ERROR(check_link("pull"));
    return copy("pull " + remote + " to " + local, {"pull", remote, local});
  }

 private:
  std::vector<std::string> base_args() const {
    if (serial_.empty()) return {};
    return {"-s", serial_};
  }

  // Where the "\n" our `echo` put before the marker is. The tag is random,
  // so neither the command's stdout (before it) nor, without shell_v2, its
  // stderr (after it) holds the marker.
  static size_t find_marker(const std::string& text, const std::string& marker) {
    return text.find("\n" + marker);
  }

  // `adb features` once: the link works, and does the device have shell_v2?
  Status check_link(const std::string& step) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (checked_) return Status::ok();
    std::vector<std::string> args = base_args();
    args.push_back("features");
    std::string out, err;
    ProcessLimits limits;
    limits.timeout_secs = 30;
    auto outcome = run_local_captured(adb_, args, limits, &out, &err);
    if (!outcome.is_ok()) return start_failure(step, outcome.status());
    if (outcome->timed_out) {
      return Status(ErrorCode::kDeviceUnreachable,
                    describe() + ": " + step + ": `adb features` did not answer in 30 s");
    }
    if (outcome->signaled || outcome->exit_code != 0) {
      std::vector<std::string> lines = error_lines(err);
      if (lines.empty()) lines.push_back("adb exited " + std::to_string(outcome->exit_code));
      ErrorCode code = classify(lines);
      if (code == ErrorCode::kDeviceIo) code = ErrorCode::kDeviceUnreachable;
      std::string msg = describe() + ": " + step + ": " + reason(lines);
      if (contains(ascii_lower(msg), "more than one device")) {
        msg += " (name the device by its serial: adb:SERIAL, see `adb devices`)";
      } else if (code == ErrorCode::kDeviceAuth) {
        msg += " (accept the USB debugging prompt on the device)";
      }
      return Status(code, msg);
    }
    std::istringstream in(out);
    std::string f;
    bool v2 = false;
    while (std::getline(in, f)) {
      while (!f.empty() && std::isspace(static_cast<unsigned char>(f.back()))) f.pop_back();
      if (f == "shell_v2") v2 = true;
    }
    shell_v2_ = v2;
    checked_ = true;
    return Status::ok();
  }

  Status copy(const std::string& step, std::vector<std::string> words) {
    std::vector<std::string> args = base_args();
    args.insert(args.end(), words.begin(), words.end());
    std::string out, err;
    auto outcome = run_local_captured(adb_, args, ProcessLimits{}, &out, &err);
    if (!outcome.is_ok()) return start_failure(step, outcome.status());
    if (!outcome->signaled && outcome->exit_code == 0) return Status::ok();
    // adb 29 prints a failed copy's reason ("adb: error: failed to copy
    // ...: remote No space left on device") on stdout, the link's on stderr.
    std::vector<std::string> lines = error_lines(err);
    for (std::string& l : error_lines(out)) lines.push_back(std::move(l));
    if (lines.empty()) {
      lines.push_back(outcome->signaled
                          ? "adb killed by signal " + std::to_string(outcome->signal)
                          : "adb exited " + std::to_string(outcome->exit_code));
    }
    return Status(classify(lines), describe() + ": " + step + ": " + reason(lines));
  }

  Status start_failure(const std::string& step, const Status& why) const {
    return Status(ErrorCode::kDeviceIo,
                  describe() + ": " + step + ": " + why.message() +
                      " (is adb installed? it must be on PATH, or named by $OPSCOPE_ADB)");
  }

  std::string serial_;
  std::string workdir_;
  std::string adb_;
  std::string tag_;
  mutable std::mutex mu_;
  mutable bool checked_ = false;
  mutable bool shell_v2_ = false;
  std::atomic<int> calls_{0};
};

}  // namespace

std::unique_ptr<Transport> make_adb_transport(const std::string& serial,
                                              const std::string& workdir) {
  return std::make_unique<AdbTransport>(serial, workdir);
}

}  // namespace opscope::devices

// How the host reaches a device: one interface, four transports (local,
// ssh, adb, qemu). The host pushes the runner bundle, the model and the
// case's plan, runs the runner, and reads its result document back
// (harness/device_case.h drives it; docs/devices.md describes it).
//
// Contract for every transport:
//  - Paths on the device are POSIX paths the host made up (ASCII, no
//    spaces: `<workdir>/cache/<sha256>/...`), so they need no quoting
//    beyond shell_quote().
//  - run() starts a command on the device with its stdin a pipe that stays
//    open while the command runs: the runner watches it (--exit-on-stdin-eof)
//    and exits when the host, or the link, goes away. Its stdout is
//    captured (the result document); its stderr goes to the host's stderr
//    (progress lines) unless told otherwise. A transport may run its
//    commands one after the other in one long-lived device shell (ssh:
//    ShellSession): the command's stdin is then that shell's, where nothing
//    is written while it runs, which keeps all of the above true.
//  - A failure of the link itself (host unreachable, wrong key, adb
//    device gone) is reported as a Status (kDeviceUnreachable, kDeviceAuth, kDeviceIo) naming the
//    device and the step, never as the command's own exit code.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "engine/status.h"

namespace opscope::devices {

struct CommandResult {
  ProcessOutcome process;  // of the command on the device, as far as it can be told
  std::string out;         // its stdout
  std::string err;         // its stderr, when capture_stderr was asked
};

struct CommandOptions {
  ProcessLimits limits;
  bool capture_stderr = false;  // else it goes to the host's stderr
};

class Transport {
 public:
  virtual ~Transport() = default;
  // "local", "ssh", "adb" or "qemu".
  virtual std::string kind() const = 0;
  // Where, in one line: "ssh://pi@10.0.0.7:22", "adb:R58M123", "qemu:aarch64".
  virtual std::string describe() const = 0;
  // Runs `command`, a POSIX shell command line (sh -c on the device).
  virtual Result<CommandResult> run(const std::string& command,
                                    const CommandOptions& options) = 0;
  // Copies one local file to `remote` (its folder exists) and back.
  virtual Status push(const std::string& local, const std::string& remote) = 0;
  virtual Status pull(const std::string& remote, const std::string& local) = 0;
  // True when the device's paths are this machine's (local, qemu): nothing
  // needs pushing or pulling; files are used where they are.
  virtual bool shares_filesystem() const { return false; }
  // Put before the runner's command line on the device, e.g.
  // {"qemu-aarch64"} (already shell-quoted words).
  virtual std::vector<std::string> exec_prefix() const { return {}; }
  // Whether the command's stdin reaches it and closes when the host's end
  // does, so the runner may watch it (--exit-on-stdin-eof). adb without the
  // shell protocol (Android 6 and older) gives the command no stdin it can
  // watch: there the runner ends by the host's time limit instead.
  virtual bool forwards_stdin() const { return true; }
  // Runs under emulation: its times are never gated against real hardware.
  virtual bool emulated() const { return false; }
  // The arch runners run as when it is not the one `uname -m` on the device
  // says (qemu: "aarch64" on an x86-64 host); "" otherwise.
  virtual std::string forced_arch() const { return ""; }
  // Where the device keeps its cache of bundles, models and plans: a path
  // on the device, relative to the login folder or absolute.
  virtual std::string workdir() const = 0;
  // Bytes pushed so far through this transport (for --verbose and the
  // push-caching check).
  int64_t bytes_pushed() const { return bytes_pushed_; }

 protected:
  int64_t bytes_pushed_ = 0;
};

// 'it'\''s' style quoting for sh.
std::string shell_quote(const std::string& word);

// For reading what a device client (ssh, scp, adb) said when it failed:
// ASCII lowercase, and its non-empty lines (trailing blanks trimmed) less
// those starting with one of `skip` (its notes on success, debug output).
std::string ascii_lower(std::string s);
std::vector<std::string> message_lines(const std::string& text,
                                       std::initializer_list<const char*> skip);

}  // namespace opscope::devices

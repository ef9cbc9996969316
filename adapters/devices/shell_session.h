// One long-lived POSIX shell on a device, reached through a local client
// process (`ssh ... -- 'exec sh'`), that runs many commands one after the
// other: the device's login shell (and its rc files) starts once per
// session instead of once per command (docs/devices.md, "One shell per
// device").
//
// The protocol, all on the client's stdin/stdout/stderr:
//  - start() writes `echo READY; echo READY >&2` (READY: `__opscope_ready_`
//    and a random tag) and waits for both lines; what came before them
//    (rc-file chatter) is dropped.
//  - run() writes one line:
//      ( eval ' COMMAND' ); r=$?; printf '\n%s%d\n' '__opscope_rc_TAG=' "$r";
//      printf '\n%s\n' '__opscope_end_TAG' >&2
//    (COMMAND shell-quoted, so any byte but NUL may be in it, and in a
//    subshell, so its `exit` or `cd` does not touch the session) and reads
//    until both markers came back: stdout before the `\n__opscope_rc_` one
//    is the command's stdout, its number the exit status ($?: 128+N for a
//    command killed by signal N); stderr before the end marker is its
//    stderr, captured or passed on to ours as it arrives (less any bytes
//    that could be the start of the marker, held back until they are known
//    not to be).
//  - The command's stdin is the session's stdin, where nothing is written
//    while it runs: it stays open while the command runs and closes when
//    this process, or the link, goes away (the runner's
//    --exit-on-stdin-eof keeps working). A command that reads its stdin
//    would wait for data that never comes, as with one ssh per command.
//  - A time limit or a cancel kills the client (the device sees its stdin
//    close, as when one ssh per command is killed); the session is then
//    over, and the caller starts another for the next command.
//  - The client ending before both markers came back is `ended`: the link
//    or the device's shell went away; the caller reads why (ssh's log).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "engine/status.h"

namespace opscope::devices {

struct SessionOutcome {
  // The command ran to its end (both markers): `process` is its outcome.
  // Killed at the time limit or by cancel: `process` says which, and the
  // session is over.
  bool done = false;
  ProcessOutcome process;
  // The client ended first: its own exit status is in `client`.
  bool ended = false;
  ProcessOutcome client;
};

class ShellSession {
 public:
  ShellSession();
  // Closes the session's stdin (the device's shell ends), waits for the
  // client a little (2 s), then kills it.
  ~ShellSession();
  ShellSession(const ShellSession&) = delete;
  ShellSession& operator=(const ShellSession&) = delete;

  // Starts `program args`, whose stdin/stdout/stderr must reach a POSIX
  // shell reading commands from its stdin (ssh ... -- 'exec sh'; or `sh`
  // itself, for tests), and waits for it to answer. Fails only when the
  // client cannot be started; the outcome says whether the shell answered
  // (done), the limits ran out first, or the client ended (ended).
  Result<SessionOutcome> start(const std::string& program, const std::vector<std::string>& args,
                               const ProcessLimits& limits);
  // Runs one command (see above). err == nullptr: its stderr goes to ours.
  SessionOutcome run(const std::string& command, const ProcessLimits& limits, std::string* out,
                     std::string* err);
  // Still usable: started, answered, and not ended or killed since.
  bool alive() const { return pid_ > 0 && ready_; }
  // The process that started the client (a fork of it shares our pipes
  // and must not use the session).
  pid_t owner() const { return owner_; }

 private:
  enum class Wait { kDone, kTimedOut, kCancelled, kEnded };
  // Reads stdout and stderr until `finished()` says so, the client ends,
  // or the limits run out (then the client is killed).
  template <typename F>
  Wait pump(F finished, double deadline_secs, const ProcessLimits& limits, bool pass_err,
            const std::string& err_marker);
  bool write_all(const std::string& text, double deadline_secs, const ProcessLimits& limits,
                 Wait* why);
  void kill_client();
  bool reap(bool block);

  std::string tag_;
  pid_t pid_ = -1;
  pid_t owner_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  bool ready_ = false;
  bool out_eof_ = false, err_eof_ = false;
  int status_ = 0;       // the client's wait status, once reaped
  bool reaped_ = false;
  std::string out_buf_, err_buf_;
  double started_ = 0;  // steady clock seconds, for wall times
};

}  // namespace opscope::devices

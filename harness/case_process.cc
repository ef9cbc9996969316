#include "harness/case_process.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "adapters/devices/local_process.h"
#include "harness/case_plan.h"
#include "harness/environment.h"
#include "harness/exit_codes.h"

namespace opscope::harness {
namespace {

std::atomic<int> g_interrupt_signal{0};

void on_interrupt(int sig) { g_interrupt_signal.store(sig); }

// The file the runner writes its result document into. Unlinked as soon as
// it exists: the runner writes it through /dev/fd/N (the descriptor is
// inherited across the spawn) and we read it back through ours, so no path
// in /tmp outlives this process on any path out of it, SIGKILL included.
class ResultFile {
 public:
  ResultFile() {
    char tmpl[] = "/tmp/opscope-result-XXXXXX";
    fd_ = mkstemp(tmpl);
    if (fd_ >= 0) unlink(tmpl);
  }
  ~ResultFile() {
    if (fd_ >= 0) close(fd_);
  }
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  std::string runner_path() const { return "/dev/fd/" + std::to_string(fd_); }
  bool write_all(const std::string& text) const {
    return pwrite(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
  }
  std::string read_all() const {
    std::string text;
    char buf[65536];
    off_t at = 0;
    for (;;) {
      const ssize_t n = pread(fd_, buf, sizeof(buf), at);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      at += n;
    }
    return text;
  }

 private:
  int fd_ = -1;
};

// The document of a case whose runner left none: what was asked, on what,
// and why it failed, so that the store keeps the failure like any run.
}  // namespace

nlohmann::json failure_document(const RunOptions& opts, const std::string& code,
                                const std::string& message) {
  ResultDocument d;
  d.tool = capture_tool();
  d.device = capture_device();
  d.model.path = opts.model;
  d.model.name = std::filesystem::path(opts.model).filename().string();
  d.config = opts.config;
  d.status = "error";
  d.error.code = code;
  d.error.message = message;
  return to_json(d);
}

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking waitpid returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

int interrupt_signal() { return g_interrupt_signal.load(); }

const std::atomic<int>* interrupt_flag() { return &g_interrupt_signal; }

Result<CaseOutcome> run_case_process(const RunOptions& opts,
                                     const CaseProcessOptions& options) {
  ResultFile tmp, plan;
  if (!tmp.ok() || !plan.ok() || !plan.write_all(plan_to_json(opts).dump())) {
    return Status(ErrorCode::kIoError, "cannot create a temporary file in /tmp");
  }
  const std::string runner = devices::default_runner_path();
  std::vector<std::string> args = {"--plan", plan.runner_path()};
  args.push_back("--json");
  args.push_back(tmp.runner_path());
  args.push_back("--parent-pid");
  args.push_back(std::to_string(getpid()));
  if (options.progress) args.push_back("--progress");

  devices::ProcessLimits limits;
  limits.timeout_secs = options.timeout_secs;
  limits.cancel = &g_interrupt_signal;
  OPSCOPE_ASSIGN_OR_RETURN(devices::ProcessOutcome p,
                           devices::run_local_process(runner, args, limits));
  CaseOutcome out;
  if (p.cancelled || (g_interrupt_signal.load() != 0 && p.signaled)) {
    // Ours (or the terminal's SIGINT, which the runner got too).
    out.interrupted = true;
    out.document = failure_document(
        opts, "interrupted",
        "interrupted by signal " + std::to_string(g_interrupt_signal.load()) + " on " +
            opts.model);
    out.exit_code = kExitInterrupted;
  } else if (p.timed_out) {
    char msg[160];
    std::snprintf(msg, sizeof(msg), "the runner was killed after %.1f s (time limit %.1f s)",
                  p.wall_secs, options.timeout_secs);
    out.document = failure_document(opts, "timeout", msg + (" on " + opts.model));
    out.exit_code = kExitTimeout;
  } else if (p.signaled) {
    out.document = failure_document(
        opts, "runner_crashed",
        "the runner crashed (signal " + std::to_string(p.signal) + ") on " + opts.model);
    out.exit_code = kExitRunnerCrashed;
  } else {
    const std::string text = tmp.read_all();
    std::string why;
    if (std::optional<ResultDocument> doc = parse_result_document_text(text, &out.document, &why)) {
      out.doc = std::move(*doc);
      out.exit_code = p.exit_code;
      return out;
    }
    out.document = failure_document(
        opts, "runner_crashed",
        "the runner exited with " + std::to_string(p.exit_code) +
            " and wrote no readable result (" + why + ") on " + opts.model);
    out.exit_code = p.exit_code != 0 ? p.exit_code : kExitInternal;
  }
  // failure_document() writes only fields of the right types.
  out.doc = parse_result_document(out.document).value_or(ResultDocument{});
  return out;
}

}  // namespace opscope::harness

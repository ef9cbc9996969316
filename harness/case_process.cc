#include "harness/case_process.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "adapters/devices/local_process.h"
#include "harness/environment.h"
#include "harness/exit_codes.h"

namespace opscope::harness {
namespace {

// A temporary file removed when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    char tmpl[] = "/tmp/opscope-result-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd >= 0) {
      close(fd);
      path_ = tmpl;
    }
  }
  ~TempFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The document of a case whose runner left none: what was asked, on what,
// and why it failed, so that the store keeps the failure like any run.
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

}  // namespace

Result<CaseOutcome> run_case_process(const RunOptions& opts,
                                     const CaseProcessOptions& options) {
  TempFile tmp;
  if (tmp.path().empty()) {
    return Status(ErrorCode::kIoError, "cannot create a temporary file in /tmp");
  }
  const std::string runner = devices::default_runner_path();
  std::vector<std::string> args = runner_arguments(opts);
  args.push_back("--json");
  args.push_back(tmp.path());
  if (options.progress) args.push_back("--progress");

  devices::ProcessLimits limits;
  limits.timeout_secs = options.timeout_secs;
  OPSCOPE_ASSIGN_OR_RETURN(devices::ProcessOutcome p,
                           devices::run_local_process(runner, args, limits));
  CaseOutcome out;
  if (p.timed_out) {
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
    std::ifstream f(tmp.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
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

#include "adapters/devices/local_process.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace opscope::devices {

Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), nullptr, nullptr,
                             argv.data(), environ);
  if (rc != 0) {
    return Status(ErrorCode::kIoError,
                  "cannot start " + program + ": " + std::strerror(rc));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return Status(ErrorCode::kInternal,
                    "waitpid failed for " + program + ": " + std::strerror(errno));
    }
  }
  ProcessOutcome out;
  if (WIFSIGNALED(status)) {
    out.signaled = true;
    out.signal = WTERMSIG(status);
  } else {
    out.exit_code = WEXITSTATUS(status);
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

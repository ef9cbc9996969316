// opscope-runner: the device side. Runs one case and writes its result
// document (JSON) to --json FILE or to stdout. Exit code: 0 when the case
// ran, else the code of its error (docs/cli.md).
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/run_flags.h"
#include "harness/case_plan.h"
#include "harness/environment.h"
#include "harness/exit_codes.h"
#include "harness/run_case.h"
#include "harness/run_options.h"
#include "result/utf8.h"

namespace {

// A runner started by `opscope` must not outlive it: killed with SIGKILL,
// the host cannot kill its child itself. The kernel sends us SIGKILL when
// the parent dies (Linux); the getppid() check closes the window in which
// the parent died before we asked.
bool die_with_parent(long parent_pid) {
  if (parent_pid <= 0) return true;
#if defined(__linux__)
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  return getppid() == static_cast<pid_t>(parent_pid);
}

// A runner started on a device (ssh, adb) has no parent to die with: the
// host holds our stdin open for as long as it wants us, and the link's
// end, or the host's, closes it.
void exit_when_stdin_closes() {
  std::thread([] {
    char buf[256];
    for (;;) {
      const ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
      if (n == 0 || (n < 0 && errno != EINTR)) _exit(opscope::harness::kExitInterrupted);
    }
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace opscope::harness;
  using opscope::cli::add_run_options;
  using opscope::kSchemaVersion;
  using opscope::ResultDocument;
  CLI::App app{"opscope-runner: run one benchmark case and write its result "
               "document (JSON). Usually started by `opscope run`."};
  app.set_version_flag("--version", "opscope-runner (result schema " + std::to_string(kSchemaVersion) + ")");
  RunOptions opts;
  bool progress = false, stdin_watch = false;
  long parent_pid = 0;
  std::string plan_path;
  add_run_options(app, opts);
  app.get_option("model")->required(false);
  app.add_option("--plan", plan_path,
                 "Run the case this plan file describes (JSON, docs/result-document.md "
                 "\"The benchmark plan\"); the case flags are then ignored");
  app.add_flag("--exit-on-stdin-eof", stdin_watch,
               "Exit (15) when stdin closes: how a runner on a device learns that the host "
               "or the link is gone")
      ->group("Host");
  app.add_flag("--progress", progress, "Print progress lines to stderr");
  app.add_option("--parent-pid", parent_pid,
                 "Exit when this process (the host that started us) is gone")
      ->group("Host");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!die_with_parent(parent_pid)) return kExitInterrupted;
  if (stdin_watch) exit_when_stdin_closes();
  if (!plan_path.empty()) {
    const std::string json_path = opts.json_path;
    auto planned = load_plan_file(plan_path);
    if (!planned.is_ok()) {
      std::fprintf(stderr, "opscope-runner: error: %s\n", planned.status().message().c_str());
      return exit_code_for(planned.status().code());
    }
    opts = std::move(*planned);
    opts.json_path = json_path;
  } else if (opts.model.empty()) {
    std::fprintf(stderr, "opscope-runner: error: give a MODEL or --plan FILE\n");
    return kExitUsage;
  }
  finish_run_options(opts);

  RunRequest req;
  req.model_path = opts.model;
  req.config = opts.config;
  req.save_outputs_dir = opts.save_outputs_dir;
  if (progress) {
    req.progress = [](const std::string& line) {
      std::fprintf(stderr, "opscope-runner: %s\n", line.c_str());
    };
  }
  // Flags the host checks too; here again for a runner started by hand and
  // for sweeps, whose models the host does not look at: refused as a
  // document, so that the host stores the failure like any other.
  ResultDocument doc;
  if (const opscope::Status st = check_run_options(opts); !st.is_ok()) {
    doc.tool = capture_tool();
    doc.device = capture_device();
    doc.config = opts.config;
    doc.model.path = opts.model;
    doc.status = "error";
    doc.error.code = std::string(opscope::to_string(st.code()));
    doc.error.message = st.message();
  } else {
    doc = run_case(req);
  }
  const std::string text = opscope::dump_json(opscope::to_json(doc), 1);
  if (opts.json_path.empty() || opts.json_path == "-") {
    std::cout << text << "\n";
  } else {
    std::ofstream f(opts.json_path);
    f << text << "\n";
    if (!f) {
      std::fprintf(stderr, "opscope-runner: cannot write %s\n", opts.json_path.c_str());
      return kExitIo;
    }
  }
  if (doc.status != "ok") {
    std::fprintf(stderr, "opscope-runner: error: %s\n", doc.error.message.c_str());
    return exit_code_for(doc.error.code);
  }
  return kExitOk;
}

// opscope-runner: the device side. Runs one case and writes its result
// document (JSON) to --json FILE or to stdout. Exit code: 0 when the case
// ran, else the code of its error (docs/cli.md).
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/run_flags.h"
#include "harness/exit_codes.h"
#include "harness/run_case.h"
#include "harness/run_options.h"
#include "result/utf8.h"

int main(int argc, char** argv) {
  using namespace opscope::harness;
  using opscope::cli::add_run_options;
  using opscope::kSchemaVersion;
  using opscope::ResultDocument;
  CLI::App app{"opscope-runner: run one benchmark case and write its result "
               "document (JSON). Usually started by `opscope run`."};
  app.set_version_flag("--version", "opscope-runner (result schema " + std::to_string(kSchemaVersion) + ")");
  RunOptions opts;
  bool progress = false;
  add_run_options(app, opts);
  app.add_flag("--progress", progress, "Print progress lines to stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
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
  const ResultDocument doc = run_case(req);
  const std::string text = opscope::dump_json(opscope::to_json(doc), 1);
  if (opts.json_path.empty()) {
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

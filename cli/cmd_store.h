// The commands that read the results store:
//   opscope runs [filters] [--json]      list stored runs, newest first
//   opscope show RUN|SELECTOR [--json]   print stored runs as `opscope run` did
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_runs_command(CLI::App& app);
CliCommand add_show_command(CLI::App& app);

}  // namespace opscope::cli

// `opscope run MODEL [flags]`: benchmark a model in a fresh runner process,
// print the report, and store the run (default store opscope.db).
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_run_command(CLI::App& app);

}  // namespace opscope::cli

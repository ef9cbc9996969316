// opscope report RUN…|SELECTOR --format md|html|csv|junit|chrome-trace|gbench-json
//                -o FILE [--db FILE] [--title T] [--top N] [--aggregates-only]
// Reads the selected runs from the results store and writes one report file.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_report_command(CLI::App& app);

}  // namespace opscope::cli

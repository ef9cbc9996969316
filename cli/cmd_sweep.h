// `opscope sweep`: run a matrix of cases (models and variants x backend
// lists x thread counts, repeated), each in its own runner process, in
// shuffled interleaved order, and store every case under one sweep id.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_sweep_command(CLI::App& app);

}  // namespace opscope::cli

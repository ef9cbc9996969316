// `opscope inspect MODEL [--json]`: describe a model without running it.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_inspect_command(CLI::App& app);

}  // namespace opscope::cli

// `opscope inspect MODEL [--json]`: describe a model without running it.
#pragma once

#include "harness/cli_command.h"

namespace opscope::harness {

CliCommand add_inspect_command(CLI::App& app);

}  // namespace opscope::harness

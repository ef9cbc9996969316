// opscope devices [list] | add NAME URI | remove NAME: the devices opscope
// can run on (docs/devices.md), with what each is and its state now.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_devices_command(CLI::App& app);

}  // namespace opscope::cli

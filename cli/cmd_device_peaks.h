// `opscope device-peaks [--json] [--quick] [--fresh]`: this machine's
// roofs (f32 FMA and int8 dot-product throughput, memory bandwidth per
// cache level), measured once and cached per CPU and build.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_device_peaks_command(CLI::App& app);

}  // namespace opscope::cli

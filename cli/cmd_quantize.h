// `opscope quantize MODEL.tflite --calibration DIR --out MODEL_int8.tflite`:
// the flags of harness::run_quantize (harness/quantize_file.h).
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_quantize_command(CLI::App& app);

}  // namespace opscope::cli

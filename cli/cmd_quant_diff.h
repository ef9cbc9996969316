// `opscope quant-diff FLOAT.tflite INT8.tflite [--dataset DIR|--inputs N]
// [--backend B] [--threads T] [--runs N] [--task T] [--db F|--no-store]
// [--json]`: per op, the int8 model's error against its float twin beside
// both models' per-op times (harness/quant_diff.h); the two timing runs and
// the diff are stored.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_quant_diff_command(CLI::App& app);

}  // namespace opscope::cli

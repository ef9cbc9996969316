// The commands that judge stored runs against each other:
//   opscope compare BASE CAND [--json]     latency ratio with CI, Mann–Whitney
//                                          p, memory, stages, per-op diff
//   opscope gate --baseline SEL --candidate SEL [thresholds] [--junit FILE]
//                [--markdown FILE] [--json]   exit 0 pass, 1 regression,
//                                          2 undecided or usage
#pragma once

#include <string>

#include "cli/cli_command.h"
#include "engine/status.h"

namespace opscope::cli {

CliCommand add_compare_command(CLI::App& app);
CliCommand add_gate_command(CLI::App& app);

// "5%" -> 0.05, "0.05" -> 0.05; a plain number above 1 is refused (write
// 5% or 0.05), as is anything negative or not a number.
Result<double> parse_fraction(const std::string& text);

}  // namespace opscope::cli

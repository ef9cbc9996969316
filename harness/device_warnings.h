// Why a run's numbers may not be what the device can do, read from its state
// before and after the case (ResultDocument::state_before / state_after):
// the warnings every result document carries (ResultDocument::warnings) and
// the CLI, the reports and the dashboard show. Each warning is one line.
//
// A value the probe could not read (an empty governor, a frequency or a
// temperature of 0 / absent, a battery of -1) never warns.
// docs/result-document.md "warnings" lists the rules.
#pragma once

#include <string>
#include <vector>

#include "result/result_document.h"

namespace opscope::harness {

// The hottest thermal zone rose by at least this much (°C) between the
// probe before the case and the one after it: the device heated while it
// was measured, and later invokes may have run on lowered clocks.
inline constexpr double kHeatWarningDeltaC = 5.0;

// The governor that keeps a core at its maximum frequency; any other
// (schedutil, ondemand, powersave, ...) on a CPU the case used warns, since
// the frequency then follows the load and the numbers follow the frequency.
inline constexpr const char* kSteadyGovernor = "performance";

// A CPU the case used that runs below this fraction of its maximum frequency
// after the case although its governor is `performance` is being throttled
// (a thermal or power limit).
inline constexpr double kThrottleFreqFraction = 0.60;

// A battery below this percentage (when the device reports one): phones
// lower their clocks, or enter a power-saving mode, on a low battery.
inline constexpr double kLowBatteryPct = 20.0;

// The CPUs of a list such as "0,1" or "0-3,6" (CaseConfig::affinity);
// parts that do not parse are skipped. Empty: every CPU.
std::vector<int> cpus_of_list(const std::string& list);

// The warnings for one case, in a fixed order (heat, governor, throttling,
// battery). `config.affinity` names the CPUs the case used; empty: all of
// the device's CPUs.
std::vector<std::string> device_warnings(const DeviceState& before, const DeviceState& after,
                                         const CaseConfig& config);

}  // namespace opscope::harness

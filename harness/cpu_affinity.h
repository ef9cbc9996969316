// Pins the runner to a set of CPUs (sched_setaffinity): on many devices the
// same model's latency changes with the core set.
#pragma once

#include <string>

#include "engine/status.h"

namespace opscope::harness {

// `cpus` is a list like "0", "0,1" or "0-3,6". Applies to the calling thread
// and every thread it creates afterwards (so call it before the session and
// its thread pool exist). Returns the mask now in force, as a sorted list
// ("0,1"); an empty `cpus` changes nothing and returns the current mask.
Result<std::string> pin_to_cpus(const std::string& cpus);

// Whether `cpus` parses and names only CPUs this process may run on
// (kInvalidArgument naming the first one it may not).
Status check_cpu_list(const std::string& cpus);

}  // namespace opscope::harness

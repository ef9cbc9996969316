// What a device is and what state it is in, read by one POSIX shell script
// that runs the same way on every device (Linux of any distribution,
// Android's toybox sh, this machine): the host runs it through a transport
// for `opscope devices`, the runner runs it before and after each case.
//
// The script prints key=value lines; parse_probe_output() reads them and
// ignores what it does not know, so an older host reads a newer script.
#pragma once

#include <string>

#include "adapters/devices/transport.h"
#include "engine/status.h"
#include "result/result_document.h"

namespace opscope::devices {

struct DeviceProbe {
  DeviceInfo info;    // arch, os, hostname, cpu_model, cores, clusters, RAM, governor, Android props
  DeviceState state;  // frequencies, governors, temperatures, battery now
};

const std::string& probe_script();
DeviceProbe parse_probe_output(const std::string& text);

// Runs the script through `t` (kDeviceUnreachable etc. from the transport;
// kDeviceIo when the script fails). Fills info.kind and info.emulated from
// the transport (and info.arch from its forced_arch()).
Result<DeviceProbe> probe_device(Transport& t, double timeout_secs = 30);

// Runs the script on this machine (the runner, before and after a case).
Result<DeviceProbe> probe_here(double timeout_secs = 10);

// Groups cores by maximum frequency: one cluster "all" when they are all
// alike (or unknown), else "little" .. "big" by rising frequency ("mid" for
// a third group, "mid1", "mid2", ... for more).
std::vector<CpuCluster> clusters_of(const DeviceState& state, int cores);

// "big" -> "4,5,6,7" (a cluster name of `clusters`); a CPU list such as
// "0,2-3" is returned as it is. kInvalidArgument naming the known clusters.
Result<std::string> resolve_cpu_names(const std::string& cpus,
                                      const std::vector<CpuCluster>& clusters);

}  // namespace opscope::devices

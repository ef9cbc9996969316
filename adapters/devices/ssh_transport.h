// The ssh transport: the system OpenSSH client (`ssh`, `scp`), BatchMode (a
// password prompt is a failure, never a hang), one ControlMaster connection
// per device reused by every command of a process, and one device shell on
// it (ShellSession) that runs those commands, so that the login shell
// starts once per process, not once per command.
#pragma once

#include <memory>
#include <string>

#include "adapters/devices/device_spec.h"
#include "adapters/devices/transport.h"

namespace opscope::devices {

// workdir "" -> ".cache/opscope-device" (relative to the login folder).
std::unique_ptr<Transport> make_ssh_transport(const SshTarget& target,
                                              const std::string& identity,
                                              const std::string& workdir);

}  // namespace opscope::devices

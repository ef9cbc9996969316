// The transports whose device is this machine: `local` (the runner beside
// opscope) and `qemu` (an aarch64 bundle under qemu-aarch64, emulated).
// Files are used where they are; commands run under /bin/sh.
#pragma once

#include <memory>
#include <string>

#include "adapters/devices/transport.h"

namespace opscope::devices {

std::unique_ptr<Transport> make_local_transport();
// arch: "aarch64" (the one bundle arch qemu runs here).
std::unique_ptr<Transport> make_qemu_transport(const std::string& arch);

}  // namespace opscope::devices

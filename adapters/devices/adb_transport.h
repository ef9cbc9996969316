// The adb transport: the system `adb` client (push, shell, pull) talking to
// its adb server (the one ANDROID_ADB_SERVER_PORT or adb's default names).
#pragma once

#include <memory>
#include <string>

#include "adapters/devices/transport.h"

namespace opscope::devices {

// serial "" -> the only attached device (adb's own rule: it fails with
// more than one). workdir "" -> "/data/local/tmp/opscope".
std::unique_ptr<Transport> make_adb_transport(const std::string& serial,
                                              const std::string& workdir);

}  // namespace opscope::devices

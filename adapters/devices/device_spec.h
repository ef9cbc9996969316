// A configured device: a name and how to reach it, as `opscope devices add`
// stores it in the devices file (docs/devices.md).
//
//   local                      this machine (always there, never stored)
//   ssh://[user@]host[:port]   a Linux host over OpenSSH (BatchMode)
//   adb:SERIAL | adb:          an Android device over the system adb client
//   qemu:aarch64               the aarch64 bundle under qemu-aarch64 here
#pragma once

#include <memory>
#include <string>

#include "adapters/devices/transport.h"
#include "engine/status.h"

namespace opscope::devices {

struct DeviceSpec {
  std::string name;      // [A-Za-z0-9._-]+, unique
  std::string uri;       // as above
  std::string identity;  // ssh: private key file (-i); "" for ssh's own choice
  std::string workdir;   // on the device; "" for the transport's default
};

struct SshTarget {
  std::string user;  // "" for ssh's default
  std::string host;
  int port = 0;  // 0 for ssh's default
};

// kInvalidArgument naming the name or the URI and what is wrong with it.
Status check_device_name(const std::string& name);
Status check_device_uri(const std::string& uri);
// "ssh://pi@10.0.0.7:2222" -> {pi, 10.0.0.7, 2222}.
Result<SshTarget> parse_ssh_uri(const std::string& uri);
// "ssh", "adb", "qemu" or "local" (the URI checked).
std::string uri_kind(const std::string& uri);

// The transport that reaches `spec`.
Result<std::unique_ptr<Transport>> open_transport(const DeviceSpec& spec);

}  // namespace opscope::devices

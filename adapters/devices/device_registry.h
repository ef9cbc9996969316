// The devices file: the devices `opscope devices add` configured, kept as
// JSON under the user's config folder (docs/devices.md):
//   $OPSCOPE_DEVICES_FILE, else $XDG_CONFIG_HOME/opscope/devices.json,
//   else ~/.config/opscope/devices.json
//   {"format": 1, "devices": [{"name": "pi", "uri": "ssh://pi@10.0.0.7",
//                              "identity": "", "workdir": ""}, ...]}
// `local` is always a device and is never written to the file.
#pragma once

#include <string>
#include <vector>

#include "adapters/devices/device_spec.h"
#include "engine/status.h"

namespace opscope::devices {

std::string default_devices_file();

struct DeviceRegistry {
  std::vector<DeviceSpec> devices;  // without `local`
};

// A missing file is an empty registry; an unreadable or malformed one is
// an error naming the file (kIoError / kInvalidArgument).
Result<DeviceRegistry> load_devices(const std::string& path);
// Writes atomically (a temporary file renamed over the old one), creating
// the folder.
Status save_devices(const std::string& path, const DeviceRegistry& registry);

// `local`, or the configured device of that name (kUnknownDevice naming
// the devices known and the file).
Result<DeviceSpec> find_device(const DeviceRegistry& registry, const std::string& name,
                               const std::string& file);

// Adds or (replace) overwrites; kInvalidArgument for a bad name or URI, or
// a name taken when !replace.
Status add_device(DeviceRegistry& registry, const DeviceSpec& spec, bool replace);
// kUnknownDevice when there is none of that name.
Status remove_device(DeviceRegistry& registry, const std::string& name);

}  // namespace opscope::devices

// The device flags `run` and `sweep` share (--device, --devices-file,
// --no-cache, --verbose) and opening the named devices with the CLI's
// messages and exit codes (docs/devices.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/device_case.h"

namespace CLI {
class App;
}  // namespace CLI

namespace opscope::cli {

struct DeviceFlags {
  std::vector<std::string> names;  // as given; empty: `local`
  std::string devices_file;        // "" = the default devices file
  bool no_cache = false;
  bool verbose = false;
};

// repeatable: sweep takes several --device, run one.
void add_device_flags(CLI::App& app, DeviceFlags& flags, bool repeatable);

// Opens every named device (`local` when none is named), in the order given,
// each once; on failure prints "opscope: error: ..." and sets exit_code
// (18 for an unknown name).
std::vector<std::unique_ptr<harness::DeviceSession>> open_devices_or_report(
    const DeviceFlags& flags, int& exit_code);

}  // namespace opscope::cli

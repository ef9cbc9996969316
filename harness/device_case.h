// Runs a benchmark case on a configured device (docs/devices.md): picks the
// runner bundle for the device's arch, pushes it and the model (and .npy
// inputs) once, cached on the device by sha256, hands the runner the case's
// plan, runs it as a fresh process with the case's time limit, and brings
// back its result document (and saved outputs). `local` runs the runner
// beside opscope, as run_case_process does.
//
// A failure of the device (unreachable, refused key, no bundle for its
// arch, a full disk) is an outcome like a crashing runner: a document with
// status "error", error.code naming the kind (device_unreachable,
// device_auth, no_bundle, device_io) and a message naming the device and
// the step, and the distinct exit code (harness/exit_codes.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "adapters/devices/device_spec.h"
#include "adapters/devices/probe.h"
#include "adapters/devices/transport.h"
#include "engine/status.h"
#include "harness/case_process.h"
#include "harness/run_options.h"

namespace opscope::harness {

// One device as one opscope process uses it: the link, what was probed of
// it, and which files are known to be on it already.
struct DeviceSession {
  devices::DeviceSpec spec;
  std::unique_ptr<devices::Transport> transport;
  std::optional<devices::DeviceProbe> probe;  // the first probe, kept
  bool no_cache = false;  // push bundle and model again, whatever is there
  bool verbose = false;   // print each push (and bytes) on stderr
  // Filled by the first case.
  std::string bundle_on_device;  // folder of the bundle on the device
  std::string loader, runner;    // the bundle's loader and runner, relative to it
  std::set<std::string> present;  // device paths known to exist
  std::string scratch;  // a private folder on this machine (shared-filesystem devices)
  DeviceSession() = default;
  DeviceSession(const DeviceSession&) = delete;
  DeviceSession& operator=(const DeviceSession&) = delete;
  ~DeviceSession();
  bool is_local() const { return spec.uri == "local"; }
};

// The device of that name from the devices file (`local` is always there);
// kUnknownDevice naming the known ones. Does not contact the device.
Result<std::unique_ptr<DeviceSession>> open_device_session(const std::string& name,
                                                           const std::string& devices_file);

// Probes once (and keeps it); errors name the device.
Result<devices::DeviceProbe> probe_session(DeviceSession& device);

// Where this machine keeps its runner bundles: $OPSCOPE_BUNDLE_DIR when it
// is set (and only there), else bundles/ beside the opscope executable.
std::string bundle_root();
// The bundle for `arch` ("x86_64", "aarch64"): bundle_root()/<arch> when it
// holds a bundle.json, else "".
std::string find_bundle(const std::string& arch);
// The bundle for the device's arch (probing it once); kNoBundle naming the
// device, its arch and where it looked.
Result<std::string> bundle_for_device(DeviceSession& device);

// Resolves a cluster name in opts.config.cpus ("big") with the device's
// probe; a CPU list is kept as it is.
Status resolve_cluster_cpus(DeviceSession& device, RunOptions& opts);

// Never fails: what went wrong is in the outcome's document.
CaseOutcome run_case_on_device(DeviceSession& device, const RunOptions& opts,
                               const CaseProcessOptions& options);

}  // namespace opscope::harness

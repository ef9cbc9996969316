// Runs a sweep's cases over its devices: one queue per device, every device
// at once (a thread each), never two cases at once on one device, so a lab
// of N devices takes about as long as its slowest device's share
// (docs/devices.md). A case that fails — the device dropped, the runner
// crashed — is stored as failed and its queue goes on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/case_process.h"
#include "harness/device_case.h"
#include "harness/sweep_plan.h"

namespace opscope::cli {

struct DeviceQueue {
  harness::DeviceSession* device = nullptr;
  std::vector<size_t> cases;  // indices into the sweep's cases, in run order
};

struct QueueSettings {
  harness::CaseProcessOptions case_options;
  double cool_down_secs = 0;     // sleep between two cases of one device
  double cool_until_c = 0;       // > 0: before a case, wait until the device's
                                 // hottest thermal zone is below this
  double cool_wait_max_secs = 600;
  bool tty = false;              // a live status line; else one line per case
};

struct QueueTotals {
  size_t ran = 0, failed = 0;
  bool interrupted = false;  // a signal came: the queues stopped
  Status store_error;        // storing a case failed: the queues stopped
  size_t interrupted_at = 0; // cases started when the signal came
};

// `store(index, outcome)` is called for every finished case, one at a time
// (under a lock); a non-ok Status stops every queue.
QueueTotals run_device_queues(
    const std::vector<harness::SweepCase>& cases, std::vector<DeviceQueue>& queues,
    const QueueSettings& settings,
    const std::function<Status(size_t index, harness::CaseOutcome& outcome)>& store);

// "3m05s", "42s", "1h02m".
std::string format_duration(double secs);
// "selfie_segmentation.tflite [float] xnnpack,cpu t1".
std::string describe_case(const harness::SweepCase& c);

}  // namespace opscope::cli

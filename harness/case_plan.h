// The benchmark plan: one case as the host hands it to opscope-runner
// (`opscope-runner --plan FILE`), on this machine or pushed to a device
// with the model. One JSON object, a versioned contract between two builds
// that may differ (an older bundle on a phone): a runner refuses a plan
// newer than it understands, and reads fields it does not know as absent
// (docs/result-document.md, "The benchmark plan").
//
//   {"plan_version": 1, "model": "m.tflite", "backends": "xnnpack,cpu",
//    "config": {CaseConfig as in the result document},
//    "save_outputs_dir": "", "no_op_profile": false}
//
// Paths are bytes and need not be UTF-8 while JSON text is: a path that is
// not valid UTF-8 travels hex-encoded in a "<field>_hex" twin, which wins.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/status.h"
#include "harness/run_options.h"

namespace opscope::harness {

inline constexpr int kPlanVersion = 1;

nlohmann::json plan_to_json(const RunOptions& opts);
// kInvalidArgument naming what is wrong (a newer plan_version included).
// json_path is not part of a plan and stays empty.
Result<RunOptions> plan_from_json(const nlohmann::json& plan);
// The same from a file (kIoError when unreadable), errors naming the file.
Result<RunOptions> load_plan_file(const std::string& path);

// Bytes <-> lowercase hex (also for sweep specs in the store).
std::string to_hex(const std::string& bytes);
std::optional<std::string> from_hex(const std::string& hex);

}  // namespace opscope::harness

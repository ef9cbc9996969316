// Shared by the store tests: a real result document (the runner's own code
// on a real model) and scratch database paths.
#pragma once

#include <cstdlib>
#include <string>

#include "harness/run_case.h"
#include "result/result_document.h"
#include "tests/util/scratch_dir.h"

namespace opscope::store::testing {

inline std::string model_path(const std::string& file) {
  const char* dir = std::getenv("OPSCOPE_MODEL_DIR");
  return dir ? std::string(dir) + "/" + file : file;
}

// Runs the runner's case code in this process on a real model: the document
// the store gets in production, samples, ops and all.
inline ResultDocument real_document(const std::string& file, int runs = 3) {
  harness::RunRequest req;
  req.model_path = model_path(file);
  req.config.runs = runs;
  req.config.warmup_runs = 0;
  req.config.min_secs = 0;
  return harness::run_case(req);
}

// A fresh folder under /tmp, removed at destruction.
struct ScratchDir : opscope::testing::ScratchDir {
  ScratchDir() : opscope::testing::ScratchDir("opscope-store-test") {}
};

}  // namespace opscope::store::testing

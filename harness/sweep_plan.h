// The case matrix of `opscope sweep`: models (and labelled variants, e.g.
// the float and int8 files of one model) x backend lists x thread counts,
// repeated, in shuffled interleaved order. From flags or a JSON plan file
// (docs/store.md, "Sweep plans").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/status.h"
#include "harness/run_options.h"

namespace opscope::harness {

struct SweepModel {
  std::string variant;  // the label stored with each run ("" for a plain --model)
  std::string path;
};

struct SweepPlan {
  std::vector<SweepModel> models;
  // Each one a priority list; default: the fastest this build has.
  std::vector<std::string> backends = {default_backend_list()};
  std::vector<int> threads = {1};
  int repeat = 1;
  uint64_t shuffle_seed = 1;
  bool shuffle = true;
  double cool_down_secs = 0;
  double timeout_secs = -1;  // per case; 0: none; -1: the default (cli/run_flags.h)
  RunOptions run;           // the shared run flags (model and backends unused)
  std::map<std::string, std::string> tags;
};

struct SweepCase {
  RunOptions opts;      // complete: model, backends, threads and the shared flags
  std::string variant;
  int round = 0;        // which repetition, from 0
  std::string device = "local";  // the configured device it runs on
};

// Every case: each round holds the whole matrix once, shuffled within the
// round (seeded), so that repetitions of a case are spread over the sweep
// and slow drift of the machine does not favour one case.
std::vector<SweepCase> expand_sweep(const SweepPlan& plan);

// "1,2,4" -> {1, 2, 4}; kInvalidArgument naming the bad item.
Result<std::vector<int>> parse_thread_list(const std::string& text);
// "LABEL=FILE"; kInvalidArgument when there is no label.
Result<SweepModel> parse_variant(const std::string& text);

// Reads a plan file into `plan` (fields it does not name keep their values).
// kIoError if unreadable; kInvalidArgument, naming the file and the field,
// for a malformed one.
Status load_sweep_plan(const std::string& path, SweepPlan& plan);

// Validates a finished plan (at least one model, positive counts).
// cpus_are_local false: --cpus names the devices' CPUs (checked there).
Status check_sweep_plan(const SweepPlan& plan, bool cpus_are_local = true);

}  // namespace opscope::harness

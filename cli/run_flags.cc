#include "cli/run_flags.h"

#include <algorithm>

#include <CLI/CLI.hpp>

namespace opscope::cli {

double resolve_timeout(double timeout_secs, const CaseConfig& config) {
  if (timeout_secs != kAutoTimeout) return timeout_secs;
  return std::max(kDefaultTimeoutSecs, config.warmup_secs + config.max_secs + 300);
}

using harness::RunOptions;

void add_run_options(CLI::App& app, RunOptions& o) {
  app.add_option("model", o.model, "Model file (.tflite)")->required();
  app.add_option("--backend", o.backends,
                 "Backend priority list, comma separated: native,xnnpack,cpu runs the "
                 "int8 nodes our own kernels take on native, what XNNPACK takes on XNNPACK "
                 "and the rest on the reference kernels (cpu). Default: the fastest this "
                 "build has")
      ->capture_default_str();
  app.add_option("--threads", o.config.threads, "Threads per backend")
      ->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--runs", o.config.runs, "Minimum number of measured invokes")
      ->capture_default_str()->check(CLI::Range(1, 10000000));
  app.add_option("--warmup", o.config.warmup_runs, "Warm-up invokes (not measured)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--warmup-secs", o.config.warmup_secs,
                 "Also warm up for at least this many seconds")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--min-secs", o.config.min_secs,
                 "Measure for at least this long (and at least --runs)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--max-secs", o.config.max_secs,
                 "Stop measuring after this long even if --runs is not reached")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", o.config.seed, "Seed of the random inputs")
      ->capture_default_str();
  app.add_option("--input", o.config.inputs,
                 "Feed an input from a .npy file: NAME=FILE.npy (repeatable; "
                 "FILE.npy alone for a one-input model). Others get seeded "
                 "random values");
  app.add_option("--json", o.json_path, "Write the result document (JSON) to FILE");
  app.add_option("--save-outputs", o.save_outputs_dir,
                 "Write every output as DIR/output_<i>.npy");
  app.add_option("--shape", o.config.shapes,
                 "Static shape of an ONNX input with free dims: NAME=1x3x224x224 "
                 "(repeatable; a free leading batch dim defaults to 1)");
  app.add_option("--freeze", o.config.freeze,
                 "ONNX: make a graph input a constant at load, NAME=NUMBER (its declared "
                 "type, one element) or NAME=FILE.npy (repeatable); what depends only on "
                 "it folds, e.g. --freeze sr=16000 takes a sample-rate If's branch at load");
  app.add_option("--carry-state", o.config.carry_state,
                 "Run a stateful model as it streams: after each invoke copy output OUT "
                 "into input IN (OUT=IN, repeatable; same dtype and shape), e.g. "
                 "--carry-state Y_h=initial_h. The copy is inside the timed invoke");
  app.add_option("--cpus", o.config.cpus,
                 "Pin the runner and its threads to these CPUs, e.g. 0 or 0,1 or 0-3 "
                 "(sched_setaffinity; the mask is recorded in the result)");
  app.add_option("--min-partition-size", o.config.min_partition_size,
                 "Delegated partitions shorter than this many nodes fall back to the "
                 "next backend in the list")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--trace-invokes", o.config.trace_invokes,
                 "Keep the op timeline of the first K measured invokes in the "
                 "result (trace; 0: none)")
      ->capture_default_str()->check(CLI::Range(0, 1000));
  app.add_option("--inject-delay-us", o.config.inject_delay_us,
                 "Test only: busy-wait N microseconds after each measured invoke, "
                 "inside the timed region (recorded in the result's config)")
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}))->group("Testing");
  app.add_option("--torch-engine", o.config.torch_engine,
                 "PyTorch files (.ptl, .pt): the quantized engine of their int8 operators "
                 "(recorded in the result). Default: libtorch's own (onednn on Debian's x86 "
                 "build; qnnpack is PyTorch Mobile's on phones)")
      ->check(CLI::IsMember({"qnnpack", "fbgemm", "onednn"}));
  app.add_option("--torch-memory-format", o.config.torch_memory_format,
                 "PyTorch files: the memory format of 4-d inputs, channels_last (what "
                 "PyTorch Mobile's XNNPACK convolutions want; the default for .ptl) or "
                 "contiguous (NCHW; the default for .pt); recorded in the result")
      ->check(CLI::IsMember({"channels_last", "contiguous"}));
  app.add_flag("--no-op-profile", o.no_op_profile,
               "Do not time operators: no profiled invokes at all (latency_ms always "
               "comes from unprofiled invokes)");
}

}  // namespace opscope::cli

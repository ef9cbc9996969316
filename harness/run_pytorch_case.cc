#include "harness/run_pytorch_case.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "datasets/npy.h"
#include "datasets/random_input.h"
#include "harness/cpu_affinity.h"
#include "harness/measure_loop.h"
#include "harness/session_io.h"
#include "harness/sha256.h"
#include "harness/trace_capture.h"
#include "profilers/latency_profiler.h"
#include "profilers/process_memory.h"
#include "profilers/trace_recorder.h"
#include "result/op_category.h"

namespace opscope::harness {
namespace {


// The --shape syntax of ONNX inputs (onnx::parse_shape_override), with the
// NAME optional: PyTorch inputs are positional, the name is for the reader.
Result<Shape> parse_shape(const std::string& path, const std::string& spec) {
  auto parsed =
      onnx::parse_shape_override(spec.find('=') == std::string::npos ? "input=" + spec : spec);
  if (!parsed.is_ok()) {
    return Status(ErrorCode::kInvalidArgument, path + ": " + parsed.status().message());
  }
  for (const int64_t d : parsed->second) {
    if (d <= 0 || d > (1 << 24)) {
      return Status(ErrorCode::kInvalidArgument,
                    path + ": --shape '" + spec + "': every dim must be 1 to 16777216");
    }
  }
  return parsed->second;
}

}  // namespace

Status feed_pytorch_inputs(pytorch::Module& module, const std::string& path,
                           const std::vector<std::string>& input_files,
                           const std::vector<std::string>& shapes, uint64_t seed) {
  std::vector<std::string> files;
  for (const std::string& spec : input_files) {
    if (spec.empty() || spec == "random") continue;
    const size_t eq = spec.find('=');
    files.push_back(eq == std::string::npos ? spec : spec.substr(eq + 1));
  }
  const size_t count = std::max(files.size(), shapes.size());
  if (count == 0) {
    if (module.has_bundled_inputs()) return module.use_bundled_inputs();
    return Status(ErrorCode::kInvalidArgument,
                  path + ": this PyTorch file carries no input shapes (no bundled inputs): "
                         "give --shape 1x3x224x224 (one per input of forward(), in order) or "
                         "--input FILE.npy");
  }
  for (size_t k = 0; k < count; ++k) {
    if (k < files.size()) {
      OPSCOPE_ASSIGN_OR_RETURN(const datasets::NpyArray a, datasets::read_npy(files[k]));
      if (a.dtype != DType::kF32) {
        return Status(ErrorCode::kTypeMismatch,
                      files[k] + ": input " + std::to_string(k) + " of " + path +
                          " must be float32 (<f4), not " + std::string(to_string(a.dtype)));
      }
      OPSCOPE_RETURN_IF_ERROR(module.set_input(static_cast<int>(k), a.shape,
                                               reinterpret_cast<const float*>(a.data.data())));
      continue;
    }
    OPSCOPE_ASSIGN_OR_RETURN(const Shape shape, parse_shape(path, shapes[k]));
    Tensor t;
    t.dtype = DType::kF32;
    t.shape = shape;
    std::vector<float> values(static_cast<size_t>(t.elements()));
    datasets::fill_random(t, seed + k, datasets::default_range(t), values.data());
    OPSCOPE_RETURN_IF_ERROR(module.set_input(static_cast<int>(k), shape, values.data()));
  }
  return Status::ok();
}

Result<PyTorchCalls> discover_pytorch_calls(pytorch::Module& module) {
  Profiler sink;  // the calls are read from the module, not from events
  constexpr int kMaxOps = 1 << 20;
  module.set_profiler(&sink, kMaxOps, /*read_arguments=*/true);
  const Status st = module.invoke();
  module.set_profiler(nullptr, 0);
  OPSCOPE_RETURN_IF_ERROR(st);
  PyTorchCalls calls;
  calls.types = module.last_op_types();
  calls.output_shapes = module.last_output_shapes();
  const std::vector<bool> depthwise = module.last_depthwise();
  for (size_t k = 0; k < calls.types.size(); ++k) {
    calls.categories.push_back(k < depthwise.size() && depthwise[k]
                                   ? std::string("depthwise")
                                   : std::string(op_category_of_type(calls.types[k])));
  }
  return calls;
}

namespace {

// One row per top-level operator call, in call order: named by type and
// occurrence ("aten::conv2d#3"), timed by the profiler.
std::vector<OpStats> collect_rows(const PyTorchCalls& calls,
                                  const std::vector<int64_t>& allocated,
                                  const profilers::LatencyProfiler& profiler) {
  const std::vector<std::string>& types = calls.types;
  std::vector<OpStats> ops;
  std::map<std::string, int> seen;
  for (size_t k = 0; k < types.size(); ++k) {
    OpStats op;
    op.index = static_cast<int>(k);
    op.source_index = static_cast<int>(k);
    op.type = types[k];
    op.name = types[k] + "#" + std::to_string(seen[types[k]]++);
    op.backend = "pytorch";
    op.category = calls.categories[k];
    if (k < allocated.size()) op.allocated_bytes = allocated[k];
    if (k < calls.output_shapes.size()) op.output_shapes = calls.output_shapes[k];
    fill_op_times(profiler, static_cast<int>(k), op);
    ops.push_back(std::move(op));
  }
  fill_op_shares(ops);
  return ops;
}

std::vector<OutputArray> module_outputs(const pytorch::Module& module) {
  std::vector<OutputArray> out;
  int i = 0;
  for (const pytorch::OutputView& v : module.outputs()) {
    out.push_back({"output_" + std::to_string(i++), v.dtype, v.shape, v.data, v.bytes});
  }
  return out;
}

}  // namespace

ResultDocument measure_pytorch_case(const std::string& path, const CaseConfig& cfg,
                                    const std::string& save_outputs_dir,
                                    const std::function<void(const std::string&)>& progress,
                                    ResultDocument doc) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  doc.config.backends = {"pytorch"};
  auto mask = pin_to_cpus(cfg.cpus);
  if (!mask.is_ok()) return failed_case(doc, mask.status());
  doc.config.affinity = *mask;

  const uint64_t load_start = now_ns();
  auto loaded = pytorch::Module::load(
      path, pytorch::LoadOptions{cfg.threads, cfg.torch_engine, cfg.torch_memory_format});
  if (!loaded.is_ok()) return failed_case(doc, loaded.status());
  std::unique_ptr<pytorch::Module> module = std::move(loaded).value();
  const uint64_t load_end = now_ns();
  doc.stages.load_ms = ns_to_ms(load_end - load_start);
  doc.memory.rss_after_load_bytes = static_cast<int64_t>(profilers::current_rss_bytes());
  doc.model.path = path;
  doc.model.sha256 = sha256_file_hex(path);
  doc.model.format = module->format();
  doc.config.torch_engine = module->quantized_engine();
  doc.config.torch_memory_format = module->memory_format();
  doc.model.params = module->params();
  std::error_code ec;
  doc.model.size_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));

  Status st = feed_pytorch_inputs(*module, path, cfg.inputs, cfg.shapes, cfg.seed);
  if (!st.is_ok()) return failed_case(doc, st);
  if (!cfg.carry_state.empty()) {
    return failed_case(doc, Status(ErrorCode::kInvalidArgument,
                                   "--carry-state is for .tflite and .onnx models: a PyTorch "
                                   "file's forward() returns its state itself"));
  }

  // The operator calls of one forward(), found by running it once with the
  // events on (PyTorch has no graph to read them from; it also does its
  // lazy setup here): reported as the prepare stage.
  say("finding the operator calls of " + doc.model.name);
  const uint64_t prepare_start = now_ns();
  auto discovered = discover_pytorch_calls(*module);
  const uint64_t prepare_end = now_ns();
  if (!discovered.is_ok()) return failed_case(doc, discovered.status());
  const PyTorchCalls calls = std::move(discovered).value();
  doc.stages.prepare_ms = ns_to_ms(prepare_end - prepare_start);
  const std::vector<std::string>& types = calls.types;
  const int num_ops = static_cast<int>(types.size());
  doc.model.nodes = num_ops;
  // The weights' precision as the operators show it (a .ptl made by
  // optimize_for_mobile keeps its weights inside prepacked objects).
  doc.model.precision = "f32";
  for (const std::string& t : types) {
    if (t.rfind("quantized::", 0) == 0) doc.model.precision = "int8";
  }

  const int expected_invokes = std::max(cfg.runs, 16) + 16;
  profilers::LatencyProfiler profiler(std::max(num_ops, 1), expected_invokes);
  profilers::TraceRecorder trace(cfg.trace_invokes, profiler.event_capacity());
  record_setup_stages(trace, profiler, load_start, load_end);
  trace.record_stage("prepare", prepare_start, prepare_end);
  std::vector<int> all(static_cast<size_t>(num_ops));
  for (int k = 0; k < num_ops; ++k) all[static_cast<size_t>(k)] = k;
  doc.partitions.push_back({"pytorch", all});

  profilers::LatencyProfiler* op_profiler = cfg.op_profile ? &profiler : nullptr;
  st = measure_invokes(
      cfg,
      [&](profilers::LatencyProfiler* p) {
        module->set_profiler(p, num_ops);
        return module->invoke();
      },
      op_profiler, trace, say, doc);
  module->set_profiler(nullptr, 0);
  if (!st.is_ok()) return failed_case(doc, st);
  if (module->dropped_events() > 0) {
    return failed_case(doc, Status(ErrorCode::kInternal,
                              path + ": forward() made more operator calls in a measured invoke "
                                     "than in the first (" + std::to_string(num_ops) +
                                  "): data-dependent control flow is not supported yet"));
  }
  if (op_profiler) {
    // One more invoke, untimed, for what each call allocates.
    Profiler sink;
    module->set_profiler(&sink, num_ops);
    module->set_memory_reporting(true);
    st = module->invoke();
    module->set_memory_reporting(false);
    module->set_profiler(nullptr, 0);
    if (!st.is_ok()) return failed_case(doc, st);
    doc.ops = collect_rows(calls, module->last_allocated_bytes(), profiler);
  }
  doc.trace = export_trace(trace);
  doc.memory.peak_rss_bytes = static_cast<int64_t>(profilers::peak_rss_bytes());
  const std::vector<OutputArray> outputs = module_outputs(*module);
  doc.outputs = describe_outputs(outputs);
  if (!save_outputs_dir.empty()) {
    st = save_outputs(outputs, save_outputs_dir);
    if (!st.is_ok()) return failed_case(doc, st);
  }
  return doc;
}

}  // namespace opscope::harness

// The PyTorch runtime through libtorch (pytorch_module.h): the plugin
// libopscope_pytorch.so, opened by pytorch_loader.cc.
#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "adapters/runtimes/pytorch/torch_call_arguments.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <torch/csrc/jit/mobile/code.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/csrc/jit/mobile/module.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/script.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <optional>
#include <set>

namespace opscope::pytorch {
namespace {

// The event sink of the profiled invokes on this (the invoking) thread:
// RecordFunction callbacks are thread-local here, so operators that
// PyTorch's intra-op pool runs never reach them.
struct Recorder {
  Profiler* profiler = nullptr;
  int max_ops = 0;
  int depth = 0;     // nesting of the calls being recorded
  int position = 0;  // top-level calls so far in this invoke
  uint64_t start_ns = 0;
  int64_t dropped = 0;
  // Top-level operator names in call order (with read_arguments).
  std::vector<std::string> types;
  bool read_arguments = false;
  std::vector<bool> depthwise;  // per call, with read_arguments
  std::vector<std::vector<std::string>> output_shapes;  // per call, with read_arguments
  bool count_allocations = false;        // Module::set_memory_reporting
  int64_t allocated = 0;                 // by the current top-level call
  std::vector<int64_t> allocated_bytes;  // per call, the last invoke counting them
};

// PyTorch's CPU allocator reports every allocation to the thread's
// PROFILER_STATE debug info when it asks for them; installed around the
// invokes that count allocations (TorchModule::invoke), it adds them to the
// call running.
struct AllocationReporter final : c10::MemoryReportingInfoBase {
  Recorder* recorder = nullptr;
  void reportMemoryUsage(void*, int64_t alloc_size, int64_t, int64_t, c10::Device) override {
    if (alloc_size > 0 && recorder->depth > 0) recorder->allocated += alloc_size;
  }
  bool memoryProfilingEnabled() const override { return true; }
};
thread_local Recorder* tls_recorder = nullptr;

// "1x32x112x112".
std::string shape_text(const at::Tensor& t) {
  std::string s;
  for (const int64_t d : t.sizes()) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

std::unique_ptr<at::ObserverContext> on_enter(const at::RecordFunction& fn) {
  Recorder* r = tls_recorder;
  if (r != nullptr && r->depth++ == 0) {
    // Names and arguments in the discovery invoke only, allocations in the
    // memory invoke only: the measured profiled invokes take two clock
    // reads per call and nothing else.
    r->allocated = 0;
    if (r->read_arguments) {
      const auto k = static_cast<size_t>(r->position);
      r->types.resize(std::max(r->types.size(), k + 1));
      r->types[k].assign(fn.name());
      r->depthwise.resize(std::max(r->depthwise.size(), k + 1));
      r->depthwise[k] = is_depthwise(fn);
    }
    r->start_ns = now_ns();
  }
  return nullptr;
}

void on_exit(const at::RecordFunction& fn, at::ObserverContext*) {
  Recorder* r = tls_recorder;
  if (r == nullptr || r->depth == 0 || --r->depth != 0) return;
  const uint64_t end = now_ns();
  const auto k = static_cast<size_t>(r->position);
  if (r->count_allocations) {
    if (r->allocated_bytes.size() <= k) r->allocated_bytes.resize(k + 1, 0);
    r->allocated_bytes[k] = r->allocated;
  }
  if (r->read_arguments) {
    std::vector<std::string> shapes;
    for (const c10::IValue& v : fn.outputs()) {
      if (v.isTensor()) shapes.push_back(shape_text(v.toTensor()));
    }
    r->output_shapes.resize(std::max(r->output_shapes.size(), k + 1));
    r->output_shapes[k] = std::move(shapes);
  }
  if (r->position < r->max_ops) {
    r->profiler->add_op_event(r->position, 0, r->start_ns, end);
  } else {
    ++r->dropped;
  }
  ++r->position;
}

// Our dtype of a tensor's scalar type; none for one the result document
// cannot describe (collect() converts those to float).
std::optional<DType> dtype_of(const at::Tensor& t) {
  switch (t.scalar_type()) {
    case at::kFloat: return DType::kF32;
    case at::kHalf: return DType::kF16;
    case at::kInt: return DType::kI32;
    case at::kLong: return DType::kI64;
    case at::kChar: return DType::kI8;
    case at::kByte: return DType::kU8;
    case at::kBool: return DType::kBool;
    default: return std::nullopt;
  }
}

class TorchModule final : public Module {
 public:
  TorchModule(std::string path, bool lite, bool channels_last)
      : path_(std::move(path)), lite_(lite), channels_last_(channels_last) {}

  Status open() {
    try {
      if (lite_) {
        mobile_.emplace(torch::jit::_load_for_mobile(path_));
        for (const at::Tensor& p : mobile_->parameters()) params_ += p.numel();
      } else {
        script_.emplace(torch::jit::load(path_));
        script_->eval();
        for (const at::Tensor& p : script_->parameters()) params_ += p.numel();
      }
    } catch (const std::exception& e) {
      return Status(ErrorCode::kMalformedModel,
                    path_ + ": not a loadable " + format() + " file: " + first_line(e.what()));
    }
    return Status::ok();
  }

  std::string format() const override { return lite_ ? "pytorch-lite" : "torchscript"; }

  std::string memory_format() const override {
    return channels_last_ ? "channels_last" : "contiguous";
  }

  std::string quantized_engine() const override {
    switch (at::globalContext().qEngine()) {
      case at::QEngine::QNNPACK: return "qnnpack";
      case at::QEngine::FBGEMM: return "fbgemm";
      case at::QEngine::ONEDNN: return "onednn";
      default: return "none";
    }
  }

  std::vector<std::string> methods() const override {
    std::vector<std::string> names;
    if (lite_) {
      for (const torch::jit::mobile::Method& m : mobile_->get_methods()) names.push_back(m.name());
    } else {
      for (const torch::jit::Method& m : script_->get_methods()) names.push_back(m.name());
    }
    return names;
  }

  int64_t static_operator_calls() const override {
    if (!lite_) return -1;
    const auto method = mobile_->find_method("forward");
    if (!method) return -1;
    int64_t calls = 0;
    for (const torch::jit::Instruction& i : method->function().get_code().instructions_) {
      if (i.op == torch::jit::OP || i.op == torch::jit::OPN) ++calls;
    }
    return calls;
  }

  std::vector<std::string> operator_names() const override {
    std::set<std::string> names;
    try {
      if (lite_) {
        names = torch::jit::mobile::_export_operator_list(
            const_cast<torch::jit::mobile::Module&>(*mobile_));  // reads only
      } else {
        // The optimized graph has the submodules' methods inlined.
        const std::shared_ptr<torch::jit::Graph> graph =
            torch::jit::toGraphFunction(script_->get_method("forward").function())
                .optimized_graph();
        for (const torch::jit::Node* n : graph->nodes()) {
          const c10::Symbol kind = n->kind();
          if (kind.is_aten() || std::string(kind.ns().toUnqualString()) != "prim") {
            names.insert(kind.toQualString());
          }
        }
      }
    } catch (const std::exception&) {
    }
    return {names.begin(), names.end()};
  }
  int64_t params() const override { return params_; }

  Status set_input(int index, const Shape& shape, const float* data) override {
    if (index < 0) return Status(ErrorCode::kInvalidArgument, path_ + ": negative input index");
    if (static_cast<size_t>(index) >= inputs_.size()) inputs_.resize(static_cast<size_t>(index) + 1);
    std::vector<int64_t> dims(shape.begin(), shape.end());
    at::Tensor t = torch::from_blob(const_cast<float*>(data), dims, at::kFloat).clone();
    if (channels_last_ && t.dim() == 4) t = t.contiguous(at::MemoryFormat::ChannelsLast);
    inputs_[static_cast<size_t>(index)] = t;
    return Status::ok();
  }

  bool has_bundled_inputs() const override {
    return lite_ ? mobile_->find_method("get_all_bundled_inputs").has_value()
                 : script_->find_method("get_all_bundled_inputs").has_value();
  }

  Status use_bundled_inputs() override {
    try {
      const c10::IValue all = lite_ ? mobile_->run_method("get_all_bundled_inputs")
                                    : script_->run_method("get_all_bundled_inputs");
      const c10::List<c10::IValue> sets = all.toList();
      if (sets.empty()) {
        return Status(ErrorCode::kInvalidArgument, path_ + ": its bundled inputs are empty");
      }
      inputs_ = sets.get(0).toTupleRef().elements().vec();
      for (c10::IValue& v : inputs_) {
        if (v.isTensor() && channels_last_ && v.toTensor().dim() == 4) {
          v = v.toTensor().contiguous(at::MemoryFormat::ChannelsLast);
        }
      }
    } catch (const std::exception& e) {
      return Status(ErrorCode::kMalformedModel,
                    path_ + ": cannot read its bundled inputs: " + first_line(e.what()));
    }
    return Status::ok();
  }

  std::vector<std::string> input_shapes() const override {
    std::vector<std::string> shapes;
    for (const c10::IValue& v : inputs_) shapes.push_back(v.isTensor() ? shape_text(v.toTensor()) : "");
    return shapes;
  }

  Status invoke() override {
    if (recorder_.profiler != nullptr) {
      recorder_.depth = 0;
      recorder_.position = 0;
    }
    try {
      c10::InferenceMode guard;
      // The last outputs go before the allocator reports start: a block
      // freed while they run must have been allocated while they run (c10
      // warns of any other).
      outputs_.clear();
      c10::IValue out;
      {
        std::optional<c10::DebugInfoGuard> reporting;
        if (recorder_.count_allocations) {
          reporting.emplace(c10::DebugInfoKind::PROFILER_STATE, reporter_);
        }
        out = lite_ ? mobile_->forward(inputs_) : script_->forward(inputs_);
      }
      collect(out);
    } catch (const std::exception& e) {
      return Status(ErrorCode::kBackendError,
                    path_ + ": forward() failed: " + first_line(e.what()));
    }
    return Status::ok();
  }

  void set_profiler(Profiler* profiler, int max_ops, bool read_arguments) override {
    if (profiler == recorder_.profiler && read_arguments == recorder_.read_arguments) return;
    if (callback_) {
      at::removeCallback(*callback_);
      callback_.reset();
      tls_recorder = nullptr;
    }
    recorder_.profiler = profiler;
    recorder_.max_ops = max_ops;
    recorder_.read_arguments = read_arguments;
    if (read_arguments) {
      recorder_.types.clear();
      recorder_.depthwise.clear();
      recorder_.output_shapes.clear();
    }
    if (profiler == nullptr) return;
    tls_recorder = &recorder_;
    at::RecordFunctionCallback cb(on_enter, on_exit);
    // Operators only: TorchScript's own function scopes (forward() itself,
    // the submodules' methods) would wrap the operators as one row. The
    // lite interpreter marks its own calls (LITE_INTERPRETER); leaving out
    // the aten calls nested in them keeps the profiled invokes' overhead
    // down (mobilenet_v2.ptl: +4% with them).
    if (lite_) {
      cb.scopes({at::RecordScope::LITE_INTERPRETER});
    } else {
      cb.scopes({at::RecordScope::FUNCTION});
    }
    cb.needsInputs(read_arguments);
    cb.needsOutputs(read_arguments);
    callback_ = at::addThreadLocalCallback(cb);
  }

  std::vector<std::string> last_op_types() const override {
    const size_t n = std::min(recorder_.types.size(), static_cast<size_t>(recorder_.position));
    return {recorder_.types.begin(), recorder_.types.begin() + static_cast<std::ptrdiff_t>(n)};
  }
  int64_t dropped_events() const override { return recorder_.dropped; }
  std::vector<std::vector<std::string>> last_output_shapes() const override {
    auto out = recorder_.output_shapes;
    out.resize(static_cast<size_t>(recorder_.position));
    return out;
  }

  void set_memory_reporting(bool on) override { recorder_.count_allocations = on; }

  std::vector<int64_t> last_allocated_bytes() const override {
    auto out = recorder_.allocated_bytes;
    out.resize(static_cast<size_t>(recorder_.position), 0);
    return out;
  }

  std::vector<bool> last_depthwise() const override {
    std::vector<bool> out(recorder_.depthwise.begin(), recorder_.depthwise.end());
    out.resize(static_cast<size_t>(recorder_.position), false);
    return out;
  }

  std::vector<OutputView> outputs() const override {
    std::vector<OutputView> views;
    for (const at::Tensor& t : outputs_) {
      OutputView v;
      v.dtype = *dtype_of(t);
      v.shape.assign(t.sizes().begin(), t.sizes().end());
      v.data = t.data_ptr();
      v.bytes = t.nbytes();
      views.push_back(std::move(v));
    }
    return views;
  }

  ~TorchModule() override { set_profiler(nullptr, 0, false); }

 private:
  static std::string first_line(const char* what) {
    std::string s(what);
    const size_t nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
  }

  void collect(const c10::IValue& v) {
    if (v.isTensor()) {
      const at::Tensor& t = v.toTensor();
      outputs_.push_back(dtype_of(t) ? t.contiguous() : t.to(at::kFloat).contiguous());
    } else if (v.isTuple()) {
      for (const c10::IValue& e : v.toTupleRef().elements()) collect(e);
    } else if (v.isList()) {
      for (const c10::IValue& e : v.toListRef()) collect(e);
    }
  }

  std::string path_;
  bool lite_;
  bool channels_last_;
  std::optional<torch::jit::mobile::Module> mobile_;
  std::optional<torch::jit::Module> script_;
  int64_t params_ = 0;
  std::vector<c10::IValue> inputs_;
  std::vector<at::Tensor> outputs_;
  Recorder recorder_;
  std::shared_ptr<AllocationReporter> reporter_ = [this] {
    auto r = std::make_shared<AllocationReporter>();
    r->recorder = &recorder_;
    return r;
  }();
  std::optional<at::CallbackHandle> callback_;
};

// Before loading: a .ptl's prepacked int8 weights are made for the engine
// in force when it is read.
Status select_quantized_engine(const std::string& path, const std::string& name) {
  // libtorch's default, as it was before any load set another (the engine
  // is process-wide, and a process may load several files).
  static const at::QEngine kDefault = at::globalContext().qEngine();
  if (name.empty()) {
    at::globalContext().setQEngine(kDefault);
    return Status::ok();
  }
  const std::pair<const char*, at::QEngine> known[] = {
      {"qnnpack", at::QEngine::QNNPACK}, {"fbgemm", at::QEngine::FBGEMM},
      {"onednn", at::QEngine::ONEDNN}};
  for (const auto& [n, engine] : known) {
    if (name != n) continue;
    const auto& supported = at::globalContext().supportedQEngines();
    if (std::find(supported.begin(), supported.end(), engine) == supported.end()) {
      return Status(ErrorCode::kInvalidArgument,
                    path + ": --torch-engine " + name + ": this libtorch was built without it");
    }
    at::globalContext().setQEngine(engine);
    return Status::ok();
  }
  return Status(ErrorCode::kInvalidArgument,
                path + ": unknown --torch-engine '" + name + "' (qnnpack, fbgemm or onednn)");
}

Result<std::unique_ptr<Module>> load_torch_module(const std::string& path,
                                                  const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status(ErrorCode::kIoError, path + ": no such file");
  }
  at::set_num_threads(std::max(options.threads, 1));
  OPSCOPE_RETURN_IF_ERROR(select_quantized_engine(path, options.quantized_engine));
  const bool lite = std::filesystem::path(path).extension() == ".ptl";
  const std::string format =
      options.memory_format.empty() ? (lite ? "channels_last" : "contiguous") : options.memory_format;
  if (format != "channels_last" && format != "contiguous") {
    return Status(ErrorCode::kInvalidArgument,
                  path + ": unknown --torch-memory-format '" + format +
                      "' (channels_last or contiguous)");
  }
  auto module = std::make_unique<TorchModule>(path, lite, format == "channels_last");
  OPSCOPE_RETURN_IF_ERROR(module->open());
  return std::unique_ptr<Module>(std::move(module));
}

}  // namespace
}  // namespace opscope::pytorch

extern "C" __attribute__((visibility("default"))) opscope::pytorch::PluginLoadFn
opscope_pytorch_plugin_v1() {
  return &opscope::pytorch::load_torch_module;
}

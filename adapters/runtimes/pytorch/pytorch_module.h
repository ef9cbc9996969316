// PyTorch Mobile (.ptl, the lite interpreter) and TorchScript (.pt) files
// on PyTorch's own runtime (libtorch), driven and measured as the runner
// drives our engine: inputs in, invoke, per-operator events out.
//
// This header does not include libtorch: the harness builds against it
// whether or not libtorch was found. The libtorch part is a plugin,
// libopscope_pytorch.so (pytorch_module.cc), that load() opens on first use
// (pytorch_loader.cc): the runner itself, and the runner bundles pushed to
// devices, do not depend on libtorch's few hundred megabytes. Without the
// plugin, available() is false and load() fails with a message saying so.
//
// Per-operator events: while a profiler is attached, every top-level
// operator call of an invoke (the lite interpreter's own op calls, or the
// outermost aten/prepacked/quantized calls of a TorchScript method;
// operators they call in turn are inside their time, not rows of their own)
// becomes profiler->add_op_event(k, 0, start, end), k its position in the
// invoke's call sequence, on the engine's clock (now_ns). The events come
// from PyTorch's RecordFunction callbacks, installed for the profiled
// invokes only, so unprofiled invokes run without them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/profiling.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace opscope::pytorch {

// Whether this build has the PyTorch runtime (libtorch-dev at configure time).
bool available();

// Whether `path` names a file for this runtime (.ptl or .pt).
bool is_pytorch_path(const std::string& path);

struct LoadOptions {
  int threads = 1;  // PyTorch's intra-op threads (at::set_num_threads)
  // The quantized engine of the int8 operators: "qnnpack" (PyTorch
  // Mobile's on phones), "fbgemm" or "onednn"; one this libtorch lacks is
  // an error. Empty: libtorch's own default (onednn in Debian's x86 build,
  // 8x faster than qnnpack there on resnet18 int8).
  std::string quantized_engine;
  // How 4-d inputs are laid out in memory: "channels_last" (what PyTorch
  // Mobile's XNNPACK convolutions want: mobilenet_v2.ptl 9 ms instead of
  // 21 ms with "contiguous" NCHW, which they convert at every call) or
  // "contiguous" (what TorchScript's aten convolutions want: mobilenet_v2.pt
  // 97 ms instead of 188 ms). Empty: channels_last for a .ptl, contiguous
  // for a .pt. The values are the same either way.
  std::string memory_format;
};

// One output of the last invoke, as a contiguous host array.
struct OutputView {
  DType dtype = DType::kF32;
  Shape shape;
  const void* data = nullptr;
  size_t bytes = 0;
};

class Module;
// The plugin's one entry point (extern "C" opscope_pytorch_plugin_v1 returns
// it): Module::load's work. The plugin is built from this tree with the same
// compiler, so C++ types cross the boundary.
using PluginLoadFn = Result<std::unique_ptr<Module>> (*)(const std::string& path,
                                                         const LoadOptions& options);

class Module {
 public:
  // Loads a .ptl with the lite interpreter (_load_for_mobile) or a .pt
  // with the TorchScript loader, through the plugin. Errors name the file
  // and the reason.
  static Result<std::unique_ptr<Module>> load(const std::string& path, const LoadOptions& options);
  virtual ~Module() = default;

  // "pytorch-lite" or "torchscript".
  virtual std::string format() const = 0;
  // The quantized engine in force ("qnnpack", "onednn", "fbgemm").
  virtual std::string quantized_engine() const = 0;
  // The memory format 4-d inputs are given in ("channels_last", "contiguous").
  virtual std::string memory_format() const = 0;
  // Parameters (elements of every parameter tensor the module holds).
  virtual int64_t params() const = 0;
  // The methods the file defines ("forward", ...).
  virtual std::vector<std::string> methods() const = 0;
  // The operators the file's code calls, without running it: the lite
  // interpreter's operator table, or the operator nodes of a TorchScript
  // forward() with its submodules' methods inlined. Sorted, distinct.
  virtual std::vector<std::string> operator_names() const = 0;
  // The operator calls forward()'s code makes, counted in the code itself
  // without running it (the lite interpreter's OP/OPN instructions; a loop
  // or branch makes this a static count); -1 for a TorchScript file.
  virtual int64_t static_operator_calls() const = 0;
  // Input i of forward() for the next invokes: a copy of `data` (f32).
  virtual Status set_input(int index, const Shape& shape, const float* data) = 0;
  // Whether the file carries bundled inputs (torch.utils.bundled_inputs:
  // a get_all_bundled_inputs method), and making the first set of them
  // forward()'s inputs.
  virtual bool has_bundled_inputs() const = 0;
  virtual Status use_bundled_inputs() = 0;
  // The shapes of the inputs set ("1x3x224x224"; "" for a non-tensor).
  virtual std::vector<std::string> input_shapes() const = 0;
  // Runs forward() once on the inputs set.
  virtual Status invoke() = 0;
  // Attaches (or, with null, detaches) the per-operator event sink; at most
  // `max_ops` calls per invoke are reported (positions past it are dropped
  // and counted in dropped_events()). With `read_arguments` the events also
  // read the calls' arguments (convolution groups, last_depthwise()): slower,
  // for the invoke that finds the calls, not for measured ones.
  virtual void set_profiler(Profiler* profiler, int max_ops, bool read_arguments = false) = 0;
  // The operator names of the top-level calls of the last invoke made with
  // read_arguments, in call order ("aten::conv2d",
  // "prepacked::conv2d_clamp_run", ...).
  virtual std::vector<std::string> last_op_types() const = 0;
  virtual int64_t dropped_events() const = 0;
  // Per call of the last invoke made with read_arguments: whether it is a
  // depthwise convolution (groups = input channels > 1). PyTorch has one
  // operator for every convolution; the groups tell them apart.
  virtual std::vector<bool> last_depthwise() const = 0;
  // Per call of the last invoke made with read_arguments: the shapes of its
  // tensor outputs ("1x32x112x112"), where PyTorch hands them to the events.
  virtual std::vector<std::vector<std::string>> last_output_shapes() const = 0;
  // With a profiler attached, also count what every call allocates from
  // PyTorch's CPU allocator (its reports to profilers). That costs a lock
  // and a map insert per allocation (mobilenet_v3_small int8: about +1%),
  // so it is for an invoke of its own, not the timed ones.
  virtual void set_memory_reporting(bool on) = 0;
  // Per call of the last invoke made with memory reporting: the bytes it
  // allocated (its outputs and temporaries; memory a kernel library
  // allocates on its own is not reported to PyTorch and not here).
  virtual std::vector<int64_t> last_allocated_bytes() const = 0;
  // The outputs of the last invoke (forward's tensor, or the tensors of a
  // tuple or list it returns).
  virtual std::vector<OutputView> outputs() const = 0;
};

}  // namespace opscope::pytorch

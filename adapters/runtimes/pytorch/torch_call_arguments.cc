#include "adapters/runtimes/pytorch/torch_call_arguments.h"

#include <ATen/native/quantized/PackedParams.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/script.h>

#include <exception>
#include <string_view>

namespace opscope::pytorch {
namespace {

// A convolution call's input tensor and groups, from its arguments:
// aten::conv2d's or aten::_convolution's groups, the state of XNNPACK's
// prepacked context (its __getstate__: weight, bias, stride, padding,
// dilation, groups, ...), or a quantized convolution's packed parameters.
// The lite interpreter may hand the callbacks more stack than the call's
// arguments: they are the last `count` values. groups 0: not a
// convolution, or it says nothing.
struct ConvCall {
  const c10::IValue* input = nullptr;
  int64_t groups = 0;
};

ConvCall convolution_call(const at::RecordFunction& fn) {
  const std::string_view name = fn.name();
  const c10::ArrayRef<const c10::IValue> all = fn.inputs();
  const auto args = [&](size_t count) -> const c10::IValue* {
    return all.size() >= count ? all.data() + (all.size() - count) : nullptr;
  };
  ConvCall call;
  try {
    if (name == "aten::conv2d") {
      if (const c10::IValue* a = args(7); a && a[6].isInt()) call = {&a[0], a[6].toInt()};
    } else if (name == "aten::_convolution") {
      if (const c10::IValue* a = args(13); a && a[8].isInt()) call = {&a[0], a[8].toInt()};
    } else if (name == "aten::convolution") {
      if (const c10::IValue* a = args(9); a && a[8].isInt()) call = {&a[0], a[8].toInt()};
    } else if (name.rfind("quantized::conv2d", 0) == 0) {
      if (const c10::IValue* a = args(4); a && a[1].isCustomClass()) {
        call = {&a[0], a[1].toCustomClass<ConvPackedParamsBase<2>>()->groups()};
      }
    } else if (name == "prepacked::conv2d_clamp_run") {
      const c10::IValue* a = args(2);
      if (a == nullptr || !a[1].isObject()) return call;
      torch::jit::Function* getstate = a[1].toObject()->type()->findMethod("__getstate__");
      if (getstate == nullptr) return call;
      torch::jit::Stack stack{a[1]};
      getstate->run(stack);
      if (!stack.empty() && stack.back().isTuple()) {
        const auto& state = stack.back().toTupleRef().elements();
        if (state.size() > 5 && state[5].isInt()) call = {&a[0], state[5].toInt()};
      }
    }
  } catch (const std::exception&) {
    return {};
  }
  return call;
}

}  // namespace

bool is_depthwise(const at::RecordFunction& fn) {
  const ConvCall call = convolution_call(fn);
  if (call.groups <= 1 || call.input == nullptr || !call.input->isTensor()) return false;
  const at::Tensor& x = call.input->toTensor();
  return x.dim() >= 2 && x.size(1) == call.groups;
}

}  // namespace opscope::pytorch

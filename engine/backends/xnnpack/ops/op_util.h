// Checks and conversions shared by the XNNPACK op files.
#pragma once

#include <xnnpack.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/backends/xnnpack/xnn_node_op.h"
#include "engine/graph.h"

namespace opscope::xnnpack {

// Every input present and output is f32 (absent optional inputs allowed).
bool expect_f32_io(const Graph& g, const Node& n, std::string* why);
// The listed inputs, when present, are constant tensors.
bool expect_constant_inputs(const Graph& g, const Node& n,
                            std::initializer_list<int> inputs, std::string* why);
// XNNPACK fuses clamps (none, RELU, RELU_N1_TO_1, RELU6) but not TANH.
bool expect_fused_clamp(Activation activation, std::string* why);
// Input `i` has rank `rank` (declared shape).
bool expect_rank(const Graph& g, const Node& n, int i, int rank, std::string* why);

// Explicit pads for a window op, resolving TFLite SAME/VALID.
Pads2D resolve_pads(Padding padding, const Pads2D& explicit_pads, int64_t in_h,
                    int64_t in_w, int64_t kh, int64_t kw, int stride_h, int stride_w,
                    int dilation_h, int dilation_w);

// The constant f32 bias at input `i`, or nullptr when absent.
const float* optional_bias(const Graph& g, const Node& n, int i);

// ---------------------------------------------------------------------------
// Shared by the elementwise, pooling and data-movement op files.
// ---------------------------------------------------------------------------
// Bytes of readable slack given to every copy this backend owns: XNNPACK's
// micro-kernels may read up to XNN_EXTRA_BYTES past the end of an input.
constexpr size_t kOwnedSlackBytes = 64;
static_assert(kOwnedSlackBytes >= XNN_EXTRA_BYTES);

// Every input present and every output has dtype `dtype`.
bool expect_dtype_io(const Graph& g, const Node& n, DType dtype, std::string* why);
// Exactly `inputs` inputs (all present) and one output.
bool expect_arity(const Graph& g, const Node& n, int inputs, std::string* why);
// Input `i` has rank <= `max_rank` (declared shape).
bool expect_max_rank(const Graph& g, const Node& n, int i, int max_rank,
                     std::string* why);
// The tensor is quantized per tensor (one scale, one zero point) with a
// finite positive normal scale and a zero point that fits int8. `what` names
// it in the reason ("input 0", "output").
bool expect_qs8_per_tensor(const Tensor& t, const std::string& what, std::string* why);
// The node's ActivationAttrs (std::monostate reads as none).
Activation node_activation(const Node& n);

// A tensor shape as XNNPACK takes it.
std::vector<size_t> xnn_shape(const Shape& shape);
// Product of all dims but the last (1 for a scalar) and the last dim.
struct BatchChannels {
  size_t batch = 1;
  size_t channels = 1;
};
BatchChannels batch_channels(const Shape& shape);

// Per-tensor int8 quantization as XNNPACK takes it.
struct Qs8Params {
  float scale = 1.0f;
  int8_t zero_point = 0;
};
Qs8Params qs8_params(const Tensor& t);
// A fused activation's clamp in the quantized domain of the output, as
// TFLite computes it (zero_point + round(bound / scale), within [-128, 127]).
struct Qs8Range {
  int8_t min = -128;
  int8_t max = 127;
};
Qs8Range qs8_activation_range(Activation a, const Qs8Params& out);

// A constant's bytes copied into memory this backend owns, with
// kOwnedSlackBytes of zeroed slack: constants may point into the mapped
// model file, where reading past the end is not allowed.
class OwnedConstant {
 public:
  OwnedConstant() = default;
  explicit OwnedConstant(const Tensor& t);
  const void* data() const { return bytes_.get(); }
  bool empty() const { return !bytes_; }

 private:
  std::unique_ptr<uint8_t[]> bytes_;
};

// A node with nothing to compute (its output has no elements; XNNPACK
// rejects zero-sized dims): setup succeeds and run does nothing, so the node
// still reports its (empty) event.
class XnnNoOp final : public XnnNodeOp {
 public:
  using XnnNodeOp::XnnNodeOp;
  Status setup(const Graph&, void* const*, pthreadpool_t) override {
    return Status::ok();
  }
  xnn_status run(pthreadpool_t) override { return xnn_status_success; }
};

// The values of a constant i32 or i64 tensor; false (with a reason) when it
// is not constant, has another dtype or lacks bytes. `what` names it.
bool constant_ints(const Tensor& t, const std::string& what, std::vector<int64_t>* out,
                   std::string* why);

// "node 3 'x' (ADD): <reason>" as a kBackendError, for factories that find
// at compile time (final shapes) what supports() could not see.
Status xnn_unsupported(const Graph& g, int node, const std::string& reason);

// ---------------------------------------------------------------------------
// Shared by the convolution, fully-connected and convert op files (int8).
// ---------------------------------------------------------------------------
// An int8 filter as XNNPACK takes it: symmetric (zero point 0), one scale
// (qs8) or one scale per output channel (qc8, `scales` has one per channel).
struct Qs8FilterParams {
  bool per_channel = false;
  std::vector<float> scales;
};
// The filter `t` is a constant i8 tensor, quantized per tensor or (when
// `allow_per_channel`) per channel along `output_axis` with one scale per
// output channel, every zero point 0 and every scale finite, positive and
// normal. `what` names it in the reason.
bool expect_qs8_filter(const Tensor& t, int output_axis, bool allow_per_channel,
                       const std::string& what, std::string* why);
// Reads what expect_qs8_filter checked.
Qs8FilterParams qs8_filter_params(const Tensor& t);
// XNNPACK requantizes with input_scale * filter_scale / output_scale, which
// it accepts only within [2^-32, 256) (per channel for qc8).
bool expect_requantization_scale(float input_scale, const std::vector<float>& filter_scales,
                                 float output_scale, std::string* why);
// The fused activation is a clamp (not TANH) that leaves at least two int8
// values: XNNPACK requires output_min < output_max.
bool expect_qs8_activation(Activation a, const Qs8Params& out, std::string* why);
// Input `i`, when present, is an i32 constant (an int8 op's bias).
bool expect_i32_bias(const Graph& g, const Node& n, int i, std::string* why);
// The constant int32 bias at input `i`, or nullptr when absent.
const int32_t* optional_i32_bias(const Graph& g, const Node& n, int i);

// The support checks CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and
// FULLY_CONNECTED share, in the order they make them:
// (input, filter, bias?) with input and filter present, and one output;
// `filter_name` names the filter in the reason ("filter", "weights").
bool expect_linear_operands(const Node& n, const char* filter_name, std::string* why);
// f32: every tensor f32, filter and bias constant (XNNPACK packs them at
// create), and a fused activation XNNPACK can clamp.
bool expect_f32_linear(const Graph& g, const Node& n, Activation activation,
                       std::string* why);
// int8 (the input is i8): an i8 output, input and output quantized per
// tensor, a filter that passes expect_qs8_filter, an i32 constant bias, an
// in-range requantization scale and a usable clamp.
bool expect_qs8_linear(const Graph& g, const Node& n, Activation activation,
                       int filter_output_axis, bool allow_per_channel,
                       const std::string& filter_name, std::string* why);

// What xnn_create_* of an int8 convolution or fully-connected operator
// takes, read from a node that passed expect_qs8_linear.
struct Qs8LinearParams {
  Qs8Params input, output;
  Qs8FilterParams filter;
  Qs8Range range;  // the fused activation's clamp
  const int8_t* kernel = nullptr;
  const int32_t* bias = nullptr;  // nullptr when absent
};
Qs8LinearParams qs8_linear_params(const Graph& g, const Node& n, Activation activation);

// Data of tensor `id` as an operator reads it at run time: the session's
// buffer, or for a constant (which may point into the mapped model file,
// without slack) a padded copy made once in `copy`.
const void* runtime_input(const Graph& g, int id, void* const* buffers,
                          OwnedConstant* copy);

// ---------------------------------------------------------------------------
// Operators and factories
// ---------------------------------------------------------------------------
// An operator that reads node input 0 and writes node output 0, as most of
// this backend's operators do. Its setup() takes both pointers from
// input<T>() and output<T>() and returns setup_status() of its
// xnn_setup_* call.
class XnnOneInputOp : public XnnNodeOp {
 public:
  using XnnNodeOp::XnnNodeOp;
  // Where the factory's xnn_create_* call stores the operator.
  xnn_operator_t* op_slot() { return &op_; }

 protected:
  const Shape& input_shape(const Graph& g) const {
    return g.tensors[g.nodes[node_].inputs[0]].shape;
  }
  // Input 0's data as runtime_input() gives it (a constant is copied once).
  template <typename T>
  const T* input(const Graph& g, void* const* buffers) {
    return static_cast<const T*>(
        runtime_input(g, g.nodes[node_].inputs[0], buffers, &input_copy_));
  }
  template <typename T>
  T* output(const Graph& g, void* const* buffers) const {
    return static_cast<T*>(buffers[g.nodes[node_].outputs[0]]);
  }
  // OK, or the failure of XNNPACK's `call` as xnn_error() words it.
  Status setup_status(const Graph& g, const char* call, xnn_status st) const;

 private:
  OwnedConstant input_copy_;  // a constant input, padded
};

// What a factory returns once its xnn_create_* `call` has filled `op`:
// the operator, or the call's failure as xnn_error() words it.
Result<std::unique_ptr<XnnNodeOp>> xnn_created(const Graph& g, int node, const char* call,
                                               xnn_status st, std::unique_ptr<XnnNodeOp> op);

}  // namespace opscope::xnnpack

// Step 1 of the reader: tensors, graph inputs/outputs, roles, constants.
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_densify.h"
#include "adapters/formats/tflite/tflite_read_context.h"

namespace opscope::tflite {

namespace {

// No real model has a tensor this large; the cap keeps element counts and
// byte sizes far from int64 overflow everywhere downstream.
constexpr int64_t kMaxTensorBytes = int64_t{1} << 40;

std::string tensor_label(int index, const std::string& name) {
  return "tensor " + std::to_string(index) + " '" + name + "'";
}

std::string type_name(fb::TensorType type) {
  const char* name = fb::EnumNameTensorType(type);
  if (name != nullptr && name[0] != '\0') return name;
  return "type " + std::to_string(static_cast<int>(type));
}

bool is_integer(DType dtype) {
  return dtype == DType::kI8 || dtype == DType::kU8 || dtype == DType::kI32 ||
         dtype == DType::kI64;
}

// Reads the shape and checks it: no negative dimension, bounded size.
Status read_shape(const fb::Tensor& t, int index, const std::string& name,
                  DType dtype, Shape& shape) {
  shape.clear();
  if (t.shape() != nullptr) {
    shape.reserve(t.shape()->size());
    for (int32_t d : *t.shape()) shape.push_back(d);
  }
  // shape_signature marks dynamic dimensions with -1; `shape` holds the
  // size the model was converted with, which is what the engine plans for.
  int64_t bytes = static_cast<int64_t>(dtype_size(dtype));
  for (int64_t d : shape) {
    if (d < 0) {
      return Status(ErrorCode::kInvalidGraph,
                    tensor_label(index, name) + " has a negative dimension " +
                        std::to_string(d) + " in its shape");
    }
    if (d != 0 && bytes > kMaxTensorBytes / d) {
      return Status(ErrorCode::kInvalidGraph,
                    tensor_label(index, name) + " with shape " +
                        shape_to_string(shape) +
                        " is too large (over 2^40 bytes)");
    }
    bytes *= d;
  }
  return Status::ok();
}

Status read_quantization(const fb::Tensor& t, int index,
                         const std::string& name, Tensor& out) {
  const fb::QuantizationParameters* q = t.quantization();
  // Float tensors may carry min/max or scales from calibration; the engine
  // treats them as plain floats.
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0 ||
      !is_integer(out.dtype)) {
    return Status::ok();
  }
  Quantization& quant = out.quantization;
  quant.scales.assign(q->scale()->begin(), q->scale()->end());
  const size_t n = quant.scales.size();
  if (q->zero_point() != nullptr && q->zero_point()->size() > 0) {
    if (q->zero_point()->size() != n) {
      return Status(ErrorCode::kInvalidGraph,
                    tensor_label(index, name) + " has " + std::to_string(n) +
                        " quantization scales but " +
                        std::to_string(q->zero_point()->size()) +
                        " zero points");
    }
    // Copied bytewise: the verifier checks a vector's 4-byte length prefix
    // for alignment, not its 8-byte elements, and a file may leave them
    // misaligned (found by libFuzzer under UBSan).
    quant.zero_points.resize(n);
    std::memcpy(quant.zero_points.data(), q->zero_point()->Data(), n * sizeof(int64_t));
  } else {
    quant.zero_points.assign(n, 0);
  }
  if (n > 1) {
    const int axis = q->quantized_dimension();
    const int rank = static_cast<int>(out.shape.size());
    if (axis < 0 || axis >= rank) {
      return Status(ErrorCode::kInvalidGraph,
                    tensor_label(index, name) +
                        " has per-channel quantization along dimension " +
                        std::to_string(axis) + ", outside its rank " +
                        std::to_string(rank));
    }
    // Kernels index the scales by channel; make sure there is one each.
    if (static_cast<int64_t>(n) != out.shape[axis]) {
      return Status(ErrorCode::kInvalidGraph,
                    tensor_label(index, name) + " has " + std::to_string(n) +
                        " quantization scales for " +
                        std::to_string(out.shape[axis]) +
                        " channels along dimension " + std::to_string(axis));
    }
    quant.axis = axis;
  }
  return Status::ok();
}

// The bytes of buffer `b`: inline data, or an offset/size range of the
// file. Empty when the buffer holds nothing.
Result<ByteRange> buffer_bytes(const ReadContext& ctx, const fb::Buffer& b,
                               uint32_t buffer_index) {
  if (b.data() != nullptr && b.data()->size() > 0) {
    return ByteRange{b.data()->data(), b.data()->size()};
  }
  // Offsets 0 and 1 are the format's "no external data" markers.
  if (b.offset() > 1 && b.size() > 0) {
    return external_range(ctx, b.offset(), b.size(),
                          "buffer " + std::to_string(buffer_index));
  }
  return ByteRange{};
}

// Points `out` at the constant bytes. Data that is not aligned for its
// element type is copied, so kernels may read it through typed pointers.
void set_constant_data(Tensor& out, ByteRange bytes) {
  const size_t align = dtype_size(out.dtype);
  if (reinterpret_cast<uintptr_t>(bytes.data) % align != 0) {
    out.set_owned_data(std::vector<uint8_t>(bytes.data,
                                            bytes.data + bytes.size));
  } else {
    out.data = bytes.data;
    out.data_bytes = bytes.size;
  }
  out.role = TensorRole::kConstant;
}

Status take_budget(const ReadContext& ctx, int index, const Tensor& t,
                   const char* what) {
  if (ctx.budget->take(t.bytes())) return Status::ok();
  return Status(ErrorCode::kResourceExhausted,
                tensor_label(index, t.name) + ": expanding " + what +
                    " would take the reader over its limit of " +
                    std::to_string(ctx.budget->limit() >> 20) +
                    " MiB of data not stored in the file");
}

Status read_constant(const ReadContext& ctx, const fb::Tensor& t, int index,
                     Tensor& out) {
  const uint32_t b = t.buffer();
  const auto* buffers = ctx.model->buffers();
  const uint32_t num_buffers = buffers == nullptr ? 0 : buffers->size();
  if (b >= num_buffers) {
    // Buffer 0 is the format's "no data" buffer, even where a minimal
    // file omits the buffer list.
    if (b == 0) return Status::ok();
    return Status(ErrorCode::kInvalidGraph,
                  tensor_label(index, out.name) + ": buffer index " +
                      std::to_string(b) + " out of range [0, " +
                      std::to_string(num_buffers) + ")");
  }
  OPSCOPE_ASSIGN_OR_RETURN(ByteRange bytes,
                           buffer_bytes(ctx, *buffers->Get(b), b));
  if (bytes.size == 0) return Status::ok();

  if (t.sparsity() != nullptr) {
    // Sparse weights (followed by a DENSIFY op in the file): expand them
    // now, so the engine only ever sees dense constants.
    OPSCOPE_RETURN_IF_ERROR(take_budget(ctx, index, out, "sparse weights"));
    auto dense = densify(*t.sparsity(), out.shape, dtype_size(out.dtype),
                         bytes.data, bytes.size);
    if (!dense.is_ok()) {
      return dense.status().with_prefix(tensor_label(index, out.name));
    }
    out.set_owned_data(std::move(dense).value());
    out.role = TensorRole::kConstant;
    return Status::ok();
  }
  set_constant_data(out, bytes);
  return Status::ok();
}

// Reads a list of graph input or output tensor ids, checking the range.
Status read_io_list(const flatbuffers::Vector<int32_t>* ids, int num_tensors,
                    const char* what, std::vector<int>& out) {
  out.clear();
  if (ids == nullptr) return Status::ok();
  for (uint32_t k = 0; k < ids->size(); ++k) {
    const int32_t id = ids->Get(k);
    if (id < 0 || id >= num_tensors) {
      return Status(ErrorCode::kInvalidGraph,
                    std::string(what) + " " + std::to_string(k) +
                        " refers to tensor " + std::to_string(id) +
                        ", out of range [0, " + std::to_string(num_tensors) +
                        ")");
    }
    out.push_back(id);
  }
  return Status::ok();
}

}  // namespace

Result<ByteRange> external_range(const ReadContext& ctx, uint64_t offset,
                                 uint64_t size, const std::string& what) {
  if (offset > ctx.file_size || size > ctx.file_size - offset) {
    return Status(ErrorCode::kMalformedModel,
                  what + ": external data at offset " +
                      std::to_string(offset) + " size " +
                      std::to_string(size) + " lies outside the file (" +
                      std::to_string(ctx.file_size) + " bytes)");
  }
  return ByteRange{ctx.file_data + offset, static_cast<size_t>(size)};
}

std::optional<DType> map_dtype(fb::TensorType type) {
  switch (type) {
    case fb::TensorType::FLOAT32: return DType::kF32;
    case fb::TensorType::FLOAT16: return DType::kF16;
    case fb::TensorType::INT8: return DType::kI8;
    case fb::TensorType::UINT8: return DType::kU8;
    case fb::TensorType::INT32: return DType::kI32;
    case fb::TensorType::INT64: return DType::kI64;
    case fb::TensorType::BOOL: return DType::kBool;
    default: return std::nullopt;
  }
}

Status read_tensors(const ReadContext& ctx) {
  Graph& graph = *ctx.graph;
  const auto* tensors = ctx.subgraph->tensors();
  const int num_tensors =
      tensors == nullptr ? 0 : static_cast<int>(tensors->size());
  graph.tensors.clear();
  graph.tensors.reserve(num_tensors);

  for (int i = 0; i < num_tensors; ++i) {
    const fb::Tensor& t = *tensors->Get(i);
    Tensor out;
    out.name = t.name() != nullptr ? t.name()->str() : "";
    if (out.name.empty()) out.name = "tensor_" + std::to_string(i);

    const std::optional<DType> dtype = map_dtype(t.type());
    if (!dtype) {
      return Status(ErrorCode::kTypeMismatch,
                    tensor_label(i, out.name) + " has element type " +
                        type_name(t.type()) +
                        ", which opscope does not support (supported: "
                        "FLOAT32, FLOAT16, INT8, UINT8, INT32, INT64, BOOL)");
    }
    out.dtype = *dtype;
    OPSCOPE_RETURN_IF_ERROR(read_shape(t, i, out.name, out.dtype, out.shape));
    OPSCOPE_RETURN_IF_ERROR(read_quantization(t, i, out.name, out));
    OPSCOPE_RETURN_IF_ERROR(read_constant(ctx, t, i, out));

    if (t.is_variable() && !out.is_constant()) {
      // A variable tensor (recurrent state) starts as zeros; to the engine
      // it is a constant input of the op that reads it.
      OPSCOPE_RETURN_IF_ERROR(take_budget(ctx, i, out, "a variable tensor"));
      out.set_owned_data(std::vector<uint8_t>(out.bytes(), 0));
      out.role = TensorRole::kConstant;
    }
    graph.tensors.push_back(std::move(out));
  }

  std::vector<int> inputs;
  OPSCOPE_RETURN_IF_ERROR(read_io_list(ctx.subgraph->inputs(), num_tensors,
                                       "graph input", inputs));
  OPSCOPE_RETURN_IF_ERROR(read_io_list(ctx.subgraph->outputs(), num_tensors,
                                       "graph output", graph.outputs));

  // Roles. A listed input that has data in the file is a constant: TFLite
  // runs such a model with the stored data, so the engine does the same
  // and does not ask the caller for it.
  graph.inputs.clear();
  for (int id : inputs) {
    Tensor& t = graph.tensors[id];
    if (t.is_constant()) {
      ctx.notes->messages.push_back(
          tensor_label(id, t.name) +
          " is a graph input with data in the file; read as a constant");
      continue;
    }
    t.role = TensorRole::kInput;
    graph.inputs.push_back(id);
  }
  for (int id : graph.outputs) {
    Tensor& t = graph.tensors[id];
    if (t.role == TensorRole::kIntermediate) t.role = TensorRole::kOutput;
  }
  return Status::ok();
}

}  // namespace opscope::tflite

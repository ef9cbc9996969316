// TensorProto -> engine tensor data: dtypes, raw and typed fields, external
// data files.
#include <cstring>
#include <filesystem>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/onnx/onnx_import.h"

namespace opscope::onnx {

namespace {

using TP = ::onnx::TensorProto;

Status malformed(const std::string& what) {
  return Status(ErrorCode::kMalformedModel, what);
}

// Copies a repeated proto field into `out` as elements of type T.
template <typename T, typename Field>
std::vector<uint8_t> pack(const Field& field) {
  std::vector<uint8_t> out(static_cast<size_t>(field.size()) * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    const T v = static_cast<T>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return out;
}

// An external data file's bytes [offset, offset + length), where location
// must be a relative path inside base_dir.
Result<std::vector<uint8_t>> read_external(const TP& proto,
                                           const std::string& base_dir,
                                           const std::string& what) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : proto.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      if (kv.key() == "offset") offset = std::stoll(kv.value());
      if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (...) {
      return malformed(what + ": external data " + kv.key() + " '" +
                       kv.value() + "' is not a number");
    }
  }
  if (base_dir.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  what + ": external data '" + location +
                      "' needs a model file (not a buffer) to resolve it");
  }
  const std::filesystem::path rel(location);
  bool escapes = location.empty() || rel.is_absolute();
  for (const auto& part : rel) escapes = escapes || part == "..";
  if (escapes) {
    return malformed(what + ": external data location '" + location +
                     "' must be a relative path next to the model");
  }
  if (offset < 0) return malformed(what + ": negative external data offset");
  const std::filesystem::path full = std::filesystem::path(base_dir) / rel;
  // A directory or FIFO named like the data file is refused before reading.
  auto file = formats::MappedFile::open(full.string());
  if (!file.is_ok()) {
    return Status(ErrorCode::kIoError,
                  what + ": cannot read external data file: " + file.status().message());
  }
  const int64_t size = static_cast<int64_t>((*file)->size());
  if (length < 0) length = size - offset;
  if (offset > size || length > size - offset) {
    return malformed(what + ": external data [" + std::to_string(offset) +
                     ", +" + std::to_string(length) + ") lies outside " +
                     full.string() + " (" + std::to_string(size) + " bytes)");
  }
  const uint8_t* begin = (*file)->data() + offset;
  return std::vector<uint8_t>(begin, begin + length);
}

}  // namespace

Status check_tensor_size(const Shape& shape, DType dtype, const std::string& what) {
  int64_t bytes = static_cast<int64_t>(dtype_size(dtype));
  for (int64_t d : shape) {
    if (d < 0) {
      return Status(ErrorCode::kInvalidGraph, what + " has a negative dimension " +
                                                  std::to_string(d) + " in its shape " +
                                                  shape_to_string(shape));
    }
    if (d != 0 && bytes > kMaxTensorBytes / d) {
      return Status(ErrorCode::kInvalidGraph,
                    what + " with shape " + shape_to_string(shape) +
                        " is too large (over 2^40 bytes, the reader's cap)");
    }
    bytes *= d;
  }
  return Status::ok();
}

Result<DType> dtype_from_onnx(int32_t elem_type, const std::string& what) {
  switch (elem_type) {
    case TP::FLOAT: return DType::kF32;
    case TP::FLOAT16: return DType::kF16;
    case TP::INT8: return DType::kI8;
    case TP::UINT8: return DType::kU8;
    case TP::INT32: return DType::kI32;
    case TP::INT64: return DType::kI64;
    case TP::BOOL: return DType::kBool;
    default: break;
  }
  const std::string name = TP::DataType_IsValid(elem_type)
                               ? TP::DataType_Name(static_cast<TP::DataType>(elem_type))
                               : "type " + std::to_string(elem_type);
  return Status(ErrorCode::kTypeMismatch,
                what + " has element type " + name +
                    ", which the engine does not support (float, float16, "
                    "int8, uint8, int32, int64, bool)");
}

Result<TensorData> read_tensor_proto(const TP& proto,
                                     const std::string& base_dir) {
  const std::string what = "tensor '" + proto.name() + "'";
  TensorData out;
  OPSCOPE_ASSIGN_OR_RETURN(out.dtype, dtype_from_onnx(proto.data_type(), what));
  out.shape.assign(proto.dims().begin(), proto.dims().end());
  OPSCOPE_RETURN_IF_ERROR(check_tensor_size(out.shape, out.dtype, what));
  const int64_t elements = num_elements(out.shape);
  if (proto.has_segment()) return malformed(what + " is segmented (unsupported)");
  const size_t esize = dtype_size(out.dtype);
  const size_t need = static_cast<size_t>(elements) * esize;

  if (proto.data_location() == TP::EXTERNAL) {
    OPSCOPE_ASSIGN_OR_RETURN(out.owned, read_external(proto, base_dir, what));
  } else if (proto.has_raw_data()) {
    out.data = reinterpret_cast<const uint8_t*>(proto.raw_data().data());
    out.bytes = proto.raw_data().size();
  } else {
    switch (proto.data_type()) {
      case TP::FLOAT: out.owned = pack<float>(proto.float_data()); break;
      case TP::INT64: out.owned = pack<int64_t>(proto.int64_data()); break;
      case TP::INT32: out.owned = pack<int32_t>(proto.int32_data()); break;
      case TP::INT8: out.owned = pack<int8_t>(proto.int32_data()); break;
      case TP::UINT8: out.owned = pack<uint8_t>(proto.int32_data()); break;
      case TP::BOOL: out.owned = pack<uint8_t>(proto.int32_data()); break;
      case TP::FLOAT16: out.owned = pack<uint16_t>(proto.int32_data()); break;
      default: break;
    }
  }
  if (out.data == nullptr) {
    out.data = out.owned.data();
    out.bytes = out.owned.size();
  }
  if (out.bytes != need) {
    return malformed(what + " of shape " + shape_to_string(out.shape) + " (" +
                     std::to_string(elements) + " elements) carries " +
                     std::to_string(out.bytes) + " bytes of data, expected " +
                     std::to_string(need));
  }
  // Raw data inside a protobuf string has no alignment guarantee.
  if (out.owned.empty() && need > 0 &&
      reinterpret_cast<uintptr_t>(out.data) % esize != 0) {
    out.owned.assign(out.data, out.data + need);
    out.data = out.owned.data();
  }
  return out;
}

}  // namespace opscope::onnx

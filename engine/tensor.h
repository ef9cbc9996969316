// Tensors of the engine's IR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace opscope {

enum class DType : uint8_t { kF32, kF16, kI8, kU8, kI32, kI64, kBool };

std::string_view to_string(DType dtype);
size_t dtype_size(DType dtype);

// Dimensions, outermost first. Activations are NHWC.
using Shape = std::vector<int64_t>;

int64_t num_elements(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "1x256x256x3"

// Affine quantization: real = scale * (q - zero_point). Per-tensor when
// `axis` is negative (one scale), per-channel along `axis` otherwise.
// On an i8/u8/i32 tensor: real = scale * (q - zero_point). On a constant f32
// tensor it records the integer grid its values lie on (an importer folded a
// dequantization of integer weights into it: value = scale * (q - zp)
// exactly), so a transform can take the integers back (fuse_qdq.h); f32
// kernels ignore it.
struct Quantization {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int axis = -1;

  bool empty() const { return scales.empty(); }
  bool per_channel() const { return axis >= 0; }
};

enum class TensorRole : uint8_t { kInput, kOutput, kConstant, kIntermediate };

std::string_view to_string(TensorRole role);

struct Tensor {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;
  Quantization quantization;
  TensorRole role = TensorRole::kIntermediate;

  // Constant data (role kConstant only). It either points into the mapped
  // model file or into `owned_data`; `data` is always the pointer to use.
  const uint8_t* data = nullptr;
  size_t data_bytes = 0;
  std::shared_ptr<const std::vector<uint8_t>> owned_data;

  bool is_constant() const { return role == TensorRole::kConstant; }
  int64_t elements() const { return num_elements(shape); }
  size_t bytes() const {
    return static_cast<size_t>(elements()) * dtype_size(dtype);
  }
  // Replaces the constant payload with owned bytes.
  void set_owned_data(std::vector<uint8_t> bytes);
  template <typename T>
  const T* constant_as() const {
    return reinterpret_cast<const T*>(data);
  }
};

}  // namespace opscope

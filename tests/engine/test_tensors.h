// Tensors for engine tests built in code, with no model file: typed values
// to and from tensor bytes, quantization parameters, and the one-node graph
// that KernelRunner (kernel tests) and OneNodeGraph (XNNPACK op tests) grow.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/graph.h"

namespace opscope::testing {

// The DType whose elements are stored as T (uint16_t holds f16 bits).
template <typename T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kF32;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::kI8;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::kU8;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::kI32;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::kI64;
  else if constexpr (std::is_same_v<T, uint16_t>) return DType::kF16;
  else return DType::kBool;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// The whole Ts in `b` (a trailing partial element is dropped).
template <typename T>
std::vector<T> values_of(const std::vector<uint8_t>& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

inline Quantization per_tensor(float scale, int64_t zero_point) {
  Quantization q;
  q.scales = {scale};
  q.zero_points = {zero_point};
  return q;
}

// Symmetric (zero points 0), one scale per index of `axis`.
inline Quantization per_channel(std::vector<float> scales, int axis) {
  Quantization q;
  q.zero_points.assign(scales.size(), 0);
  q.scales = std::move(scales);
  q.axis = axis;
  return q;
}

// A graph holding one node (index 0, named "test_node", source index 0) and
// no tensors yet: add them with add_test_tensor() and wire them to node 0.
inline Graph one_node_graph(OpKind op, Attributes attrs) {
  Node n;
  n.op = op;
  n.type_name = std::string(to_string(op));
  n.name = "test_node";
  n.attrs = std::move(attrs);
  n.source_index = 0;
  Graph g;
  g.nodes.push_back(std::move(n));
  return g;
}

// Adds a tensor named `prefix` followed by its id ("in0", "const1", ...) and
// returns the id. A kConstant tensor owns `data`; other roles ignore it.
inline int add_test_tensor(Graph& g, const std::string& prefix, TensorRole role,
                           DType dtype, Shape shape, Quantization q,
                           std::vector<uint8_t> data = {}) {
  Tensor t;
  t.name = prefix + std::to_string(g.tensors.size());
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quantization = std::move(q);
  t.role = role;
  if (role == TensorRole::kConstant) t.set_owned_data(std::move(data));
  return g.add_tensor(std::move(t));
}

}  // namespace opscope::testing

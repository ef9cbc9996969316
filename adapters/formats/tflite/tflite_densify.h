// Expands TFLite's sparse tensor storage into dense bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/status.h"
#include "engine/tensor.h"
#include "tflite_schema_generated.h"

namespace opscope::tflite {

// Expands the `values_bytes` bytes at `values` (the non-zero elements, in
// traversal order) described by `sparsity` into a dense row-major array of
// `dense_shape`. Supports dense and CSR dimensions and block dimensions.
// Every index from the file is checked; errors are kMalformedModel (or
// kResourceExhausted for tensors over 256 MiB dense) and do not name the
// tensor (the caller adds that).
Result<std::vector<uint8_t>> densify(const fb::SparsityParameters& sparsity,
                                     const Shape& dense_shape,
                                     size_t element_size,
                                     const uint8_t* values,
                                     size_t values_bytes);

}  // namespace opscope::tflite

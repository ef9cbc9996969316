// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0).
//
// A .npy file is a magic string, a version, a little-endian header length, a
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (..)}
// padded with spaces to an alignment and ended by '\n', then the raw element
// bytes. See the NumPy documentation of numpy.lib.format.
//
// Supported: little-endian, C (row-major) order, dtypes f4 (kF32), f2 (kF16),
// i1 (kI8), u1 (kU8), i4 (kI32), i8 (kI64), b1 (kBool). Everything else is
// refused with an error naming the file and the reason: big-endian data,
// fortran_order=True, object or structured dtypes, other dtypes, truncated or
// garbage files, data whose size does not match the shape. Nothing here
// throws or aborts on bad input.
//
// Error codes: kIoError (cannot open/read/write), kTypeMismatch (a dtype or
// byte order we do not support), kShapeMismatch (data size != shape when
// writing), kInvalidArgument (everything else that is wrong with a file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/tensor.h"

namespace opscope::datasets {

// An array as a .npy file holds it: elements in C order, each in
// little-endian byte order (bool: one byte, 0 or 1). data.size() is always
// num_elements(shape) * dtype_size(dtype) for an array returned by a reader.
struct NpyArray {
  DType dtype = DType::kF32;
  Shape shape;
  std::vector<uint8_t> data;

  int64_t elements() const { return num_elements(shape); }
};

// The .npy descr of a dtype: "<f4", "<f2", "|i1", "|u1", "<i4", "<i8", "|b1".
std::string_view npy_descr(DType dtype);

// Parses a whole .npy file held in memory. `name` (usually the file name)
// starts every error message.
Result<NpyArray> parse_npy(std::span<const uint8_t> bytes,
                           std::string_view name = "<memory>");

// Reads a .npy file. The element bytes are read straight into the result.
Result<NpyArray> read_npy(const std::filesystem::path& path);

// Encodes an array as a .npy file: version 1.0, or 2.0 when the header does
// not fit in 1.0's 16-bit length; the header is padded so that the data
// starts at a multiple of 64 bytes (as NumPy does). Fails with kShapeMismatch
// if data.size() does not match the shape, kInvalidArgument if a dimension is
// negative.
Result<std::vector<uint8_t>> encode_npy(const NpyArray& array);

// Writes encode_npy(array) to `path` (replacing it). The file appears under
// its name only once complete: it is written next to it and renamed.
Status write_npy(const std::filesystem::path& path, const NpyArray& array);

}  // namespace opscope::datasets

// Internal to the TFLite reader: a custom operator's options written as a
// FlexBuffer map (MediaPipe's landmark ops and TFLite's own custom ops use
// this form). The bytes are copied into aligned storage and verified before
// anything reads them, so a malformed map is an error naming the node, never
// a read outside the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/formats/tflite/tflite_read_context.h"
#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::tflite {

class FlexOptions {
 public:
  // Fails (kMalformedModel, naming the node) unless `bytes` hold a valid
  // FlexBuffer whose root is a map.
  static Result<FlexOptions> parse(ByteRange bytes, const Node& node);

  // The value under `key`; an error naming the node and key when it is
  // missing or of another kind. Integers read as floats where a float is
  // asked for (converters write 1 for 1.0).
  Result<int32_t> int_value(std::string_view key) const;
  Result<float> float_value(std::string_view key) const;
  Result<std::vector<int32_t>> int_vector(std::string_view key) const;

 private:
  std::vector<uint64_t> storage_;  // 8-byte aligned copy of the bytes
  size_t size_ = 0;
  std::string label_;  // node_label of the node, for errors
};

}  // namespace opscope::tflite

#include "adapters/formats/tflite/tflite_flex_options.h"

#include <flatbuffers/flexbuffers.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "adapters/formats/tflite/tflite_op_map.h"

namespace opscope::tflite {
namespace {

flexbuffers::Map root_map(const std::vector<uint64_t>& storage, size_t size) {
  return flexbuffers::GetRoot(reinterpret_cast<const uint8_t*>(storage.data()), size).AsMap();
}

bool fits_i32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

}  // namespace

Result<FlexOptions> FlexOptions::parse(ByteRange bytes, const Node& node) {
  FlexOptions o;
  o.label_ = node_label(node);
  o.size_ = bytes.size;
  o.storage_.assign((bytes.size + 7) / 8, 0);
  if (bytes.size > 0) std::memcpy(o.storage_.data(), bytes.data, bytes.size);
  const auto* data = reinterpret_cast<const uint8_t*>(o.storage_.data());
  if (bytes.size == 0 || !flexbuffers::VerifyBuffer(data, bytes.size)) {
    return node_error(node, ErrorCode::kMalformedModel,
                      "custom options (" + std::to_string(bytes.size) +
                          " bytes) are not a valid FlexBuffer");
  }
  if (!flexbuffers::GetRoot(data, bytes.size).IsMap()) {
    return node_error(node, ErrorCode::kMalformedModel,
                      "custom options are a FlexBuffer but not a map of named options");
  }
  return o;
}

Result<int32_t> FlexOptions::int_value(std::string_view key) const {
  const flexbuffers::Reference v = root_map(storage_, size_)[std::string(key).c_str()];
  if (!v.IsIntOrUint() || !fits_i32(v.AsInt64())) {
    return Status(ErrorCode::kMalformedModel,
                  label_ + ": custom option '" + std::string(key) +
                      (v.IsNull() ? "' is missing" : "' is not a 32-bit integer"));
  }
  return static_cast<int32_t>(v.AsInt64());
}

Result<float> FlexOptions::float_value(std::string_view key) const {
  const flexbuffers::Reference v = root_map(storage_, size_)[std::string(key).c_str()];
  if (!v.IsNumeric()) {
    return Status(ErrorCode::kMalformedModel,
                  label_ + ": custom option '" + std::string(key) +
                      (v.IsNull() ? "' is missing" : "' is not a number"));
  }
  return v.IsFloat() ? static_cast<float>(v.AsDouble()) : static_cast<float>(v.AsInt64());
}

Result<std::vector<int32_t>> FlexOptions::int_vector(std::string_view key) const {
  const flexbuffers::Reference v = root_map(storage_, size_)[std::string(key).c_str()];
  if (!v.IsVector() && !v.IsTypedVector() && !v.IsFixedTypedVector()) {
    return Status(ErrorCode::kMalformedModel,
                  label_ + ": custom option '" + std::string(key) +
                      (v.IsNull() ? "' is missing" : "' is not a vector"));
  }
  std::vector<int32_t> out;
  const auto take = [&](const flexbuffers::Reference& e) {
    if (!e.IsIntOrUint() || !fits_i32(e.AsInt64())) return false;
    out.push_back(static_cast<int32_t>(e.AsInt64()));
    return true;
  };
  bool ok = true;
  if (v.IsFixedTypedVector()) {
    const flexbuffers::FixedTypedVector t = v.AsFixedTypedVector();
    for (size_t i = 0; ok && i < t.size(); ++i) ok = take(t[i]);
  } else if (v.IsTypedVector()) {
    const flexbuffers::TypedVector t = v.AsTypedVector();
    for (size_t i = 0; ok && i < t.size(); ++i) ok = take(t[i]);
  } else {
    const flexbuffers::Vector t = v.AsVector();
    for (size_t i = 0; ok && i < t.size(); ++i) ok = take(t[i]);
  }
  if (!ok) {
    return Status(ErrorCode::kMalformedModel, label_ + ": custom option '" + std::string(key) +
                                                  "' holds a value that is not a 32-bit integer");
  }
  return out;
}

}  // namespace opscope::tflite

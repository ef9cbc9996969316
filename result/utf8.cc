#include "result/utf8.h"

#include <cstdint>
#include <utility>

namespace opscope {

namespace {

// The length of the well-formed UTF-8 sequence at s[i], or 0 when the byte
// there does not start one (Unicode 15, table 3-7).
size_t sequence_length(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b = at(i);
  if (b < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // the second byte's range
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;  // overlong
    if (b == 0xED) hi = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;  // overlong
    if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return n;
}

// `s` with each byte outside a well-formed sequence replaced by
// `prefix` + two upper-case hex digits.
std::string escape_with(std::string_view s, std::string_view prefix) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequence_length(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const auto b = static_cast<uint8_t>(s[i++]);
    out.append(prefix);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string escape_invalid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  return escape_with(s, "\\x");
}

std::string escape_invalid_utf8_in_json_text(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  return escape_with(text, "\\\\x");
}

namespace {

// Json: nlohmann::json or nlohmann::ordered_json (the Google Benchmark
// writer keeps its keys in order).
template <typename Json>
void escape_tree(Json& j) {
  if (j.is_string()) {
    auto& s = j.template get_ref<std::string&>();
    if (!is_valid_utf8(s)) s = escape_with(s, "\\x");
  } else if (j.is_array()) {
    for (Json& item : j) escape_tree(item);
  } else if (j.is_object()) {
    bool bad_key = false;
    for (auto it = j.begin(); it != j.end(); ++it) {
      bad_key = bad_key || !is_valid_utf8(it.key());
      escape_tree(it.value());
    }
    if (bad_key) {
      Json fixed = Json::object();
      for (auto it = j.begin(); it != j.end(); ++it) {
        fixed[escape_invalid_utf8(it.key())] = std::move(it.value());
      }
      j = std::move(fixed);
    }
  }
}

template <typename Json>
std::string dump_tree(const Json& j, int indent) {
  try {
    return j.dump(indent);
  } catch (const typename Json::type_error&) {
    Json copy = j;
    escape_tree(copy);
    return copy.dump(indent, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

void escape_invalid_utf8(nlohmann::json& j) { escape_tree(j); }
void escape_invalid_utf8(nlohmann::ordered_json& j) { escape_tree(j); }

std::string dump_json(const nlohmann::json& j, int indent) { return dump_tree(j, indent); }
std::string dump_json(const nlohmann::ordered_json& j, int indent) {
  return dump_tree(j, indent);
}

}  // namespace opscope

#include "datasets/npy.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

namespace opscope::datasets {
namespace {

constexpr std::array<uint8_t, 6> kMagic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// Data starts at a multiple of this (NumPy's ARRAY_ALIGN).
constexpr size_t kAlignment = 64;
// Largest header we accept. NumPy's own reader stops at 10000 bytes by
// default; a real header is ~100 bytes plus a few per dimension. The bound
// keeps a garbage length field from making us treat megabytes as a header.
constexpr uint32_t kMaxHeaderBytes = 1u << 20;
// Deepest nesting of tuples/lists in a header (a real one has depth 1; a
// structured dtype 2-3). Bounds recursion on garbage such as "((((((...".
constexpr int kMaxNesting = 16;
constexpr size_t kV1PrefixBytes = 10;  // magic, version, uint16 length
constexpr size_t kV2PrefixBytes = 12;  // magic, version, uint32 length

Status invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// ---------------------------------------------------------------------------
// The header: the subset of Python literals that .npy headers use.

struct PyValue {
  enum class Kind { kString, kInt, kBool, kTuple, kList };
  Kind kind = Kind::kInt;
  std::string text;     // kString
  int64_t number = 0;   // kInt
  bool flag = false;    // kBool
  std::vector<PyValue> items;  // kTuple, kList
};

class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  // Parses "{key: value, ...}" followed only by whitespace.
  Result<std::vector<std::pair<std::string, PyValue>>> parse_dict() {
    std::vector<std::pair<std::string, PyValue>> entries;
    skip_space();
    if (!consume('{')) return error("header does not start with '{'");
    for (;;) {
      skip_space();
      if (consume('}')) break;
      auto key = parse_value(0);
      if (!key.is_ok()) return key.status();
      if (key->kind != PyValue::Kind::kString) return error("header has a non-string key");
      skip_space();
      if (!consume(':')) return error("expected ':' after a key");
      auto value = parse_value(0);
      if (!value.is_ok()) return value.status();
      entries.emplace_back(std::move(key->text), std::move(*value));
      skip_space();
      if (consume(',')) continue;
      if (consume('}')) break;
      return error("expected ',' or '}'");
    }
    skip_space();
    if (pos_ != text_.size()) return error("unexpected text after the header dict");
    return entries;
  }

 private:
  Status error(std::string_view what) const {
    return invalid("malformed header: " + std::string(what) + " at offset " +
                   std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool consume_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  Result<PyValue> parse_value(int depth) {
    if (depth > kMaxNesting) return error("nesting too deep");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end");
    PyValue value;
    const char c = text_[pos_];
    if (c == '\'' || c == '"') {
      // NumPy writes repr() of plain ASCII strings: no escapes to decode.
      const size_t end = text_.find(c, pos_ + 1);
      if (end == std::string_view::npos) return error("unterminated string");
      value.kind = PyValue::Kind::kString;
      value.text = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return value;
    }
    if (c == '(' || c == '[') {
      const char close = c == '(' ? ')' : ']';
      value.kind = c == '(' ? PyValue::Kind::kTuple : PyValue::Kind::kList;
      ++pos_;
      for (;;) {
        skip_space();
        if (consume(close)) break;
        auto item = parse_value(depth + 1);
        if (!item.is_ok()) return item.status();
        value.items.push_back(std::move(*item));
        skip_space();
        if (consume(',')) continue;
        if (consume(close)) break;
        return error("expected ',' or a closing bracket");
      }
      return value;
    }
    if (consume_word("True")) {
      value.kind = PyValue::Kind::kBool;
      value.flag = true;
      return value;
    }
    if (consume_word("False")) {
      value.kind = PyValue::Kind::kBool;
      return value;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      const bool negative = consume('-');
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
        return error("bad number");
      }
      uint64_t magnitude = 0;
      constexpr uint64_t kLimit = std::numeric_limits<int64_t>::max();
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        const uint64_t digit = static_cast<uint64_t>(text_[pos_] - '0');
        if (magnitude > (kLimit - digit) / 10) return error("integer out of range");
        magnitude = magnitude * 10 + digit;
        ++pos_;
      }
      consume('L');  // Python 2 long suffix, written by old NumPy versions
      value.kind = PyValue::Kind::kInt;
      value.number = negative ? -static_cast<int64_t>(magnitude)
                              : static_cast<int64_t>(magnitude);
      return value;
    }
    return error("unexpected character");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// descr string -> dtype. Byte order: '<' (little) is required for multi-byte
// types; for one-byte types any order character is accepted, since NumPy
// writes '|' but the byte order cannot matter.
Result<DType> dtype_from_descr(const std::string& descr) {
  struct Entry {
    std::string_view kind;
    DType dtype;
  };
  static constexpr Entry kEntries[] = {
      {"f4", DType::kF32}, {"f2", DType::kF16}, {"i1", DType::kI8}, {"u1", DType::kU8},
      {"i4", DType::kI32}, {"i8", DType::kI64}, {"b1", DType::kBool},
  };
  if (descr == "O" || (descr.size() >= 2 && descr[1] == 'O')) {
    return Status(ErrorCode::kTypeMismatch,
                  "object arrays (dtype '" + descr + "') are not supported");
  }
  if (descr.size() == 3) {
    const char order = descr[0];
    const std::string_view kind = std::string_view(descr).substr(1);
    for (const Entry& e : kEntries) {
      if (kind != e.kind) continue;
      const bool one_byte = dtype_size(e.dtype) == 1;
      if (order == '<' || (one_byte && (order == '|' || order == '>' || order == '='))) {
        return e.dtype;
      }
      if (order == '>') {
        return Status(ErrorCode::kTypeMismatch,
                      "big-endian data (dtype '" + descr + "') is not supported");
      }
      return Status(ErrorCode::kTypeMismatch,
                    "dtype '" + descr + "' does not say it is little-endian");
    }
  }
  return Status(ErrorCode::kTypeMismatch,
                "unsupported dtype '" + descr + "' (supported: <f4 <f2 |i1 |u1 <i4 <i8 |b1)");
}

// What the preamble and header say about the file.
struct Layout {
  size_t data_offset = 0;   // where the element bytes start
  NpyArray array;           // dtype and shape set, data empty
  uint64_t data_bytes = 0;  // elements * element size
};

// Parses the fixed preamble. `head` holds the start of the file (at least
// 12 bytes when the file has them). Returns {header offset, header length}.
Result<std::pair<size_t, size_t>> parse_preamble(std::span<const uint8_t> head) {
  if (head.size() < kMagic.size() ||
      std::memcmp(head.data(), kMagic.data(), kMagic.size()) != 0) {
    return invalid("not a .npy file (bad magic)");
  }
  if (head.size() < kV1PrefixBytes) return invalid("truncated preamble");
  const int major = head[6];
  const int minor = head[7];
  if (major == 1) {
    return std::pair<size_t, size_t>(kV1PrefixBytes, head[8] | (size_t{head[9]} << 8));
  }
  if (major == 2 || major == 3) {
    if (head.size() < kV2PrefixBytes) return invalid("truncated preamble");
    const uint32_t length = uint32_t{head[8]} | (uint32_t{head[9]} << 8) |
                            (uint32_t{head[10]} << 16) | (uint32_t{head[11]} << 24);
    if (length > kMaxHeaderBytes) {
      return invalid("header length " + std::to_string(length) + " is implausibly large");
    }
    return std::pair<size_t, size_t>(kV2PrefixBytes, length);
  }
  return invalid("unsupported .npy format version " + std::to_string(major) + "." +
                 std::to_string(minor));
}

// Parses the header dict into dtype, shape and data size.
Result<Layout> parse_header(std::string_view text, size_t data_offset) {
  HeaderParser parser(text);
  auto entries = parser.parse_dict();
  if (!entries.is_ok()) return entries.status();
  const PyValue* descr = nullptr;
  const PyValue* fortran_order = nullptr;
  const PyValue* shape = nullptr;
  for (const auto& [key, value] : *entries) {
    const PyValue** slot = key == "descr"           ? &descr
                           : key == "fortran_order" ? &fortran_order
                           : key == "shape"         ? &shape
                                                    : nullptr;
    if (slot == nullptr) return invalid("unexpected header key '" + key + "'");
    if (*slot != nullptr) return invalid("duplicate header key '" + key + "'");
    *slot = &value;
  }
  if (!descr || !fortran_order || !shape) {
    return invalid("header lacks one of 'descr', 'fortran_order', 'shape'");
  }
  if (descr->kind == PyValue::Kind::kList) {
    return Status(ErrorCode::kTypeMismatch, "structured dtypes are not supported");
  }
  if (descr->kind != PyValue::Kind::kString) return invalid("'descr' is not a string");
  if (fortran_order->kind != PyValue::Kind::kBool) {
    return invalid("'fortran_order' is not True or False");
  }
  if (fortran_order->flag) {
    return invalid("fortran_order=True (column-major data) is not supported");
  }
  if (shape->kind != PyValue::Kind::kTuple) return invalid("'shape' is not a tuple");

  Layout layout;
  layout.data_offset = data_offset;
  auto dtype = dtype_from_descr(descr->text);
  if (!dtype.is_ok()) return dtype.status();
  layout.array.dtype = *dtype;
  // Total bytes, refusing overflow: a garbage shape must not wrap around to
  // a small size.
  uint64_t bytes = dtype_size(*dtype);
  constexpr uint64_t kMaxBytes = uint64_t{1} << 62;
  for (const PyValue& dim : shape->items) {
    if (dim.kind != PyValue::Kind::kInt || dim.number < 0) {
      return invalid("'shape' has an entry that is not a non-negative integer");
    }
    const auto d = static_cast<uint64_t>(dim.number);
    if (d != 0 && bytes > kMaxBytes / d) return invalid("shape is too large");
    bytes *= d;
    layout.array.shape.push_back(dim.number);
  }
  layout.data_bytes = bytes;
  return layout;
}

// Parses preamble and header and checks the data size against the file
// size. `head` is the start of the file (up to 12 bytes), `file_size` the
// whole file's size; read_header(offset, length, &text) fetches the header.
template <typename ReadFn>
Result<Layout> parse_layout(std::span<const uint8_t> head, uint64_t file_size,
                            ReadFn read_header) {
  auto preamble = parse_preamble(head);
  if (!preamble.is_ok()) return preamble.status();
  const auto [header_offset, header_length] = *preamble;
  if (file_size < header_offset + header_length) {
    return invalid("truncated header (" + std::to_string(header_length) +
                   " bytes announced)");
  }
  std::string header;
  OPSCOPE_RETURN_IF_ERROR(read_header(header_offset, header_length, &header));
  auto layout = parse_header(header, header_offset + header_length);
  if (!layout.is_ok()) return layout.status();
  const uint64_t available = file_size - layout->data_offset;
  if (available < layout->data_bytes) {
    return invalid("truncated data: shape " + shape_to_string(layout->array.shape) +
                   " of " + std::string(to_string(layout->array.dtype)) + " needs " +
                   std::to_string(layout->data_bytes) + " bytes, the file has " +
                   std::to_string(available));
  }
  if (available > layout->data_bytes) {
    return invalid(std::to_string(available - layout->data_bytes) +
                   " unexpected bytes after the data (shape " +
                   shape_to_string(layout->array.shape) + " of " +
                   std::string(to_string(layout->array.dtype)) + " needs " +
                   std::to_string(layout->data_bytes) + ")");
  }
  return layout;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

std::string_view npy_descr(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "<f4";
    case DType::kF16: return "<f2";
    case DType::kI8: return "|i1";
    case DType::kU8: return "|u1";
    case DType::kI32: return "<i4";
    case DType::kI64: return "<i8";
    case DType::kBool: return "|b1";
  }
  return "";
}

Result<NpyArray> parse_npy(std::span<const uint8_t> bytes, std::string_view name) {
  auto layout = parse_layout(
      bytes.first(std::min(bytes.size(), kV2PrefixBytes)), bytes.size(),
      [&](size_t offset, size_t length, std::string* out) {
        out->assign(reinterpret_cast<const char*>(bytes.data()) + offset, length);
        return Status::ok();
      });
  if (!layout.is_ok()) return layout.status().with_prefix(name);
  NpyArray array = std::move(layout->array);
  const auto begin = bytes.begin() + static_cast<ptrdiff_t>(layout->data_offset);
  array.data.assign(begin, begin + static_cast<ptrdiff_t>(layout->data_bytes));
  return array;
}

Result<NpyArray> read_npy(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status(ErrorCode::kIoError, name + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kIoError, name + ": cannot open: " + errno_text());
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  in.seekg(0, std::ios::beg);
  if (end < 0 || !in) return Status(ErrorCode::kIoError, name + ": cannot determine size");
  const auto file_size = static_cast<uint64_t>(end);

  std::array<uint8_t, kV2PrefixBytes> head{};
  const size_t head_size =
      static_cast<size_t>(std::min<uint64_t>(file_size, head.size()));
  if (!in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head_size))) {
    return Status(ErrorCode::kIoError, name + ": read failed");
  }
  auto layout = parse_layout(
      std::span<const uint8_t>(head.data(), head_size), file_size,
      [&](size_t offset, size_t length, std::string* out) {
        out->resize(length);
        in.seekg(static_cast<std::streamoff>(offset));
        if (!in.read(out->data(), static_cast<std::streamsize>(length))) {
          return Status(ErrorCode::kIoError, "read failed in the header");
        }
        return Status::ok();
      });
  if (!layout.is_ok()) return layout.status().with_prefix(name);

  NpyArray array = std::move(layout->array);
  // Sizes were checked against the file size, so this allocation is bounded
  // by what is really on disk.
  array.data.resize(static_cast<size_t>(layout->data_bytes));
  in.seekg(static_cast<std::streamoff>(layout->data_offset));
  if (!array.data.empty() &&
      !in.read(reinterpret_cast<char*>(array.data.data()),
               static_cast<std::streamsize>(array.data.size()))) {
    return Status(ErrorCode::kIoError, name + ": read failed in the data");
  }
  return array;
}

Result<std::vector<uint8_t>> encode_npy(const NpyArray& array) {
  uint64_t expected = dtype_size(array.dtype);
  for (int64_t d : array.shape) {
    if (d < 0) {
      return invalid("npy: negative dimension in shape " + shape_to_string(array.shape));
    }
    if (d != 0 && expected > (uint64_t{1} << 62) / static_cast<uint64_t>(d)) {
      return invalid("npy: shape " + shape_to_string(array.shape) + " is too large");
    }
    expected *= static_cast<uint64_t>(d);
  }
  if (array.data.size() != expected) {
    return Status(ErrorCode::kShapeMismatch,
                  "npy: data has " + std::to_string(array.data.size()) + " bytes, shape " +
                      shape_to_string(array.shape) + " of " +
                      std::string(to_string(array.dtype)) + " needs " +
                      std::to_string(expected));
  }

  std::string dict = "{'descr': '" + std::string(npy_descr(array.dtype)) +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i) {
    if (i) dict += ", ";
    dict += std::to_string(array.shape[i]);
  }
  dict += array.shape.size() == 1 ? ",), }" : "), }";

  int major = 1;
  size_t prefix = kV1PrefixBytes;
  auto padded = [&] { return (prefix + dict.size() + 1 + kAlignment - 1) / kAlignment * kAlignment; };
  if (padded() - prefix > std::numeric_limits<uint16_t>::max()) {
    major = 2;
    prefix = kV2PrefixBytes;
  }
  const size_t total = padded();
  const size_t header_length = total - prefix;  // dict + spaces + '\n'
  dict.append(header_length - dict.size() - 1, ' ');
  dict += '\n';

  // Filled in place (sized once) rather than appended piecewise.
  std::vector<uint8_t> out(total + array.data.size());
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  out[6] = static_cast<uint8_t>(major);
  out[7] = 0;
  for (size_t i = 0; i < prefix - 8; ++i) {
    out[8 + i] = static_cast<uint8_t>((header_length >> (8 * i)) & 0xff);
  }
  std::memcpy(out.data() + prefix, dict.data(), dict.size());
  if (!array.data.empty()) {
    std::memcpy(out.data() + total, array.data.data(), array.data.size());
  }
  return out;
}

Status write_npy(const std::filesystem::path& path, const NpyArray& array) {
  const std::string name = path.string();
  auto bytes = encode_npy(array);
  if (!bytes.is_ok()) return bytes.status().with_prefix(name);

  static std::atomic<uint64_t> counter{0};
  std::filesystem::path staging = path;
  staging += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    std::ofstream out(staging, std::ios::binary | std::ios::trunc);
    if (!out) return Status(ErrorCode::kIoError, name + ": cannot create: " + errno_text());
    out.write(reinterpret_cast<const char*>(bytes->data()),
              static_cast<std::streamsize>(bytes->size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(staging, ignored);
      return Status(ErrorCode::kIoError, name + ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(staging, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(staging, ignored);
    return Status(ErrorCode::kIoError, name + ": cannot rename into place: " + ec.message());
  }
  return Status::ok();
}

}  // namespace opscope::datasets

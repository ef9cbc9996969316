// Tests of datasets/npy: round trips, the exact header NumPy writes, v2/v3
// headers, files written by tools/litert/npy.mjs (when node is installed),
// and clear errors (never a crash) on everything unsupported or broken.
#include "datasets/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace opscope::datasets {
namespace {

namespace fs = std::filesystem;

constexpr DType kAllDTypes[] = {DType::kF32, DType::kF16, DType::kI8, DType::kU8,
                                DType::kI32, DType::kI64, DType::kBool};

// A fresh directory per test, removed afterwards.
class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("opscope_npy_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

std::vector<uint8_t> to_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// A .npy file built by hand: preamble for `major`, then `header` as given
// (no padding added), then `data`.
std::vector<uint8_t> handmade(int major, std::string_view header,
                              const std::vector<uint8_t>& data = {}) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const size_t length_bytes = major == 1 ? 2 : 4;
  for (size_t i = 0; i < length_bytes; ++i) {
    out.push_back(static_cast<uint8_t>((header.size() >> (8 * i)) & 0xff));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

NpyArray patterned(DType dtype, Shape shape) {
  NpyArray a{dtype, std::move(shape), {}};
  a.data.resize(static_cast<size_t>(num_elements(a.shape)) * dtype_size(dtype));
  for (size_t i = 0; i < a.data.size(); ++i) {
    a.data[i] = dtype == DType::kBool ? static_cast<uint8_t>(i % 3 == 0)
                                      : static_cast<uint8_t>(i * 37 + 11);
  }
  return a;
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(NpyTest, round_trips_every_dtype) {
  const Shape shapes[] = {{}, {5}, {2, 3}, {1, 4, 3, 2}, {0}, {3, 0, 2}};
  for (DType dtype : kAllDTypes) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(std::string(to_string(dtype)) + " " + shape_to_string(shape));
      const NpyArray a = patterned(dtype, shape);
      auto bytes = encode_npy(a);
      ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
      // Data aligned to 64 bytes, header ends with '\n' (as NumPy writes).
      const size_t data_offset = bytes->size() - a.data.size();
      EXPECT_EQ(data_offset % 64, 0u);
      EXPECT_EQ((*bytes)[data_offset - 1], '\n');

      auto parsed = parse_npy(*bytes, "mem");
      ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
      EXPECT_EQ(parsed->dtype, dtype);
      EXPECT_EQ(parsed->shape, shape);
      EXPECT_EQ(parsed->data, a.data);

      const fs::path file = dir_ / "a.npy";
      ASSERT_TRUE(write_npy(file, a).is_ok());
      auto read = read_npy(file);
      ASSERT_TRUE(read.is_ok()) << read.status().to_string();
      EXPECT_EQ(read->dtype, dtype);
      EXPECT_EQ(read->shape, shape);
      EXPECT_EQ(read->data, a.data);
      EXPECT_EQ(read_file(file), *bytes);
    }
  }
}

TEST_F(NpyTest, writes_the_header_numpy_writes) {
  // np.save(f, np.zeros((2, 3), np.float32)) starts with exactly these bytes.
  const NpyArray a{DType::kF32, {2, 3}, std::vector<uint8_t>(24, 0)};
  auto bytes = encode_npy(a);
  ASSERT_TRUE(bytes.is_ok());
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  dict.append(118 - dict.size() - 1, ' ');
  dict += '\n';
  const std::vector<uint8_t> expected_header = handmade(1, dict);
  ASSERT_EQ(expected_header.size(), 128u);
  ASSERT_EQ(bytes->size(), 128u + 24u);
  EXPECT_TRUE(std::equal(expected_header.begin(), expected_header.end(), bytes->begin()));

  // One dimension is written as a one-element tuple, as Python does.
  auto one_d = encode_npy(NpyArray{DType::kU8, {3}, {1, 2, 3}});
  ASSERT_TRUE(one_d.is_ok());
  const std::string text(one_d->begin(), one_d->end());
  EXPECT_NE(text.find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(text.find("'shape': (3,)"), std::string::npos);
}

TEST_F(NpyTest, reads_v2_and_v3_headers) {
  const std::vector<uint8_t> data = {1, 0, 0, 0, 2, 0, 0, 0};
  for (int major : {2, 3}) {
    SCOPED_TRACE(major);
    auto parsed = parse_npy(
        handmade(major, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }  \n", data));
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->dtype, DType::kI32);
    EXPECT_EQ(parsed->shape, (Shape{2}));
    EXPECT_EQ(parsed->data, data);
  }
  // A header too long for v1.0's 16-bit length makes the writer use v2.0.
  const NpyArray many_dims{DType::kF32, Shape(25000, 1), {0, 0, 128, 63}};
  auto bytes = encode_npy(many_dims);
  ASSERT_TRUE(bytes.is_ok());
  EXPECT_EQ((*bytes)[6], 2);
  auto parsed = parse_npy(*bytes);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->shape, many_dims.shape);
  EXPECT_EQ(parsed->data, many_dims.data);
}

TEST_F(NpyTest, accepts_header_variants_numpy_has_written) {
  // Python 2 long suffixes, double quotes, no trailing comma, odd spacing,
  // a one-byte type with '<' instead of '|'.
  auto parsed = parse_npy(handmade(
      1, "{\"descr\":\"<i1\",\"fortran_order\":False,\"shape\":(2L, 1L)}\n", {0xff, 7}));
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->dtype, DType::kI8);
  EXPECT_EQ(parsed->shape, (Shape{2, 1}));
}

// Runs node with a script written to `dir`; false if node is not installed.
bool node_available() { return std::system("node --version >/dev/null 2>&1") == 0; }

fs::path npy_mjs_path() {
  const char* env = std::getenv("OPSCOPE_SOURCE_DIR");
  fs::path root = env && *env ? fs::path(env) : fs::path();
#ifdef OPSCOPE_SOURCE_DIR_DEFAULT
  if (root.empty()) root = OPSCOPE_SOURCE_DIR_DEFAULT;
#endif
  return root / "tools" / "litert" / "npy.mjs";
}

int run_node(const fs::path& script, const std::vector<fs::path>& args) {
  std::string command = "node '" + script.string() + "'";
  for (const fs::path& a : args) command += " '" + a.string() + "'";
  return std::system(command.c_str());
}

TEST_F(NpyTest, reads_files_written_by_run_litert_writer) {
  const fs::path npy_mjs = npy_mjs_path();
  if (!node_available() || !fs::exists(npy_mjs)) {
    GTEST_SKIP() << "node or " << npy_mjs << " not available";
  }
  const fs::path script = dir_ / "write.mjs";
  std::ofstream(script) << R"js(
import { pathToFileURL } from 'node:url';
const { writeNpy } = await import(pathToFileURL(process.argv[2]).href);
const dir = process.argv[3];
writeNpy(`${dir}/f32.npy`, { dtype: 'float32', shape: [2, 3], data: new Float32Array([1.5, -2, 0, 3.25, 1e-3, -7]) });
writeNpy(`${dir}/f16.npy`, { dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) });
writeNpy(`${dir}/i8.npy`, { dtype: 'int8', shape: [4], data: new Int8Array([-128, -1, 0, 127]) });
writeNpy(`${dir}/u8.npy`, { dtype: 'uint8', shape: [1, 3], data: new Uint8Array([0, 128, 255]) });
writeNpy(`${dir}/i32.npy`, { dtype: 'int32', shape: [2, 1], data: new Int32Array([-5, 2147483647]) });
writeNpy(`${dir}/i64.npy`, { dtype: 'int64', shape: [2], data: new BigInt64Array([-1n, 1n << 40n]) });
writeNpy(`${dir}/b1.npy`, { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) });
writeNpy(`${dir}/scalar.npy`, { dtype: 'float32', shape: [], data: new Float32Array([42]) });
)js";
  ASSERT_EQ(run_node(script, {npy_mjs, dir_}), 0);

  auto f32 = read_npy(dir_ / "f32.npy");
  ASSERT_TRUE(f32.is_ok()) << f32.status().to_string();
  EXPECT_EQ(f32->dtype, DType::kF32);
  EXPECT_EQ(f32->shape, (Shape{2, 3}));
  std::vector<float> values(6);
  std::memcpy(values.data(), f32->data.data(), 24);
  EXPECT_EQ(values, (std::vector<float>{1.5f, -2.0f, 0.0f, 3.25f, 1e-3f, -7.0f}));

  auto f16 = read_npy(dir_ / "f16.npy");
  ASSERT_TRUE(f16.is_ok());
  EXPECT_EQ(f16->dtype, DType::kF16);
  EXPECT_EQ(f16->data, (std::vector<uint8_t>{0x00, 0x3c, 0x00, 0xc0}));

  auto i8 = read_npy(dir_ / "i8.npy");
  ASSERT_TRUE(i8.is_ok());
  EXPECT_EQ(i8->dtype, DType::kI8);
  EXPECT_EQ(i8->data, (std::vector<uint8_t>{0x80, 0xff, 0x00, 0x7f}));

  auto u8 = read_npy(dir_ / "u8.npy");
  ASSERT_TRUE(u8.is_ok());
  EXPECT_EQ(u8->dtype, DType::kU8);
  EXPECT_EQ(u8->shape, (Shape{1, 3}));
  EXPECT_EQ(u8->data, (std::vector<uint8_t>{0, 128, 255}));

  auto i32 = read_npy(dir_ / "i32.npy");
  ASSERT_TRUE(i32.is_ok());
  int32_t ints[2];
  std::memcpy(ints, i32->data.data(), 8);
  EXPECT_EQ(ints[0], -5);
  EXPECT_EQ(ints[1], 2147483647);

  auto i64 = read_npy(dir_ / "i64.npy");
  ASSERT_TRUE(i64.is_ok());
  EXPECT_EQ(i64->dtype, DType::kI64);
  int64_t longs[2];
  std::memcpy(longs, i64->data.data(), 16);
  EXPECT_EQ(longs[0], -1);
  EXPECT_EQ(longs[1], int64_t{1} << 40);

  auto b1 = read_npy(dir_ / "b1.npy");
  ASSERT_TRUE(b1.is_ok());
  EXPECT_EQ(b1->dtype, DType::kBool);
  EXPECT_EQ(b1->data, (std::vector<uint8_t>{1, 0, 1}));

  auto scalar = read_npy(dir_ / "scalar.npy");
  ASSERT_TRUE(scalar.is_ok());
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->data.size(), 4u);
}

TEST_F(NpyTest, node_reads_and_rewrites_our_files_byte_for_byte) {
  const fs::path npy_mjs = npy_mjs_path();
  if (!node_available() || !fs::exists(npy_mjs)) {
    GTEST_SKIP() << "node or " << npy_mjs << " not available";
  }
  const fs::path script = dir_ / "copy.mjs";
  std::ofstream(script) << R"js(
import { pathToFileURL } from 'node:url';
const { readNpy, writeNpy } = await import(pathToFileURL(process.argv[2]).href);
writeNpy(process.argv[4], readNpy(process.argv[3]));
)js";
  for (DType dtype : kAllDTypes) {
    SCOPED_TRACE(to_string(dtype));
    const fs::path ours = dir_ / "ours.npy";
    const fs::path theirs = dir_ / "theirs.npy";
    ASSERT_TRUE(write_npy(ours, patterned(dtype, {2, 3, 4})).is_ok());
    ASSERT_EQ(run_node(script, {npy_mjs, ours, theirs}), 0);
    EXPECT_EQ(read_file(theirs), read_file(ours));
  }
}

// Every error names the file and says why.
void expect_error(const Result<NpyArray>& r, ErrorCode code, std::string_view name,
                  std::string_view reason) {
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().to_string();
  EXPECT_NE(r.status().message().find(reason), std::string::npos) << r.status().to_string();
}

TEST_F(NpyTest, rejects_truncated) {
  auto bytes = encode_npy(patterned(DType::kF32, {4, 4}));
  ASSERT_TRUE(bytes.is_ok());
  // Every proper prefix fails cleanly, in memory and on disk.
  for (size_t n = 0; n < bytes->size(); ++n) {
    const std::vector<uint8_t> prefix(bytes->begin(), bytes->begin() + static_cast<ptrdiff_t>(n));
    EXPECT_FALSE(parse_npy(prefix, "cut.npy").is_ok()) << n;
  }
  const std::vector<uint8_t> cut(bytes->begin(), bytes->end() - 3);
  write_file(dir_ / "cut.npy", cut);
  expect_error(read_npy(dir_ / "cut.npy"), ErrorCode::kInvalidArgument, "cut.npy",
               "truncated data");
  const std::vector<uint8_t> cut_header(bytes->begin(), bytes->begin() + 40);
  write_file(dir_ / "cut_header.npy", cut_header);
  expect_error(read_npy(dir_ / "cut_header.npy"), ErrorCode::kInvalidArgument,
               "cut_header.npy", "truncated header");
}

TEST_F(NpyTest, rejects_bad_magic) {
  auto bytes = encode_npy(patterned(DType::kU8, {4}));
  ASSERT_TRUE(bytes.is_ok());
  (*bytes)[1] = 'X';
  write_file(dir_ / "magic.npy", *bytes);
  expect_error(read_npy(dir_ / "magic.npy"), ErrorCode::kInvalidArgument, "magic.npy",
               "bad magic");
  expect_error(parse_npy(to_bytes("PK\x03\x04 this is a zip file"), "z.npz"),
               ErrorCode::kInvalidArgument, "z.npz", "bad magic");
  expect_error(parse_npy({}, "empty.npy"), ErrorCode::kInvalidArgument, "empty.npy",
               "bad magic");
  auto v9 = handmade(9, "{}");
  expect_error(parse_npy(v9, "v9.npy"), ErrorCode::kInvalidArgument, "v9.npy", "version 9.0");
}

TEST_F(NpyTest, rejects_big_endian) {
  write_file(dir_ / "be.npy",
             handmade(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n",
                      {0x3f, 0x80, 0, 0}));
  expect_error(read_npy(dir_ / "be.npy"), ErrorCode::kTypeMismatch, "be.npy", "big-endian");
  // A one-byte type has no byte order: '>' is harmless there.
  EXPECT_TRUE(parse_npy(handmade(1, "{'descr': '>u1', 'fortran_order': False, 'shape': (1,), }\n",
                                 {7}))
                  .is_ok());
}

TEST_F(NpyTest, rejects_fortran_order) {
  write_file(dir_ / "f.npy",
             handmade(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n",
                      std::vector<uint8_t>(16, 0)));
  expect_error(read_npy(dir_ / "f.npy"), ErrorCode::kInvalidArgument, "f.npy",
               "fortran_order=True");
}

TEST_F(NpyTest, rejects_object_structured_and_other_dtypes) {
  expect_error(parse_npy(handmade(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n",
                                  std::vector<uint8_t>(8, 0)),
                         "obj.npy"),
               ErrorCode::kTypeMismatch, "obj.npy", "object arrays");
  expect_error(
      parse_npy(handmade(1, "{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, "
                            "'shape': (1,), }\n",
                         std::vector<uint8_t>(8, 0)),
                "rec.npy"),
      ErrorCode::kTypeMismatch, "rec.npy", "structured dtypes");
  expect_error(parse_npy(handmade(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n",
                                  std::vector<uint8_t>(8, 0)),
                         "f8.npy"),
               ErrorCode::kTypeMismatch, "f8.npy", "unsupported dtype '<f8'");
  expect_error(parse_npy(handmade(1, "{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }\n",
                                  std::vector<uint8_t>(4, 0)),
                         "nobo.npy"),
               ErrorCode::kTypeMismatch, "nobo.npy", "little-endian");
}

TEST_F(NpyTest, rejects_shape_data_size_mismatch) {
  // Writing: the data must be exactly shape x element size.
  auto too_short = encode_npy(NpyArray{DType::kI32, {2, 3}, std::vector<uint8_t>(20)});
  ASSERT_FALSE(too_short.is_ok());
  EXPECT_EQ(too_short.status().code(), ErrorCode::kShapeMismatch);
  EXPECT_NE(too_short.status().message().find("needs 24"), std::string::npos);
  const Status st = write_npy(dir_ / "w.npy", NpyArray{DType::kF32, {3}, std::vector<uint8_t>(13)});
  EXPECT_EQ(st.code(), ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("w.npy"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "w.npy"));
  EXPECT_FALSE(encode_npy(NpyArray{DType::kF32, {-1}, {}}).is_ok());

  // Reading: bytes beyond what the shape needs are an error, not ignored.
  auto bytes = encode_npy(patterned(DType::kF32, {2}));
  ASSERT_TRUE(bytes.is_ok());
  bytes->push_back(0);
  expect_error(parse_npy(*bytes, "long.npy"), ErrorCode::kInvalidArgument, "long.npy",
               "unexpected bytes after the data");
  // A shape whose byte count overflows is refused before any allocation.
  expect_error(parse_npy(handmade(1, "{'descr': '<i8', 'fortran_order': False, 'shape': "
                                     "(4294967296, 4294967296, 16), }\n"),
                         "huge.npy"),
               ErrorCode::kInvalidArgument, "huge.npy", "too large");
  expect_error(parse_npy(handmade(1, "{'descr': '<i8', 'fortran_order': False, 'shape': "
                                     "(1000000, 1000000), }\n"),
                         "big.npy"),
               ErrorCode::kInvalidArgument, "big.npy", "truncated data");
}

TEST_F(NpyTest, rejects_malformed_headers) {
  const char* headers[] = {
      "",
      "{",
      "{'descr': '<f4', 'fortran_order': False}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}\n",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}\n",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing\n",
      "{'descr: '<f4', 'fortran_order': False, 'shape': (1,)}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (((((((((((((((((((((1,)))))))))))))))))))))}",
      "{1: 2}",
  };
  for (const char* header : headers) {
    SCOPED_TRACE(header);
    auto r = parse_npy(handmade(1, header, std::vector<uint8_t>(4, 0)), "h.npy");
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().message().rfind("h.npy: ", 0), 0u) << r.status().message();
  }
  // A v2 length field of garbage does not make the reader allocate it.
  std::vector<uint8_t> v2 = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0x7f};
  expect_error(parse_npy(v2, "len.npy"), ErrorCode::kInvalidArgument, "len.npy",
               "header length");
}

TEST_F(NpyTest, never_crashes_on_corrupted_files) {
  std::mt19937 rng(1234);
  auto good = encode_npy(patterned(DType::kI32, {3, 5}));
  ASSERT_TRUE(good.is_ok());
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes = *good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      // Mostly the header, where the parsing is.
      const size_t at = rng() % (rng() % 4 ? 128 : bytes.size());
      bytes[at] = static_cast<uint8_t>(rng());
    }
    if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
    auto r = parse_npy(bytes, "fuzz.npy");
    if (r.is_ok()) {
      EXPECT_EQ(r->data.size(), static_cast<size_t>(r->elements()) * dtype_size(r->dtype));
    } else {
      EXPECT_EQ(r.status().message().rfind("fuzz.npy: ", 0), 0u);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> garbage(rng() % 300);
    for (auto& b : garbage) b = static_cast<uint8_t>(rng());
    if (garbage.size() >= 8 && rng() % 2) {
      const uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(1 + rng() % 3), 0};
      std::memcpy(garbage.data(), magic, sizeof(magic));
    }
    (void)parse_npy(garbage, "garbage.npy").is_ok();
  }
}

TEST_F(NpyTest, reports_io_errors_with_the_path) {
  expect_error(read_npy(dir_ / "missing.npy"), ErrorCode::kIoError, "missing.npy",
               "cannot open");
  expect_error(read_npy(dir_), ErrorCode::kIoError, dir_.string(), "is a directory");
  const Status st = write_npy(dir_ / "no" / "such" / "dir.npy", patterned(DType::kU8, {1}));
  EXPECT_EQ(st.code(), ErrorCode::kIoError);
  EXPECT_NE(st.message().find("dir.npy"), std::string::npos);
}

}  // namespace
}  // namespace opscope::datasets

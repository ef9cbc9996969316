// The TFLite reader on bad input: every error is a Status with the right
// code and a message that starts with the file's name and says what is
// wrong where. Nothing may crash (run these under ASan/UBSan too).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite {
namespace {

using testing::le_int32s;
using testing::share;
using testing::tensor_def;
using testing::TensorDef;
using testing::TfliteModelBuilder;
using fb::BuiltinOperator;
using fb::BuiltinOptions;
using fb::TensorType;

constexpr const char* kName = "bad.tflite";

Status load_error(std::vector<uint8_t> bytes) {
  auto r = load_tflite_buffer(share(std::move(bytes)), kName);
  if (r.is_ok()) return Status::ok();
  return r.status();
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Checks the code, that the message starts with the file's name and that
// it contains every given part.
#define EXPECT_LOAD_ERROR(status, code_, ...)                             \
  do {                                                                    \
    const Status& _s = (status);                                          \
    EXPECT_EQ(_s.code(), code_) << _s.to_string();                        \
    EXPECT_TRUE(starts_with(_s.message(), std::string(kName) + ": "))     \
        << _s.message();                                                  \
    for (const char* _part : std::initializer_list<const char*>{__VA_ARGS__}) { \
      EXPECT_TRUE(contains(_s.message(), _part))                          \
          << "missing '" << _part << "' in: " << _s.message();            \
    }                                                                     \
  } while (0)

// in -> ADD(in, k) -> out, with hooks to break it.
std::vector<uint8_t> add_model(int32_t second_input = 1,
                               uint32_t k_buffer_override = 0,
                               uint32_t opcode_index = 0) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  const int k = b.add_constant<float>("k", TensorType::FLOAT32, {2}, {1, 2});
  if (k_buffer_override != 0) b.tensor(k).buffer = k_buffer_override;
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::ADD) + opcode_index,
           {in, second_input}, {out});
  return b.finish({in}, {out});
}

TEST(TfliteReaderErrors, ValidBaselineLoads) {
  EXPECT_TRUE(load_error(add_model()).is_ok());
}

TEST(TfliteReaderErrors, MissingFileIsIoError) {
  auto r = load_tflite_file("/nonexistent/dir/model.tflite");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIoError);
  EXPECT_TRUE(starts_with(r.status().message(),
                          "/nonexistent/dir/model.tflite: "))
      << r.status().message();
}

TEST(TfliteReaderErrors, DirectoryIsIoError) {
  auto r = load_tflite_file("/tmp");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIoError);
  EXPECT_TRUE(contains(r.status().message(), "not a regular file"))
      << r.status().message();
}

TEST(TfliteReaderErrors, EmptyFileIsMalformed) {
  char path[] = "/tmp/opscope_empty_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto r = load_tflite_file(path);
  unlink(path);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kMalformedModel);
  EXPECT_TRUE(starts_with(r.status().message(), std::string(path) + ": "));
  EXPECT_TRUE(contains(r.status().message(), "0 bytes"))
      << r.status().message();
}

TEST(TfliteReaderErrors, EveryTruncationIsMalformed) {
  const std::vector<uint8_t> full = add_model();
  for (size_t len = 0; len < full.size(); ++len) {
    SCOPED_TRACE("length " + std::to_string(len));
    const Status s =
        load_error(std::vector<uint8_t>(full.begin(), full.begin() + len));
    EXPECT_LOAD_ERROR(s, ErrorCode::kMalformedModel);
  }
}

TEST(TfliteReaderErrors, SmallInputsSayTheyAreTooSmall) {
  EXPECT_LOAD_ERROR(load_error({}), ErrorCode::kMalformedModel, "too small");
  EXPECT_LOAD_ERROR((load_error({1, 2, 3})), ErrorCode::kMalformedModel,
                    "3 bytes");
}

TEST(TfliteReaderErrors, RandomBytesAreMalformed) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> bytes(rng() % 2048);
    for (auto& byte : bytes) byte = static_cast<uint8_t>(rng());
    // Half the trials pass the identifier check and reach the verifier.
    if (trial % 2 == 0 && bytes.size() >= 8) {
      bytes[4] = 'T', bytes[5] = 'F', bytes[6] = 'L', bytes[7] = '3';
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_LOAD_ERROR(load_error(bytes), ErrorCode::kMalformedModel);
  }
}

TEST(TfliteReaderErrors, CorruptedModelsFailCleanlyOrLoad) {
  const std::vector<uint8_t> good = add_model();
  std::mt19937 rng(99);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    }
    const Status s = load_error(bytes);
    if (!s.is_ok()) {
      EXPECT_TRUE(starts_with(s.message(), std::string(kName) + ": "))
          << "trial " << trial << ": " << s.message();
    }
  }
}

TEST(TfliteReaderErrors, WrongIdentifierIsMalformed) {
  std::vector<uint8_t> bytes = add_model();
  bytes[4] = 'O', bytes[5] = 'N', bytes[6] = 'N', bytes[7] = 'X';
  EXPECT_LOAD_ERROR(load_error(bytes), ErrorCode::kMalformedModel, "'ONNX'",
                    "expected 'TFL3'");
}

TEST(TfliteReaderErrors, RootOffsetOutsideFileIsMalformed) {
  std::vector<uint8_t> bytes = add_model();
  bytes[0] = 0xff, bytes[1] = 0xff, bytes[2] = 0xff, bytes[3] = 0x7f;
  EXPECT_LOAD_ERROR(load_error(bytes), ErrorCode::kMalformedModel,
                    "root table offset");
}

TEST(TfliteReaderErrors, TensorIndexOutOfRangeNamesNodeAndInput) {
  EXPECT_LOAD_ERROR(load_error(add_model(/*second_input=*/99)),
                    ErrorCode::kInvalidGraph, "node 0 'out' (ADD)", "input 1",
                    "tensor 99", "out of range [0, 3)");
  EXPECT_LOAD_ERROR(load_error(add_model(/*second_input=*/-2)),
                    ErrorCode::kInvalidGraph, "node 0 'out' (ADD)", "input 1",
                    "tensor -2");
}

TEST(TfliteReaderErrors, OutputIndexOutOfRangeNamesNode) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {7});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {in})), ErrorCode::kInvalidGraph,
                    "node 0 (RELU)", "output 0", "tensor 7");
}

TEST(TfliteReaderErrors, GraphInputOutOfRange) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  EXPECT_LOAD_ERROR(load_error(b.finish({in, 5}, {in})),
                    ErrorCode::kInvalidGraph, "graph input 1", "tensor 5");
}

TEST(TfliteReaderErrors, BufferIndexOutOfRangeNamesTensor) {
  EXPECT_LOAD_ERROR(load_error(add_model(1, /*k_buffer_override=*/42)),
                    ErrorCode::kInvalidGraph, "tensor 1 'k'",
                    "buffer index 42", "out of range [0, 2)");
}

TEST(TfliteReaderErrors, OpcodeIndexOutOfRangeNamesNode) {
  EXPECT_LOAD_ERROR(load_error(add_model(1, 0, /*opcode_index=*/5)),
                    ErrorCode::kInvalidGraph, "node 0", "opcode_index 5",
                    "out of range [0, 1)");
}

TEST(TfliteReaderErrors, ExternalBufferBeyondFileIsMalformed) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {4});
  const int k = b.add_tensor("k", TensorType::FLOAT32, {4},
                             b.add_external_buffer(1u << 20, 16));
  const int out = b.add_tensor("out", TensorType::FLOAT32, {4});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, k}, {out});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {out})),
                    ErrorCode::kMalformedModel, "buffer 1", "outside the file");
}

std::vector<uint8_t> custom_op_model(std::vector<uint8_t> options) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 3});
  const int w = b.add_constant<float>("w", TensorType::FLOAT32, {1, 2, 2, 3},
                                      std::vector<float>(12, 1.0f));
  const int bias = b.add_constant<float>("b", TensorType::FLOAT32, {1}, {0});
  const int relu = b.add_tensor("r", TensorType::FLOAT32, {1, 4, 4, 3});
  const int out = b.add_tensor("seg", TensorType::FLOAT32, {1, 8, 8, 1});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {relu});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "Convolution2DTransposeBias"),
           {relu, w, bias}, {out}, {}, std::move(options));
  return b.finish({in}, {out});
}

TEST(TfliteReaderErrors, ShortCustomOptionsNameNodeAndLength) {
  EXPECT_LOAD_ERROR(load_error(custom_op_model(le_int32s({1, 2}))),
                    ErrorCode::kMalformedModel,
                    "node 1 'seg' (Convolution2DTransposeBias)", "8 bytes",
                    "expected 12");
  EXPECT_LOAD_ERROR(load_error(custom_op_model({})), ErrorCode::kMalformedModel,
                    "node 1", "0 bytes");
}

TEST(TfliteReaderErrors, BadCustomOptionsValues) {
  EXPECT_LOAD_ERROR(load_error(custom_op_model(le_int32s({7, 2, 2}))),
                    ErrorCode::kMalformedModel, "node 1", "padding 7");
  EXPECT_LOAD_ERROR(load_error(custom_op_model(le_int32s({1, 0, 2}))),
                    ErrorCode::kInvalidGraph, "node 1", "stride");
}

TEST(TfliteReaderErrors, UnsupportedTensorTypeNamesTensorAndType) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  const int s = b.add_tensor("words", TensorType::STRING, {2});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, s}, {out});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {out})),
                    ErrorCode::kTypeMismatch, "tensor 1 'words'", "STRING");
}

TEST(TfliteReaderErrors, ConstantShorterThanShape) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {4});
  const int k = b.add_constant<float>("k", TensorType::FLOAT32, {4}, {1, 2});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {4});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, k}, {out});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {out})), ErrorCode::kInvalidGraph,
                    "'k'", "8 bytes");
}

TEST(TfliteReaderErrors, BadShapes) {
  {
    TfliteModelBuilder b;
    const int in = b.add_tensor("neg", TensorType::FLOAT32, {2, -3});
    EXPECT_LOAD_ERROR(load_error(b.finish({in}, {in})),
                      ErrorCode::kInvalidGraph, "tensor 0 'neg'", "negative");
  }
  {
    TfliteModelBuilder b;
    const int in = b.add_tensor("huge", TensorType::FLOAT32,
                                {1 << 30, 1 << 30, 1 << 30, 1 << 30});
    EXPECT_LOAD_ERROR(load_error(b.finish({in}, {in})),
                      ErrorCode::kInvalidGraph, "tensor 0 'huge'", "too large");
  }
}

TEST(TfliteReaderErrors, HugeVariableTensorExceedsAllocationBudget) {
  TfliteModelBuilder b;
  // 300 MiB of zeros from a file of a few hundred bytes.
  TensorDef state = tensor_def("state", TensorType::UINT8, {300, 1024, 1024});
  state.is_variable = true;
  const int s = b.add_tensor(state);
  EXPECT_LOAD_ERROR(load_error(b.finish({}, {s})),
                    ErrorCode::kResourceExhausted, "tensor 0 'state'",
                    "256 MiB");
}

TEST(TfliteReaderErrors, PerChannelAxisOutsideRank) {
  TfliteModelBuilder b;
  TensorDef w = tensor_def("w", TensorType::INT8, {2, 2},
                           b.add_buffer_of<int8_t>({1, 2, 3, 4}));
  w.scales = {0.1f, 0.2f};
  w.quantized_dimension = 5;
  const int t = b.add_tensor(w);
  EXPECT_LOAD_ERROR(load_error(b.finish({}, {t})), ErrorCode::kInvalidGraph,
                    "tensor 0 'w'", "dimension 5");
}

TEST(TfliteReaderErrors, PerChannelScalesMustMatchChannels) {
  TfliteModelBuilder b;
  TensorDef w = tensor_def("w", TensorType::INT8, {2, 2},
                           b.add_buffer_of<int8_t>({1, 2, 3, 4}));
  w.scales = {0.1f, 0.2f, 0.3f};
  w.quantized_dimension = 1;
  const int t = b.add_tensor(w);
  EXPECT_LOAD_ERROR(load_error(b.finish({}, {t})), ErrorCode::kInvalidGraph,
                    "tensor 0 'w'", "3 quantization scales for 2 channels");
}

TEST(TfliteReaderErrors, DensifyWithAbsentInputIsUnknownNotACrash) {
  TfliteModelBuilder b;
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::DENSIFY), {-1}, {out});
  auto r = load_tflite_buffer(share(b.finish({}, {out})), kName);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value()->graph.nodes.at(0).op, OpKind::kUnknown);
}

TEST(TfliteReaderErrors, WrongArityNamesNode) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 1});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4, 4, 1});
  b.add_op(b.add_opcode(BuiltinOperator::CONV_2D), {in}, {out});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {out})), ErrorCode::kInvalidGraph,
                    "node 0 'out' (CONV_2D)", "1 inputs", "2 to 3");
}

TEST(TfliteReaderErrors, InvalidPaddingAndStride) {
  auto conv_with = [](fb::Padding padding, int stride) {
    TfliteModelBuilder b;
    const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 1});
    const int w = b.add_constant<float>("w", TensorType::FLOAT32, {1, 1, 1, 1},
                                        {1.0f});
    const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4, 4, 1});
    b.add_op(b.add_opcode(BuiltinOperator::CONV_2D), {in, w}, {out},
             b.options(BuiltinOptions::Conv2DOptions,
                       fb::CreateConv2DOptions(b.fbb(), padding, stride, 1)));
    return b.finish({in}, {out});
  };
  EXPECT_LOAD_ERROR(load_error(conv_with(static_cast<fb::Padding>(7), 1)),
                    ErrorCode::kMalformedModel, "node 0 'out' (CONV_2D)",
                    "padding 7");
  EXPECT_LOAD_ERROR(load_error(conv_with(fb::Padding::SAME, 0)),
                    ErrorCode::kInvalidGraph, "node 0 'out' (CONV_2D)",
                    "stride 1x0");
}

TEST(TfliteReaderErrors, NodeWritingGraphInput) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {out}, {in});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {out});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {out})), ErrorCode::kInvalidGraph,
                    "node 0 'in' (RELU)", "graph input");
}

TEST(TfliteReaderErrors, NodesOutOfOrderNameTheNode) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  const int a = b.add_tensor("a", TensorType::FLOAT32, {2});
  const int c = b.add_tensor("c", TensorType::FLOAT32, {2});
  const uint32_t relu = b.add_opcode(BuiltinOperator::RELU);
  b.add_op(relu, {a}, {c});  // reads `a` before it is written
  b.add_op(relu, {in}, {a});
  EXPECT_LOAD_ERROR(load_error(b.finish({in}, {c})), ErrorCode::kInvalidGraph,
                    "node 0 'c' (RELU)", "not produced before use");
}

TEST(TfliteReaderErrors, NoSubgraphs) {
  flatbuffers::FlatBufferBuilder fbb;
  fb::FinishModelBuffer(fbb, fb::CreateModel(fbb, 3));
  std::vector<uint8_t> bytes(fbb.GetBufferPointer(),
                             fbb.GetBufferPointer() + fbb.GetSize());
  EXPECT_LOAD_ERROR(load_error(bytes), ErrorCode::kMalformedModel,
                    "no subgraphs");
}

// A sparse tensor over [2, 4] (dense rows, CSR columns) with the given
// segment array; `with_indices` false leaves the index union's value out
// while its type tag stays set (found by the fuzzer).
std::vector<uint8_t> sparse_model(std::vector<uint8_t> segments,
                                  bool with_indices) {
  TfliteModelBuilder b;
  const int ws =
      b.add_tensor(sparse_2x4_def(b, "ws", segments, with_indices, {1, 2, 3}));
  return b.finish({}, {ws});
}

TEST(TfliteReaderErrors, BadSparseStructure) {
  EXPECT_TRUE(load_error(sparse_model({0, 2, 3}, true)).is_ok());
  // 9 is past the end of the index array.
  EXPECT_LOAD_ERROR(load_error(sparse_model({0, 2, 9}, true)),
                    ErrorCode::kMalformedModel, "tensor 0 'ws'",
                    "sparse storage", "segment [2, 9)");
  // Decreasing segments.
  EXPECT_LOAD_ERROR(load_error(sparse_model({0, 3, 2}, true)),
                    ErrorCode::kMalformedModel, "tensor 0 'ws'", "segment");
  // Too few segments for the dense rows above.
  EXPECT_LOAD_ERROR(load_error(sparse_model({0, 2}, true)),
                    ErrorCode::kMalformedModel, "tensor 0 'ws'",
                    "outside the segment array");
  EXPECT_LOAD_ERROR(load_error(sparse_model({0, 2, 3}, false)),
                    ErrorCode::kMalformedModel, "tensor 0 'ws'",
                    "lacks its segment or index array");
}

}  // namespace
}  // namespace opscope::tflite

// Writes small synthetic .tflite seeds for the reader's fuzzer, one per
// feature the reader translates, into the directory given as argv[1]:
// convolutions, quantization, sparsity, and control flow over subgraphs
// (IF, WHILE, an IF inside a WHILE body), MediaPipe's landmark-crop custom
// ops (FlexBuffer options).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/adapters/formats/tflite_control_flow_models.h"
#include "tests/adapters/formats/tflite_mediapipe_models.h"
#include "tests/adapters/formats/tflite_model_builder.h"

namespace {

using namespace opscope::tflite::testing;  // NOLINT: test tool
using opscope::tflite::fb::BuiltinOperator;
using opscope::tflite::fb::BuiltinOptions;
using opscope::tflite::fb::TensorType;
namespace fb = opscope::tflite::fb;

std::vector<uint8_t> conv_add() {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 2});
  const int w = b.add_constant<float>("w", TensorType::FLOAT32, {3, 1, 1, 2},
                                      {1, 2, 3, 4, 5, 6});
  const int bias = b.add_constant<float>("b", TensorType::FLOAT32, {3}, {1, 2, 3});
  const int c = b.add_tensor("c", TensorType::FLOAT32, {1, 4, 4, 3});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4, 4, 3});
  b.add_op(b.add_opcode(BuiltinOperator::CONV_2D), {in, w, bias}, {c},
           b.options(BuiltinOptions::Conv2DOptions,
                     fb::CreateConv2DOptions(b.fbb(), fb::Padding::SAME, 1, 1)));
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {c, bias}, {out});
  return b.finish({in}, {out});
}

std::vector<uint8_t> transpose_convs() {
  TfliteModelBuilder b;
  const int shape = b.add_constant<int32_t>("s", TensorType::INT32, {4},
                                            {1, 8, 8, 1});
  const int w = b.add_constant<float>("w", TensorType::FLOAT32, {1, 2, 2, 3},
                                      std::vector<float>(12, 1.0f));
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 3});
  const int a = b.add_tensor("a", TensorType::FLOAT32, {1, 8, 8, 1});
  const int c = b.add_tensor("c", TensorType::FLOAT32, {1, 8, 8, 1});
  b.add_op(b.add_opcode(BuiltinOperator::TRANSPOSE_CONV), {shape, w, in}, {a},
           b.options(BuiltinOptions::TransposeConvOptions,
                     fb::CreateTransposeConvOptions(b.fbb(), fb::Padding::SAME,
                                                    2, 2)));
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "Convolution2DTransposeBias"),
           {in, w, -1}, {c}, {}, le_int32s({1, 2, 2}));
  return b.finish({in}, {a, c});
}

std::vector<uint8_t> quantized_reshape() {
  TfliteModelBuilder b;
  TensorDef in = tensor_def("in", TensorType::INT8, {1, 8});
  in.scales = {0.5f};
  in.zero_points = {3};
  TensorDef w = tensor_def("w", TensorType::INT8, {2, 8},
                           b.add_buffer_of<int8_t>(std::vector<int8_t>(16, 1)));
  w.scales = {0.1f, 0.2f};
  const int i = b.add_tensor(in), wi = b.add_tensor(w);
  const int fc = b.add_tensor("fc", TensorType::INT8, {1, 2});
  const int shape = b.add_constant<int32_t>("shape", TensorType::INT32, {1}, {2});
  const int out = b.add_tensor("out", TensorType::INT8, {2});
  b.add_op(b.add_opcode(BuiltinOperator::FULLY_CONNECTED), {i, wi, -1}, {fc});
  b.add_op(b.add_opcode(BuiltinOperator::RESHAPE), {fc, shape}, {out});
  return b.finish({i}, {out});
}

std::vector<uint8_t> sparse_densify() {
  TfliteModelBuilder b;
  const int ws = b.add_tensor(
      sparse_2x4_def(b, "ws", {0, 2, 3}, /*with_indices=*/true, {1, 2, 3}));
  const int wd = b.add_tensor("w", TensorType::FLOAT32, {2, 4});
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2, 4});
  b.add_op(b.add_opcode(BuiltinOperator::DENSIFY), {ws}, {wd});
  b.add_op(b.add_opcode(BuiltinOperator::MUL), {in, wd}, {out});
  return b.finish({in}, {out});
}

bool write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()),
          static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const bool ok = write(dir + "/synthetic_conv_add.tflite", conv_add()) &&
                  write(dir + "/synthetic_transpose_convs.tflite",
                        transpose_convs()) &&
                  write(dir + "/synthetic_quantized_reshape.tflite",
                        quantized_reshape()) &&
                  write(dir + "/synthetic_sparse_densify.tflite",
                        sparse_densify()) &&
                  write(dir + "/synthetic_if.tflite", control_flow_models::if_model()) &&
                  write(dir + "/synthetic_while.tflite", control_flow_models::while_model()) &&
                  write(dir + "/synthetic_nested_control_flow.tflite",
                        control_flow_models::nested_model()) &&
                  write(dir + "/synthetic_mediapipe_crop.tflite",
                        mediapipe_models::crop_model(
                            mediapipe_models::flex_map(mediapipe_models::crop_options)));
  if (!ok) std::fprintf(stderr, "cannot write seeds into %s\n", dir.c_str());
  return ok ? 0 : 1;
}

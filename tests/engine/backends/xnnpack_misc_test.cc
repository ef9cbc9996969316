// XNNPACK backend: RESIZE_BILINEAR (all three sampling modes), SOFTMAX, PAD,
// DEPTH_TO_SPACE and the reshape-like ops, against the reference backend.
#include <gtest/gtest.h>

#include <ostream>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

// ---------------------------------------------------------------- resize

enum class Mode { kHalfPixel, kAlignCorners, kLegacy };

OneNodeGraph resize_graph(const Shape& in, int64_t out_h, int64_t out_w, Mode mode) {
  ResizeAttrs a;
  a.align_corners = mode == Mode::kAlignCorners;
  a.half_pixel_centers = mode == Mode::kHalfPixel;
  OneNodeGraph g(OpKind::kResizeBilinear, a);
  g.add_input(in, random_values(num_elements(in), -3, 3, 81));
  g.add_constant(Shape{2}, std::vector<int32_t>{static_cast<int32_t>(out_h),
                                                static_cast<int32_t>(out_w)});
  g.add_output();
  return g;
}

struct ResizeCase {
  Shape in;
  int64_t out_h, out_w;
};

void PrintTo(const ResizeCase& c, std::ostream* os) {
  *os << shape_to_string(c.in) << " -> " << c.out_h << "x" << c.out_w;
}
void PrintTo(Mode m, std::ostream* os) {
  *os << (m == Mode::kHalfPixel ? "half_pixel" : m == Mode::kAlignCorners ? "align_corners"
                                                                          : "legacy");
}

class XnnResize : public ::testing::TestWithParam<std::tuple<ResizeCase, Mode>> {};

TEST_P(XnnResize, MatchesReference) {
  const auto& [c, mode] = GetParam();
  expect_xnn_matches_cpu(resize_graph(c.in, c.out_h, c.out_w, mode));
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, XnnResize,
    ::testing::Combine(
        ::testing::Values(ResizeCase{{1, 16, 16, 24}, 32, 32},  // selfie_segmentation
                          ResizeCase{{1, 8, 8, 16}, 16, 16}, ResizeCase{{1, 5, 7, 3}, 9, 4},
                          ResizeCase{{2, 6, 4, 17}, 3, 11}, ResizeCase{{1, 4, 4, 5}, 1, 1},
                          ResizeCase{{1, 1, 1, 5}, 3, 2}, ResizeCase{{1, 9, 9, 1}, 9, 9}),
        ::testing::Values(Mode::kHalfPixel, Mode::kAlignCorners, Mode::kLegacy)));

TEST(XnnResizeMore, MultiThreaded) {
  expect_xnn_matches_cpu(resize_graph({1, 16, 16, 24}, 32, 32, Mode::kHalfPixel), 2);
}

// ---------------------------------------------------------------- softmax

TEST(XnnSoftmax, LastAxis) {
  for (const Shape& s : {Shape{1, 10}, Shape{2, 3, 17}, Shape{1, 896, 1}, Shape{5},
                         Shape{1, 64, 64, 3}}) {
    SCOPED_TRACE(shape_to_string(s));
    OneNodeGraph g(OpKind::kSoftmax, SoftmaxAttrs{1.0f});
    g.add_input(s, random_values(num_elements(s), -20, 20, 91));
    g.add_output();
    expect_xnn_matches_cpu(g);
  }
}

TEST(XnnSoftmax, NoAttributesMeansBetaOne) {
  OneNodeGraph g(OpKind::kSoftmax);
  g.add_input(Shape{4, 9}, random_values(36, -5, 5, 92));
  g.add_output();
  expect_xnn_matches_cpu(g);
}

TEST(XnnSoftmax, FallsBackOnBeta) {
  OneNodeGraph g(OpKind::kSoftmax, SoftmaxAttrs{2.0f});
  g.add_input(Shape{2, 5}, random_values(10, -5, 5, 93));
  g.add_output();
  expect_falls_back(g, "beta");
}

// ---------------------------------------------------------------- pad

template <typename T>
OneNodeGraph pad_graph(const Shape& in, const std::vector<int32_t>& pads, const std::vector<T>& x,
                       Quantization q = {}) {
  OneNodeGraph g(OpKind::kPad);
  g.add_input(in, x, q);
  g.add_constant(Shape{static_cast<int64_t>(in.size()), 2}, pads);
  g.add_output(dtype_of<T>(), q);
  return g;
}

TEST(XnnPad, F32) {
  expect_xnn_matches_cpu(pad_graph<float>({1, 16, 16, 3}, {0, 0, 1, 2, 3, 0, 0, 5},
                                          random_values(768, -1, 1, 101)));
  expect_xnn_matches_cpu(pad_graph<float>({1, 64, 64, 16}, {0, 0, 0, 1, 0, 1, 0, 0},
                                          random_values(65536, -1, 1, 102)));
  expect_xnn_matches_cpu(pad_graph<float>({17}, {3, 4}, random_values(17, -1, 1, 103)));
  expect_xnn_matches_cpu(pad_graph<float>({2, 3, 2, 3, 5}, {1, 0, 0, 2, 1, 1, 0, 0, 2, 3},
                                          random_values(180, -1, 1, 104)));
  expect_xnn_matches_cpu(pad_graph<float>({2, 3}, {0, 0, 0, 0}, random_values(6, -1, 1, 105)));
}

// The op simplifies the shape (drops unpadded size-1 dims, merges unpadded
// dims into their outer neighbour) before XNNPACK sees it.
TEST(XnnPad, SimplifiedShapes) {
  // embedding_model's zero_padding2d.
  expect_xnn_matches_cpu(pad_graph<float>({1, 76, 32, 1}, {0, 0, 0, 0, 1, 1, 0, 0},
                                          random_values(2432, -1, 1, 131)));
  // Padded size-1 dims, innermost and outermost.
  expect_xnn_matches_cpu(pad_graph<float>({1, 1, 5, 1}, {2, 0, 0, 1, 0, 0, 1, 3},
                                          random_values(5, -1, 1, 132)));
  // Unpadded dims between padded ones.
  expect_xnn_matches_cpu(pad_graph<float>({3, 4, 5, 6}, {0, 1, 0, 0, 2, 0, 0, 0},
                                          random_values(360, -1, 1, 133)));
  expect_xnn_matches_cpu(pad_graph<float>({1, 1}, {0, 0, 0, 0}, random_values(1, -1, 1, 134)));
  expect_xnn_matches_cpu(pad_graph<int8_t>({1, 76, 32, 1}, {0, 0, 0, 0, 1, 1, 0, 0},
                                           random_int8(2432, 135), per_tensor(0.5f, 3)));
}

// XNNPACK pads with a constant only: the other modes stay on cpu.
TEST(XnnPad, MirrorAndEdgeModesFallBack) {
  for (PadMode mode : {PadMode::kReflect, PadMode::kSymmetric, PadMode::kEdge}) {
    OneNodeGraph g(OpKind::kPad, PadAttrs{mode});
    g.add_input(Shape{1, 4, 4, 3}, random_values(48, -1, 1, 110));
    g.add_constant(Shape{4, 2}, std::vector<int32_t>{0, 0, 1, 1, 2, 0, 0, 0});
    g.add_output();
    expect_falls_back(g, "reflect, symmetric or edge");
  }
}

TEST(XnnPad, ConstantInput) {
  OneNodeGraph g(OpKind::kPad);
  g.add_constant(Shape{2, 5, 3}, random_values(30, -1, 1, 109));
  g.add_constant(Shape{3, 2}, std::vector<int32_t>{0, 1, 2, 0, 0, 1});
  g.add_output();
  expect_xnn_matches_cpu(g);
}

TEST(XnnPad, ConstantValue) {
  OneNodeGraph g = pad_graph<float>({1, 4, 4, 3}, {0, 0, 1, 1, 2, 0, 0, 1},
                                    random_values(48, -1, 1, 106));
  g.add_constant(Shape{}, std::vector<float>{1.5f});
  expect_xnn_matches_cpu(g);
}

TEST(XnnPad, Int8UsesZeroPoint) {
  expect_xnn_matches_cpu(pad_graph<int8_t>({1, 8, 8, 5}, {0, 0, 1, 1, 2, 2, 0, 3},
                                           random_int8(320, 107), per_tensor(0.1f, -7)));
}

TEST(XnnPad, FallsBackOnRuntimeValue) {
  OneNodeGraph g = pad_graph<float>({1, 4, 4, 3}, {0, 0, 1, 1, 2, 0, 0, 1},
                                    random_values(48, -1, 1, 108));
  g.add_input(Shape{}, std::vector<float>{2.0f});
  expect_falls_back(g, "not a constant");
}

TEST(XnnPad, FallsBackOnInt64) {
  OneNodeGraph g = pad_graph<int64_t>({3}, {1, 1}, std::vector<int64_t>{1, 2, 3});
  expect_falls_back(g, "8 bytes");
}

// ---------------------------------------------------------------- depth to space

TEST(XnnDepthToSpace, F32) {
  for (const auto& [shape, block] :
       std::vector<std::pair<Shape, int>>{{{1, 4, 4, 32}, 2}, {{2, 3, 5, 12}, 2},
                                          {{1, 2, 2, 48}, 4}, {{1, 3, 3, 27}, 3}}) {
    SCOPED_TRACE(shape_to_string(shape));
    OneNodeGraph g(OpKind::kDepthToSpace, DepthToSpaceAttrs{block});
    g.add_input(shape, random_values(num_elements(shape), -1, 1, 111));
    g.add_output();
    expect_xnn_matches_cpu(g);
  }
}

TEST(XnnDepthToSpace, FallsBackOnInt8) {
  OneNodeGraph g(OpKind::kDepthToSpace, DepthToSpaceAttrs{2});
  g.add_input(Shape{1, 2, 2, 8}, random_int8(32, 112), per_tensor(0.1f, 0));
  g.add_output(DType::kI8, per_tensor(0.1f, 0));
  expect_falls_back(g, "1 bytes");
}

// ---------------------------------------------------------------- reshape-like

TEST(XnnReshapeLike, Reshape) {
  OneNodeGraph g(OpKind::kReshape, ReshapeAttrs{{1, 384, 16}});
  g.add_input(Shape{1, 16, 16, 24}, random_values(6144, -1, 1, 121));
  g.add_output();
  expect_xnn_matches_cpu(g);

  OneNodeGraph with_shape_input(OpKind::kReshape, ReshapeAttrs{});
  with_shape_input.add_input(Shape{2, 3, 5}, random_values(30, -1, 1, 122));
  with_shape_input.add_constant(Shape{2}, std::vector<int32_t>{-1, 15});
  with_shape_input.add_output();
  expect_xnn_matches_cpu(with_shape_input);
}

TEST(XnnReshapeLike, SqueezeAndExpandDims) {
  OneNodeGraph squeeze(OpKind::kSqueeze, SqueezeAttrs{{1, 2}});
  squeeze.add_input(Shape{1, 1, 1, 17}, random_values(17, -1, 1, 123));
  squeeze.add_output();
  expect_xnn_matches_cpu(squeeze);

  OneNodeGraph expand(OpKind::kExpandDims);
  expand.add_input(Shape{3, 5}, random_values(15, -1, 1, 124));
  expand.add_constant(Shape{1}, std::vector<int32_t>{-1});
  expand.add_output();
  expect_xnn_matches_cpu(expand);
}

TEST(XnnReshapeLike, EveryElementSize) {
  OneNodeGraph i8(OpKind::kReshape, ReshapeAttrs{{5, 7}});
  i8.add_input(Shape{35}, random_int8(35, 125), per_tensor(0.5f, 1));
  i8.add_output(DType::kI8, per_tensor(0.5f, 1));
  expect_xnn_matches_cpu(i8);

  OneNodeGraph f16(OpKind::kReshape, ReshapeAttrs{{3, 3}});
  f16.add_input(Shape{9}, std::vector<uint16_t>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  f16.add_output(DType::kF16);
  expect_xnn_matches_cpu(f16);

  OneNodeGraph i64(OpKind::kReshape, ReshapeAttrs{{2, 3}});
  i64.add_input(Shape{6}, std::vector<int64_t>{1, -2, 3LL << 40, 4, 5, -(6LL << 50)});
  i64.add_output(DType::kI64);
  expect_xnn_matches_cpu(i64);
}

TEST(XnnReshapeLike, EmptyTensorIsANoOp) {
  OneNodeGraph g(OpKind::kReshape, ReshapeAttrs{{0, 4}});
  g.add_constant(Shape{4, 0}, std::vector<float>{});
  g.add_output();
  Result<OneNodeRun> run = run_session(g, {"xnnpack"});
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->node_backend, 0);
}

}  // namespace
}  // namespace opscope::testing

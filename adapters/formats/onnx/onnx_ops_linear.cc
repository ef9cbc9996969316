// Gemm and MatMul: FULLY_CONNECTED when the weights are constant (repacked
// to [O, I] at load), BATCH_MATMUL otherwise.
#include <cstring>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

// [K, N] f32 constant -> [N, K] weights, times `alpha`.
int weights_from_kn(Importer& im, const Tensor& b, bool transposed, float alpha) {
  const float* src = b.constant_as<float>();
  const int64_t rows = b.shape[0], cols = b.shape[1];
  const int64_t n = transposed ? rows : cols, k = transposed ? cols : rows;
  std::vector<float> w(static_cast<size_t>(n * k));
  for (int64_t o = 0; o < n; ++o) {
    for (int64_t i = 0; i < k; ++i) {
      w[o * k + i] = alpha * (transposed ? src[o * k + i] : src[i * n + o]);
    }
  }
  // The integer grid of weights folded from a dequantization (tensor.h)
  // still holds when alpha is 1; a per-column axis becomes the row axis 0.
  Quantization grid = alpha == 1.0f ? b.quantization : Quantization{};
  if (grid.per_channel()) grid.axis = 0;
  const int id = im.new_f32_constant(b.name + "/oi", Shape{n, k}, w);  // may move `b`
  im.tensor(id).quantization = std::move(grid);
  return id;
}

}  // namespace

Status translate_gemm(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"alpha", "beta", "transA", "transB", "broadcast"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value av, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value bv, im.input(1));
  const float alpha = im.attr_float("alpha", 1.0f), beta = im.attr_float("beta", 1.0f);
  const bool trans_a = im.attr_int("transA", 0) != 0, trans_b = im.attr_int("transB", 0) != 0;
  OPSCOPE_ASSIGN_OR_RETURN(int a, im.as_natural(av));
  OPSCOPE_ASSIGN_OR_RETURN(int b, im.as_natural(bv));
  if (im.tensor(a).shape.size() != 2 || im.tensor(b).shape.size() != 2 ||
      im.tensor(a).dtype != DType::kF32 || im.tensor(b).dtype != DType::kF32) {
    return im.error(ErrorCode::kShapeMismatch, "A and B must be f32 matrices");
  }
  if (trans_a) {
    OPSCOPE_ASSIGN_OR_RETURN(a, im.transpose(a, {1, 0}, "transA"));
  }
  const int64_t m = im.tensor(a).shape[0], k = im.tensor(a).shape[1];
  const Shape b_shape = im.tensor(b).shape;
  const bool fc = im.tensor(b).is_constant();
  const int64_t bk = trans_b ? b_shape[1] : b_shape[0];
  const int64_t n = trans_b ? b_shape[0] : b_shape[1];
  if (bk != k) {
    return im.error(ErrorCode::kShapeMismatch,
                    "A is " + shape_to_string(im.tensor(a).shape) + ", B is " +
                        shape_to_string(b_shape) + (trans_b ? " (transposed)" : ""));
  }
  // C: a bias when it is a constant of N values (or one), else an Add.
  int bias = -1;
  int c = -1;
  if (im.has_input(2) && beta != 0.0f) {
    OPSCOPE_ASSIGN_OR_RETURN(Value cv, im.input(2));
    OPSCOPE_ASSIGN_OR_RETURN(c, im.as_natural(cv));
    const Tensor& ct = im.tensor(c);
    const bool row = ct.elements() == n && (ct.shape.size() == 1 || (ct.shape.size() == 2 && ct.shape[0] == 1));
    if (ct.is_constant() && ct.dtype == DType::kF32 && (row || ct.elements() == 1)) {
      std::vector<float> v(n);
      for (int64_t j = 0; j < n; ++j) v[j] = beta * ct.constant_as<float>()[row ? j : 0];
      bias = im.new_f32_constant(ct.name + "/bias", Shape{n}, v);
      c = -1;
    }
  }
  const int out = c < 0 ? im.new_tensor(im.node().output(0)) : im.new_tensor(im.node_name() + "/ab");
  if (fc) {
    const int w = weights_from_kn(im, im.tensor(b), trans_b, alpha);
    std::vector<int> ins = {a, w};
    if (bias >= 0) ins.push_back(bias);
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kFullyConnected, FullyConnectedAttrs{}, ins, {out}).status());
  } else {
    BatchMatMulAttrs attrs;
    attrs.adj_y = trans_b;
    int prod = out;
    if (alpha != 1.0f || bias >= 0) prod = im.new_tensor(im.node_name() + "/matmul");
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kBatchMatMul, attrs, {a, b}, {prod}).status());
    int cur = prod;
    if (alpha != 1.0f) {
      const int s = im.new_f32_constant(im.node_name() + "/alpha", Shape{}, {alpha});
      const int scaled = bias >= 0 ? im.new_tensor(im.node_name() + "/scaled") : out;
      OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kMul, std::monostate{}, {cur, s}, {scaled}).status());
      cur = scaled;
    }
    if (bias >= 0) {
      OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kAdd, std::monostate{}, {cur, bias}, {out}).status());
    }
  }
  (void)m;
  if (c < 0) {
    im.define_output(0, Value{out});
    return Status::ok();
  }
  int cc = c;
  if (beta != 1.0f) {
    const int s = im.new_f32_constant(im.node_name() + "/beta", Shape{}, {beta});
    cc = im.new_tensor(im.node_name() + "/beta_c");
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kMul, std::monostate{}, {c, s}, {cc}).status());
  }
  const int y = im.new_tensor(im.node().output(0));
  OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kAdd, std::monostate{}, {out, cc}, {y}).status());
  im.define_output(0, Value{y});
  return Status::ok();
}

Status translate_matmul(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value av, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value bv, im.input(1));
  OPSCOPE_ASSIGN_OR_RETURN(int a, im.as_natural(av));
  OPSCOPE_ASSIGN_OR_RETURN(int b, im.as_natural(bv));
  const Shape as = im.tensor(a).shape, bs = im.tensor(b).shape;
  if (as.empty() || bs.empty() || im.tensor(a).dtype != DType::kF32 ||
      im.tensor(b).dtype != DType::kF32) {
    return im.error(ErrorCode::kShapeMismatch, "inputs must be f32 of rank >= 1");
  }
  // numpy: a rank-1 A is [1, K], a rank-1 B is [K, 1]; those dims go again.
  Shape out_extra_drop;
  if (as.size() == 1) {
    OPSCOPE_ASSIGN_OR_RETURN(a, im.reshape(a, Shape{1, as[0]}, "row"));
  }
  if (bs.size() == 1) {
    OPSCOPE_ASSIGN_OR_RETURN(b, im.reshape(b, Shape{bs[0], 1}, "col"));
  }
  const bool fc = im.tensor(b).is_constant() && im.tensor(b).shape.size() == 2;
  const int64_t b_rows = im.tensor(b).shape[0];
  const int out = im.new_tensor(im.node_name() + "/matmul");
  if (fc) {
    if (b_rows != im.tensor(a).shape.back()) {
      return im.error(ErrorCode::kShapeMismatch, "A is " + shape_to_string(as) + ", B is " +
                                                     shape_to_string(bs));
    }
    const int w = weights_from_kn(im, im.tensor(b), false, 1.0f);
    FullyConnectedAttrs attrs;
    attrs.keep_num_dims = true;
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kFullyConnected, attrs, {a, w}, {out}).status());
  } else {
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kBatchMatMul, BatchMatMulAttrs{}, {a, b}, {out}).status());
  }
  Shape final_shape = im.tensor(out).shape;
  if (as.size() == 1) final_shape.erase(final_shape.end() - 2);
  if (bs.size() == 1) final_shape.pop_back();
  OPSCOPE_ASSIGN_OR_RETURN(int y, im.reshape(out, final_shape, "shape"));
  im.define_output(0, Value{y});
  return Status::ok();
}

}  // namespace opscope::onnx

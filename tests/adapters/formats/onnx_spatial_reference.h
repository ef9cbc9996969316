// Naive double-precision ONNX Conv, ConvTranspose, MaxPool and AveragePool
// over any number of spatial dims (NC + spatial, ONNX order), written from
// the ONNX operator definitions; and a one-node ONNX model builder and
// runner for the importer tests that compare against them.
#pragma once

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/session.h"

namespace opscope::onnx_test {

// A window per spatial axis: taps, stride, dilation, pads before and after.
struct Window {
  std::vector<int64_t> k, s, d, pb, pe;
  size_t rank() const { return k.size(); }
  int64_t extent(size_t i) const { return (k[i] - 1) * d[i] + 1; }
};

inline int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t e : v) p *= e;
  return p;
}

// Calls f(idx) for every index of `dims`, row-major.
inline void for_each_index(const std::vector<int64_t>& dims,
                           const std::function<void(const std::vector<int64_t>&)>& f) {
  std::vector<int64_t> idx(dims.size(), 0);
  if (product(dims) == 0) return;
  while (true) {
    f(idx);
    size_t i = dims.size();
    while (i > 0) {
      --i;
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
      if (i == 0) return;
    }
    if (dims.empty()) return;
  }
}

// Flat offset of spatial index `pos` in plane (n, c) of an NC+spatial tensor.
inline int64_t offset(const std::vector<int64_t>& shape, int64_t n, int64_t c,
                      const std::vector<int64_t>& pos) {
  int64_t o = n * shape[1] + c;
  for (size_t i = 0; i < pos.size(); ++i) o = o * shape[i + 2] + pos[i];
  return o;
}

struct Tensor64 {
  std::vector<int64_t> shape;
  std::vector<double> v;
};

// MaxPool / AveragePool. ceil_mode: the last window must start inside the
// input or its begin padding. count_include_pad divides by every tap.
inline Tensor64 naive_pool(const Tensor64& x, const Window& w, bool average, bool ceil_mode,
                           bool include_pad) {
  Tensor64 y;
  y.shape = {x.shape[0], x.shape[1]};
  for (size_t i = 0; i < w.rank(); ++i) {
    const int64_t in = x.shape[i + 2];
    const int64_t span = in + w.pb[i] + w.pe[i] - w.extent(i);
    int64_t out = (ceil_mode ? (span + w.s[i] - 1) / w.s[i] : span / w.s[i]) + 1;
    if (ceil_mode && (out - 1) * w.s[i] >= in + w.pb[i]) --out;
    y.shape.push_back(out);
  }
  const std::vector<int64_t> out_sp(y.shape.begin() + 2, y.shape.end());
  for (int64_t n = 0; n < x.shape[0]; ++n) {
    for (int64_t c = 0; c < x.shape[1]; ++c) {
      for_each_index(out_sp, [&](const std::vector<int64_t>& o) {
        double sum = 0, mx = -std::numeric_limits<double>::infinity();
        int64_t count = 0;
        for_each_index(w.k, [&](const std::vector<int64_t>& k) {
          std::vector<int64_t> p(w.rank());
          for (size_t i = 0; i < w.rank(); ++i) {
            p[i] = o[i] * w.s[i] - w.pb[i] + k[i] * w.d[i];
            if (p[i] < 0 || p[i] >= x.shape[i + 2]) return;
          }
          const double v = x.v[offset(x.shape, n, c, p)];
          sum += v;
          mx = std::max(mx, v);
          ++count;
        });
        y.v.push_back(average ? sum / static_cast<double>(include_pad ? product(w.k) : count)
                              : mx);
      });
    }
  }
  return y;
}

// Conv: x [N, C, ...], wt [M, C/group, k...], bias [M] or empty.
inline Tensor64 naive_conv(const Tensor64& x, const Tensor64& wt, const std::vector<double>& b,
                           const Window& w, int64_t group) {
  Tensor64 y;
  const int64_t m_count = wt.shape[0], cg = wt.shape[1], mg = m_count / group;
  y.shape = {x.shape[0], m_count};
  for (size_t i = 0; i < w.rank(); ++i) {
    y.shape.push_back((x.shape[i + 2] + w.pb[i] + w.pe[i] - w.extent(i)) / w.s[i] + 1);
  }
  const std::vector<int64_t> out_sp(y.shape.begin() + 2, y.shape.end());
  for (int64_t n = 0; n < x.shape[0]; ++n) {
    for (int64_t m = 0; m < m_count; ++m) {
      for_each_index(out_sp, [&](const std::vector<int64_t>& o) {
        double acc = b.empty() ? 0.0 : b[m];
        for (int64_t ci = 0; ci < cg; ++ci) {
          const int64_t c = (m / mg) * cg + ci;
          for_each_index(w.k, [&](const std::vector<int64_t>& k) {
            std::vector<int64_t> p(w.rank());
            for (size_t i = 0; i < w.rank(); ++i) {
              p[i] = o[i] * w.s[i] - w.pb[i] + k[i] * w.d[i];
              if (p[i] < 0 || p[i] >= x.shape[i + 2]) return;
            }
            acc += x.v[offset(x.shape, n, c, p)] * wt.v[offset(wt.shape, m, ci, k)];
          });
        }
        y.v.push_back(acc);
      });
    }
  }
  return y;
}

// ConvTranspose, group 1: x [N, C, ...], wt [C, M, k...]; out =
// s*(in-1) + output_padding + extent - pb - pe; y[i*s + k*d - pb] += x[i]*w[k].
inline Tensor64 naive_conv_transpose(const Tensor64& x, const Tensor64& wt,
                                     const std::vector<double>& b, const Window& w,
                                     const std::vector<int64_t>& out_pad) {
  Tensor64 y;
  const int64_t m_count = wt.shape[1];
  y.shape = {x.shape[0], m_count};
  for (size_t i = 0; i < w.rank(); ++i) {
    y.shape.push_back(w.s[i] * (x.shape[i + 2] - 1) + out_pad[i] + w.extent(i) - w.pb[i] -
                      w.pe[i]);
  }
  y.v.assign(static_cast<size_t>(product(y.shape)), 0.0);
  const std::vector<int64_t> in_sp(x.shape.begin() + 2, x.shape.end());
  for (int64_t n = 0; n < x.shape[0]; ++n) {
    for (int64_t m = 0; m < m_count; ++m) {
      for_each_index(std::vector<int64_t>(y.shape.begin() + 2, y.shape.end()),
                     [&](const std::vector<int64_t>& o) {
                       y.v[offset(y.shape, n, m, o)] = b.empty() ? 0.0 : b[m];
                     });
      for (int64_t c = 0; c < x.shape[1]; ++c) {
        for_each_index(in_sp, [&](const std::vector<int64_t>& i_pos) {
          const double xv = x.v[offset(x.shape, n, c, i_pos)];
          for_each_index(w.k, [&](const std::vector<int64_t>& k) {
            std::vector<int64_t> p(w.rank());
            for (size_t i = 0; i < w.rank(); ++i) {
              p[i] = i_pos[i] * w.s[i] + k[i] * w.d[i] - w.pb[i];
              if (p[i] < 0 || p[i] >= y.shape[i + 2]) return;
            }
            y.v[offset(y.shape, n, m, p)] += xv * wt.v[offset(wt.shape, c, m, k)];
          });
        });
      }
    }
  }
  return y;
}

// Deterministic values in [-1, 1) (float-exact, so the importer sees the
// same numbers the reference does).
inline Tensor64 pattern(std::vector<int64_t> shape, uint32_t seed) {
  Tensor64 t;
  t.shape = std::move(shape);
  uint32_t s = seed * 2654435761u + 12345u;
  for (int64_t i = 0; i < product(t.shape); ++i) {
    s = s * 1664525u + 1013904223u;
    t.v.push_back(static_cast<double>(static_cast<float>((s >> 8) % 2048) / 1024.0f - 1.0f));
  }
  return t;
}

// ---- One-node ONNX models.

struct OneNodeModel {
  ::onnx::ModelProto proto;
  ::onnx::NodeProto* node = nullptr;

  OneNodeModel(const std::string& op_type, const std::vector<int64_t>& x_shape,
               const std::vector<int64_t>& y_shape,
               int elem_type = ::onnx::TensorProto::FLOAT, int opset = 13) {
    proto.set_ir_version(7);
    auto* op = proto.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    auto* g = proto.mutable_graph();
    g->set_name("g");
    value(g->add_input(), "x", x_shape, elem_type);
    value(g->add_output(), "y", y_shape, elem_type);
    node = g->add_node();
    node->set_name("the_" + op_type);
    node->set_op_type(op_type);
    node->add_input("x");
    node->add_output("y");
  }
  static void value(::onnx::ValueInfoProto* vi, const std::string& name,
                    const std::vector<int64_t>& shape, int elem_type) {
    vi->set_name(name);
    auto* t = vi->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    for (int64_t d : shape) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  // A float initializer read as node input (in order of calls).
  void add_weight(const std::string& name, const Tensor64& t) {
    auto* init = proto.mutable_graph()->add_initializer();
    init->set_name(name);
    init->set_data_type(::onnx::TensorProto::FLOAT);
    for (int64_t d : t.shape) init->add_dims(d);
    for (double v : t.v) init->add_float_data(static_cast<float>(v));
    node->add_input(name);
  }
  void ints(const std::string& name, const std::vector<int64_t>& v) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (int64_t e : v) a->add_ints(e);
  }
  void integer(const std::string& name, int64_t v) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  // kernel_shape (when `kernel`), strides, dilations, pads of `w`.
  void window(const Window& w, bool kernel) {
    if (kernel) ints("kernel_shape", w.k);
    ints("strides", w.s);
    ints("dilations", w.d);
    std::vector<int64_t> pads = w.pb;
    pads.insert(pads.end(), w.pe.begin(), w.pe.end());
    ints("pads", pads);
  }

  Result<std::shared_ptr<Model>> load() const {
    std::string bytes;
    EXPECT_TRUE(proto.SerializeToString(&bytes));
    return onnx::load_onnx_buffer(reinterpret_cast<const uint8_t*>(bytes.data()),
                                  bytes.size(), "spatial.onnx");
  }
};

// Runs `model` on `backends` with input bytes `x`; returns output 0's
// bytes and shape, and how many nodes of `count_op` the graph holds.
struct RunResult {
  std::vector<uint8_t> bytes;
  Shape shape;
  int counted_nodes = 0;
  std::vector<std::string> node_backends;
};

inline RunResult run_model(const std::shared_ptr<Model>& model,
                           const std::vector<std::string>& backends, const void* x,
                           size_t x_bytes, OpKind count_op = OpKind::kUnknown) {
  RunResult r;
  SessionOptions options;
  options.backends = backends;
  auto created = Session::create(model, options);
  EXPECT_TRUE(created.is_ok()) << created.status().to_string();
  if (!created.is_ok()) return r;
  Session& s = **created;
  EXPECT_EQ(s.input_tensor(0).bytes(), x_bytes);
  std::memcpy(s.input_data(0), x, x_bytes);
  const Status st = s.invoke();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  const Tensor& out = s.output_tensor(0);
  r.shape = out.shape;
  const auto* p = static_cast<const uint8_t*>(s.output_data(0));
  r.bytes.assign(p, p + out.bytes());
  for (const Node& n : s.graph().nodes) r.counted_nodes += n.op == count_op;
  for (int b : s.partition_plan().node_backend) {
    r.node_backends.push_back(b >= 0 ? s.backend_names()[b] : "none");
  }
  return r;
}

// f32 model output against the reference: max |ours - ref| <=
// 1e-5 * (1 + max|ref|).
inline void expect_f32_close(const RunResult& got, const Tensor64& want) {
  ASSERT_EQ(shape_to_string(got.shape), shape_to_string(want.shape));
  ASSERT_EQ(got.bytes.size(), want.v.size() * 4);
  std::vector<float> y(want.v.size());
  std::memcpy(y.data(), got.bytes.data(), got.bytes.size());
  double max_ref = 0, max_err = 0;
  size_t worst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    max_ref = std::max(max_ref, std::abs(want.v[i]));
    const double err = std::abs(y[i] - want.v[i]);
    if (err > max_err) {
      max_err = err;
      worst = i;
    }
  }
  EXPECT_LE(max_err, 1e-5 * (1 + max_ref))
      << "element " << worst << ": " << y[worst] << " vs " << want.v[worst];
}

inline std::vector<float> as_floats(const Tensor64& t) {
  return std::vector<float>(t.v.begin(), t.v.end());
}

}  // namespace opscope::onnx_test

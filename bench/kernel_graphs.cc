#include "bench/kernel_graphs.h"

#include <cstring>
#include <random>
#include <utility>

namespace opscope::bench {
namespace {

// Fills `bytes` (elements of `dtype`) with seeded values: f32 uniform in
// [-1, 1] (the scale of normalized activations and trained weights),
// integers uniform over their type's range.
void fill_random(DType dtype, uint8_t* bytes, size_t count, std::mt19937& rng) {
  switch (dtype) {
    case DType::kF32: {
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (size_t i = 0; i < count; ++i) {
        const float v = dist(rng);
        std::memcpy(bytes + i * sizeof(float), &v, sizeof(float));
      }
      return;
    }
    case DType::kI8: {
      std::uniform_int_distribution<int> dist(-128, 127);
      for (size_t i = 0; i < count; ++i) bytes[i] = static_cast<uint8_t>(dist(rng));
      return;
    }
    case DType::kU8: {
      std::uniform_int_distribution<int> dist(0, 255);
      for (size_t i = 0; i < count; ++i) bytes[i] = static_cast<uint8_t>(dist(rng));
      return;
    }
    default:  // i32/i64/f16/bool operands are never random here: zeros
      std::memset(bytes, 0, count * dtype_size(dtype));
      return;
  }
}

Status stated_values(const InputSpec& in, std::vector<uint8_t>* bytes) {
  const int64_t n = num_elements(in.shape);
  if (static_cast<int64_t>(in.values.size()) != n) {
    return Status(ErrorCode::kInvalidArgument, "constant " + shape_to_string(in.shape) + " given " +
                                                   std::to_string(in.values.size()) + " values");
  }
  bytes->resize(static_cast<size_t>(n) * dtype_size(in.dtype));
  for (int64_t i = 0; i < n; ++i) {
    if (in.dtype == DType::kI32) {
      const int32_t v = static_cast<int32_t>(in.values[i]);
      std::memcpy(bytes->data() + i * sizeof(v), &v, sizeof(v));
    } else if (in.dtype == DType::kI64) {
      const int64_t v = in.values[i];
      std::memcpy(bytes->data() + i * sizeof(v), &v, sizeof(v));
    } else {
      return Status(ErrorCode::kInvalidArgument,
                    "stated values must be i32 or i64, not " + std::string(to_string(in.dtype)));
    }
  }
  return Status::ok();
}

}  // namespace

InputSpec activation(Shape shape, DType dtype, Quantization q) {
  return InputSpec{InputKind::kActivation, std::move(shape), dtype, std::move(q), {}};
}

InputSpec weights(Shape shape, DType dtype, Quantization q) {
  return InputSpec{InputKind::kWeights, std::move(shape), dtype, std::move(q), {}};
}

InputSpec i32_values(Shape shape, std::vector<int64_t> values) {
  return InputSpec{InputKind::kValues, std::move(shape), DType::kI32, {}, std::move(values)};
}

InputSpec absent() { return InputSpec{InputKind::kAbsent, {}, DType::kF32, {}, {}}; }

Result<std::shared_ptr<Model>> build_kernel_model(const KernelSpec& spec) {
  auto model = std::make_shared<Model>();
  Graph& g = model->graph;
  std::mt19937 rng(spec.seed);

  Node node;
  node.op = spec.op;
  node.type_name = std::string(to_string(spec.op));
  node.name = "bench_node";
  node.attrs = spec.attrs;
  node.source_index = 0;

  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    const InputSpec& in = spec.inputs[i];
    if (in.kind == InputKind::kAbsent) {
      node.inputs.push_back(-1);
      continue;
    }
    Tensor t;
    t.name = "input" + std::to_string(i);
    t.dtype = in.dtype;
    t.shape = in.shape;
    t.quantization = in.quantization;
    if (in.kind == InputKind::kActivation) {
      t.role = TensorRole::kInput;
      const int id = g.add_tensor(std::move(t));
      g.inputs.push_back(id);
      node.inputs.push_back(id);
      continue;
    }
    t.role = TensorRole::kConstant;
    std::vector<uint8_t> bytes;
    if (in.kind == InputKind::kValues) {
      Status st = stated_values(in, &bytes);
      if (!st.is_ok()) return st.with_prefix(node.type_name + " input " + std::to_string(i));
    } else {
      bytes.resize(t.bytes());
      fill_random(t.dtype, bytes.data(), static_cast<size_t>(t.elements()), rng);
    }
    t.set_owned_data(std::move(bytes));
    node.inputs.push_back(g.add_tensor(std::move(t)));
  }

  Tensor out;
  out.name = "output";
  out.dtype = spec.output_dtype;
  out.quantization = spec.output_quantization;
  out.role = TensorRole::kOutput;
  const int out_id = g.add_tensor(std::move(out));
  g.outputs.push_back(out_id);
  node.outputs.push_back(out_id);
  g.nodes.push_back(std::move(node));

  model->info.name = "kernel_" + std::string(to_string(spec.op));
  model->info.source_nodes = 1;
  Status st = validate_graph(g);
  if (!st.is_ok()) return st;
  return model;
}

void fill_inputs(Session& session, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int i = 0; i < session.num_inputs(); ++i) {
    const Tensor& t = session.input_tensor(i);
    fill_random(t.dtype, static_cast<uint8_t*>(session.input_data(i)),
                static_cast<size_t>(t.elements()), rng);
  }
}

int64_t node_bytes(const Graph& graph) {
  if (graph.nodes.empty()) return 0;
  const Node& n = graph.nodes[0];
  int64_t bytes = 0;
  for (int id : n.inputs) {
    if (id >= 0) bytes += static_cast<int64_t>(graph.tensors[id].bytes());
  }
  for (int id : n.outputs) bytes += static_cast<int64_t>(graph.tensors[id].bytes());
  return bytes;
}

}  // namespace opscope::bench

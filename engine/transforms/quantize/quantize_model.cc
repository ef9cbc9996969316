// The quantization pipeline (checks, activation fusion, calibration,
// rewrite) and the weights-only variant.
#include "engine/transforms/quantize/quantize_model.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/transforms/quantize/fuse_activations.h"
#include "engine/transforms/quantize/quantize_weights.h"

namespace opscope {

namespace {

bool matches(const Node& node, const std::string& s) {
  return node.name == s || node.type_name == s || to_string(node.op) == s ||
         std::to_string(node.source_index) == s;
}

bool used_as_input(const Graph& graph, int t) {
  for (const Node& n : graph.nodes) {
    for (int id : n.inputs) {
      if (id == t) return true;
    }
  }
  return false;
}

}  // namespace

Status check_float_model(const Graph& graph) {
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    if (graph.nodes[i].op == OpKind::kQuantize) {
      return Status(ErrorCode::kInvalidArgument,
                    "model is already quantized: " + describe_node(graph, i) +
                        " quantizes to int8; quantize its float original instead");
    }
  }
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    const Tensor& x = graph.tensors[t];
    if ((x.dtype == DType::kI8 || x.dtype == DType::kU8) && !x.quantization.empty() &&
        used_as_input(graph, static_cast<int>(t))) {
      return Status(ErrorCode::kInvalidArgument,
                    "model is already quantized: tensor " + std::to_string(t) + " '" + x.name +
                        "' is " + std::string(to_string(x.dtype)) +
                        " with quantization parameters; quantize its float original instead");
    }
  }
  return Status::ok();
}

Result<std::vector<bool>> resolve_skip(const Graph& graph, const std::vector<std::string>& skip) {
  std::vector<bool> skipped(graph.nodes.size(), false);
  for (const std::string& s : skip) {
    bool any = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (matches(graph.nodes[i], s)) {
        skipped[i] = true;
        any = true;
      }
    }
    if (!any) {
      return Status(ErrorCode::kInvalidArgument,
                    "--skip '" + s +
                        "' names no node (by name, source index or op type) of the model");
    }
  }
  return skipped;
}

Result<Graph> quantize_weights_only(const Graph& graph, const QuantizeOptions& options,
                                    const std::vector<bool>& skipped, QuantizeReport& report) {
  Graph out;
  out.tensors = graph.tensors;
  out.inputs = graph.inputs;
  out.outputs = graph.outputs;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node n = graph.nodes[i];
    const bool linear = n.op == OpKind::kConv2D || n.op == OpKind::kDepthwiseConv2D ||
                        n.op == OpKind::kFullyConnected;
    const int w = linear && n.inputs.size() > 1 ? n.inputs[1] : -1;
    if (!linear || skipped[i] || w < 0 || !graph.tensors[w].is_constant() ||
        graph.tensors[w].dtype != DType::kF32) {
      out.nodes.push_back(std::move(n));
      ++report.float_nodes;
      continue;
    }
    const Tensor& x = graph.tensors[w];
    const int axis = options.per_tensor ? -1 : (n.op == OpKind::kDepthwiseConv2D ? 3 : 0);
    const int q = out.add_tensor(quantize_symmetric_int8(x, axis, x.name + "_int8"));
    Tensor f;
    f.name = x.name + "_dequantized";
    f.dtype = DType::kF32;
    f.shape = x.shape;
    const int fid = out.add_tensor(std::move(f));
    Node dq;
    dq.op = OpKind::kDequantize;
    dq.type_name = "DEQUANTIZE";
    dq.name = out.tensors[fid].name;
    dq.inputs = {q};
    dq.outputs = {fid};
    out.nodes.push_back(std::move(dq));
    ++report.inserted_dequantize;
    n.inputs[1] = fid;
    out.nodes.push_back(std::move(n));
    ++report.int8_nodes;
  }
  OPSCOPE_RETURN_IF_ERROR(validate_graph(out).with_prefix("weights-only graph"));
  return out;
}

Result<std::shared_ptr<Model>> quantize_model(std::shared_ptr<const Model> model,
                                              int num_samples,
                                              const FillCalibrationInputs& fill,
                                              const QuantizeOptions& options,
                                              QuantizeReport* report) {
  QuantizeReport local;
  QuantizeReport& rep = report != nullptr ? *report : local;
  rep = QuantizeReport{};
  OPSCOPE_RETURN_IF_ERROR(check_float_model(model->graph));
  // --skip must name something in the model as the user sees it.
  OPSCOPE_RETURN_IF_ERROR(resolve_skip(model->graph, options.skip).status());

  auto fused = std::make_shared<Model>(*model);
  rep.fused_activations = fuse_activations(fused->graph);
  std::vector<bool> skip_flags(fused->graph.nodes.size(), false);
  for (const std::string& s : options.skip) {
    for (size_t i = 0; i < fused->graph.nodes.size(); ++i) {
      if (matches(fused->graph.nodes[i], s)) skip_flags[i] = true;
    }
  }

  Graph quantized;
  if (options.weights_only) {
    OPSCOPE_ASSIGN_OR_RETURN(quantized,
                             quantize_weights_only(fused->graph, options, skip_flags, rep));
  } else {
    OPSCOPE_ASSIGN_OR_RETURN(std::vector<TensorStats> stats,
                             calibrate(fused, num_samples, fill, options));
    rep.calibration_samples = num_samples;
    OPSCOPE_ASSIGN_OR_RETURN(quantized,
                             quantize_graph(fused->graph, stats, options, skip_flags, rep));
  }
  auto out = std::make_shared<Model>();
  out->graph = std::move(quantized);
  out->info = model->info;
  out->info.weight_precision = Precision::kInt8;
  out->storage = model->storage;
  return out;
}

}  // namespace opscope

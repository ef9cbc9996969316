#include "engine/transforms/quantize/calibration.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace opscope {

namespace {

struct Observed {
  int tensor_id;
  int output_index;  // in the calibration session's outputs
};

// The calibration copy: every float activation a node writes becomes a
// graph output too, so its values survive the invoke.
std::shared_ptr<Model> observable_copy(const Model& model, std::vector<Observed>& observed) {
  auto copy = std::make_shared<Model>(model);
  Graph& g = copy->graph;
  std::vector<int> output_index(g.tensors.size(), -1);
  for (size_t k = 0; k < g.outputs.size(); ++k) output_index[g.outputs[k]] = static_cast<int>(k);
  for (const Node& node : g.nodes) {
    for (int id : node.outputs) {
      if (g.tensors[id].dtype != DType::kF32) continue;
      if (output_index[id] < 0) {
        output_index[id] = static_cast<int>(g.outputs.size());
        g.outputs.push_back(id);
        g.tensors[id].role = TensorRole::kOutput;
      }
      observed.push_back({id, output_index[id]});
    }
  }
  for (int id : g.inputs) {
    if (g.tensors[id].dtype == DType::kF32) observed.push_back({id, -1 - id});
  }
  return copy;
}

const float* observed_data(Session& session, const Observed& o) {
  if (o.output_index >= 0) return static_cast<const float*>(session.output_data(o.output_index));
  const int tensor_id = -1 - o.output_index;
  for (int i = 0; i < session.num_inputs(); ++i) {
    if (session.graph().inputs[i] == tensor_id) {
      return static_cast<const float*>(session.input_data(i));
    }
  }
  return nullptr;
}

void observe_range(const float* x, int64_t n, TensorStats& s) {
  for (int64_t k = 0; k < n; ++k) {
    const double v = x[k];
    if (!std::isfinite(v)) {
      ++s.non_finite;
      continue;
    }
    if (!s.seen) {
      s.min = s.max = v;
      s.seen = true;
    } else {
      s.min = std::min(s.min, v);
      s.max = std::max(s.max, v);
    }
    ++s.count;
  }
}

void observe_histogram(const float* x, int64_t n, TensorStats& s) {
  if (s.histogram.empty()) s.histogram.assign(kHistogramBins, 0);
  const double width = s.max - s.min;
  for (int64_t k = 0; k < n; ++k) {
    const double v = x[k];
    if (!std::isfinite(v)) continue;
    int bin = width > 0 ? static_cast<int>((v - s.min) / width * kHistogramBins) : 0;
    bin = std::clamp(bin, 0, kHistogramBins - 1);
    ++s.histogram[bin];
  }
}

}  // namespace

Result<std::vector<TensorStats>> calibrate(std::shared_ptr<const Model> model, int num_samples,
                                           const FillCalibrationInputs& fill,
                                           const QuantizeOptions& options) {
  if (num_samples < 1) {
    return Status(ErrorCode::kInvalidArgument, "calibration needs at least one input sample");
  }
  std::vector<Observed> observed;
  std::shared_ptr<const Model> copy = observable_copy(*model, observed);
  SessionOptions session_options;
  session_options.backends = options.calibration_backends;
  session_options.threads = options.threads;
  auto created = Session::create(copy, session_options);
  if (!created.is_ok()) return created.status().with_prefix("calibration session");
  Session& session = **created;

  std::vector<TensorStats> stats(model->graph.tensors.size());
  const bool histograms = options.method != RangeMethod::kMinMax;
  for (int pass = 0; pass < (histograms ? 2 : 1); ++pass) {
    for (int sample = 0; sample < num_samples; ++sample) {
      OPSCOPE_RETURN_IF_ERROR(fill(sample, session));
      Status run = session.invoke();
      if (!run.is_ok()) return run.with_prefix("calibration sample " + std::to_string(sample));
      for (const Observed& o : observed) {
        const float* x = observed_data(session, o);
        if (x == nullptr) continue;
        const int64_t n = session.graph().tensors[o.tensor_id].elements();
        if (pass == 0) {
          observe_range(x, n, stats[o.tensor_id]);
        } else if (stats[o.tensor_id].seen) {
          observe_histogram(x, n, stats[o.tensor_id]);
        }
      }
    }
  }
  return stats;
}

}  // namespace opscope

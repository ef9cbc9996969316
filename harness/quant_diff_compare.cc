#include "harness/quant_diff_compare.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace opscope::harness {
namespace {

template <typename T>
void dequantize(const T* q, size_t n, const Tensor& t, float* out) {
  const Quantization& z = t.quantization;
  if (!z.per_channel() || z.scales.size() <= 1) {
    const float s = z.scales[0];
    const int64_t zp = z.zero_points.empty() ? 0 : z.zero_points[0];
    for (size_t i = 0; i < n; ++i) out[i] = s * static_cast<float>(q[i] - zp);
    return;
  }
  // Per channel along `axis`: channel = (i / inner) % channels.
  size_t inner = 1;
  for (size_t d = static_cast<size_t>(z.axis) + 1; d < t.shape.size(); ++d) {
    inner *= static_cast<size_t>(t.shape[d]);
  }
  const size_t channels = z.scales.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t c = (i / inner) % channels;
    const int64_t zp = c < z.zero_points.size() ? z.zero_points[c] : 0;
    out[i] = z.scales[c] * static_cast<float>(q[i] - zp);
  }
}

// Float sample bytes into a quantized int8 input: round half away from
// zero, saturate (TFLite's QUANTIZE).
template <typename T>
void quantize(const float* x, size_t n, const Tensor& t, T* out) {
  const float s = t.quantization.scales[0];
  const int64_t zp = t.quantization.zero_points.empty() ? 0 : t.quantization.zero_points[0];
  constexpr double lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (size_t i = 0; i < n; ++i) {
    const double v = std::round(static_cast<double>(x[i]) / s) + static_cast<double>(zp);
    out[i] = static_cast<T>(std::clamp(v, lo, hi));
  }
}

Status fill_inputs(Session& s, const datasets::InputSample& sample, bool float_model) {
  if (static_cast<int>(sample.inputs.size()) != s.num_inputs()) {
    return Status(ErrorCode::kInternal, "sample '" + sample.source + "' has " +
                                            std::to_string(sample.inputs.size()) + " inputs");
  }
  for (int i = 0; i < s.num_inputs(); ++i) {
    const Tensor& t = s.input_tensor(i);
    const std::vector<uint8_t>& bytes = sample.inputs[i];
    const size_t n = static_cast<size_t>(t.elements());
    if (bytes.size() != n * sizeof(float)) {
      return Status(ErrorCode::kInternal, "sample '" + sample.source + "' input " +
                                              std::to_string(i) + " has " +
                                              std::to_string(bytes.size()) + " bytes");
    }
    const float* x = reinterpret_cast<const float*>(bytes.data());
    if (float_model || t.dtype == DType::kF32) {
      std::memcpy(s.input_data(i), x, bytes.size());
    } else if (t.dtype == DType::kI8) {
      quantize(x, n, t, static_cast<int8_t*>(s.input_data(i)));
    } else {
      quantize(x, n, t, static_cast<uint8_t*>(s.input_data(i)));
    }
  }
  return Status::ok();
}

// The values of tensor `id` of `s` as floats: a pointer into the session
// for f32, else dequantized into `scratch`.
const float* values(const Session& s, int id, std::vector<float>& scratch) {
  const Tensor& t = s.graph().tensors[id];
  const void* data = s.tensor_data(id);
  if (t.dtype == DType::kF32) return static_cast<const float*>(data);
  dequantize_into(t, data, scratch);
  return scratch.data();
}

}  // namespace

void dequantize_into(const Tensor& t, const void* data, std::vector<float>& out) {
  const size_t n = static_cast<size_t>(t.elements());
  out.resize(n);
  switch (t.dtype) {
    case DType::kF32: std::memcpy(out.data(), data, n * sizeof(float)); break;
    case DType::kI8: dequantize(static_cast<const int8_t*>(data), n, t, out.data()); break;
    case DType::kU8: dequantize(static_cast<const uint8_t*>(data), n, t, out.data()); break;
    default: std::fill(out.begin(), out.end(), 0.0f); break;
  }
}

double TaskMetrics::value(QuantTask task) const {
  switch (task) {
    case QuantTask::kNone: return 0;
    case QuantTask::kClassify: return top1.agreement();
    case QuantTask::kSegment: return mask.iou();
    case QuantTask::kDetect: return scores.agreement();
    case QuantTask::kLandmarks: return landmarks.rmse();
  }
  return 0;
}

Result<NumericResult> compare_numerics(Session& fs, Session& qs, const OpMatching& matching,
                                       const TaskPlan& task, const datasets::InputSet& inputs) {
  NumericResult r;
  r.ops.resize(matching.pairs.size());
  r.outputs.resize(static_cast<size_t>(fs.num_outputs()));
  r.task.scores.logits = task.logits;
  r.task.landmarks.dims = task.landmark_dims;
  std::vector<float> fbuf, qbuf;
  for (const datasets::InputSample& sample : inputs.samples) {
    OPSCOPE_RETURN_IF_ERROR(fill_inputs(fs, sample, true));
    OPSCOPE_RETURN_IF_ERROR(fill_inputs(qs, sample, false));
    OPSCOPE_RETURN_IF_ERROR(fs.invoke());
    OPSCOPE_RETURN_IF_ERROR(qs.invoke());
    for (size_t k = 0; k < matching.pairs.size(); ++k) {
      const OpPair& p = matching.pairs[k];
      const float* f = values(fs, p.float_tensor, fbuf);
      const float* q = values(qs, p.int8_tensor, qbuf);
      r.ops[k].add(f, q, static_cast<size_t>(fs.graph().tensors[p.float_tensor].elements()));
    }
    for (int o = 0; o < fs.num_outputs(); ++o) {
      const int fid = fs.graph().outputs[o], qid = qs.graph().outputs[o];
      const float* f = values(fs, fid, fbuf);
      const float* q = values(qs, qid, qbuf);
      const size_t n = static_cast<size_t>(fs.graph().tensors[fid].elements());
      r.outputs[o].add(f, q, n);
      if (o != task.output) continue;
      switch (task.task) {
        case QuantTask::kNone: break;
        case QuantTask::kClassify: r.task.top1.add(f, q, n); break;
        case QuantTask::kSegment: r.task.mask.add(f, q, n); break;
        case QuantTask::kDetect: r.task.scores.add(f, q, n); break;
        case QuantTask::kLandmarks: r.task.landmarks.add(f, q, n); break;
      }
    }
    ++r.samples;
  }
  return r;
}

}  // namespace opscope::harness

#include "harness/quantize_file.h"

#include <cstring>
#include <memory>

#include "adapters/formats/tflite/tflite_writer.h"
#include "datasets/calibration_set.h"
#include "harness/exit_codes.h"
#include "harness/model_loader.h"
#include "harness/run_options.h"

namespace opscope::harness {
namespace {

int fail(const Status& s, std::FILE* log) {
  std::fprintf(log, "opscope: error: %s\n", s.message().c_str());
  return exit_code_for(s.code());
}

Result<RangeMethod> parse_method(const std::string& m) {
  if (m == "minmax") return RangeMethod::kMinMax;
  if (m == "percentile") return RangeMethod::kPercentile;
  if (m == "mse") return RangeMethod::kMse;
  return Status(ErrorCode::kInvalidArgument,
                "--method '" + m + "': expected minmax, percentile or mse");
}

Result<datasets::InputSet> calibration_inputs(const QuantizeRequest& r, const Graph& graph) {
  constexpr const char* kRandom = "random:";
  if (r.calibration.rfind(kRandom, 0) == 0) {
    const std::string count = r.calibration.substr(std::strlen(kRandom));
    char* end = nullptr;
    const long n = std::strtol(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || n < 1 || n > 100000) {
      return Status(ErrorCode::kInvalidArgument,
                    "--calibration '" + r.calibration + "': expected random:N with N >= 1");
    }
    return datasets::random_inputs(graph, static_cast<int>(n), r.seed);
  }
  OPSCOPE_ASSIGN_OR_RETURN(datasets::ImageNormalization norm,
                           datasets::parse_image_normalization(r.range, r.mean, r.std));
  return datasets::load_input_folder(r.calibration, graph, norm, r.max_samples);
}

}  // namespace

int run_quantize(const QuantizeRequest& r, std::FILE* log) {
  QuantizeOptions options = r.options;
  auto method = parse_method(r.method);
  if (!method.is_ok()) return fail(method.status(), log);
  options.method = *method;
  options.calibration_backends = split_backend_list(r.backends);

  auto loaded = load_model(r.model);
  if (!loaded.is_ok()) return fail(loaded.status(), log);
  std::shared_ptr<const Model> model = loaded.value();
  // Before reading any image: an int8 model or a bad --skip is the user's
  // first mistake to hear about.
  Status checked = check_float_model(model->graph);
  if (!checked.is_ok()) return fail(checked.with_prefix(r.model), log);
  auto skip = resolve_skip(model->graph, options.skip);
  if (!skip.is_ok()) return fail(skip.status().with_prefix(r.model), log);

  datasets::InputSet inputs;
  if (!options.weights_only) {
    if (r.calibration.empty()) {
      return fail(Status(ErrorCode::kInvalidArgument,
                         "--calibration DIR (or random:N) is needed unless --weights-only"),
                  log);
    }
    auto set = calibration_inputs(r, model->graph);
    if (!set.is_ok()) return fail(set.status(), log);
    inputs = std::move(set).value();
    for (const std::string& w : inputs.warnings) std::fprintf(log, "warning: %s\n", w.c_str());
  }
  const auto fill = [&inputs](int sample, Session& session) -> Status {
    const datasets::InputSample& s = inputs.samples[sample];
    for (int i = 0; i < session.num_inputs(); ++i) {
      std::memcpy(session.input_data(i), s.inputs[i].data(), s.inputs[i].size());
    }
    return Status::ok();
  };
  QuantizeReport report;
  auto quantized = quantize_model(model, static_cast<int>(inputs.samples.size()), fill, options,
                                  &report);
  if (!quantized.is_ok()) return fail(quantized.status().with_prefix(r.model), log);

  tflite::WriteOptions write_options;
  write_options.description = "opscope quantize of " + model->info.name;
  Status written = tflite::write_tflite_file((*quantized)->graph, r.out, write_options);
  if (!written.is_ok()) return fail(written, log);

  for (const std::string& note : report.notes) std::fprintf(log, "  %s\n", note.c_str());
  std::fprintf(log,
               "quantized %s -> %s\n  %s, %d calibration input(s), %d activation(s) fused\n"
               "  %d node(s) int8, %d float; inserted %d QUANTIZE, %d DEQUANTIZE\n",
               r.model.c_str(), r.out.c_str(),
               options.weights_only ? "weights-only" : r.method.c_str(),
               report.calibration_samples, report.fused_activations, report.int8_nodes,
               report.float_nodes, report.inserted_quantize, report.inserted_dequantize);
  return kExitOk;
}

}  // namespace opscope::harness

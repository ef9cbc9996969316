// The ONNX backend node tests shipped in Debian's libonnx-testdata
// (/usr/share/libonnx-testdata/data/node/<test>/model.onnx with
// test_data_set_0/input_N.pb and output_N.pb), run on the reference
// backend. A test is in scope when its opset is one the importer reads
// (7 to 18), its data is what the engine computes with (the first graph
// input FLOAT, UINT8 or INT8, the others also INT64 or INT32 for shapes,
// axes, indices and biases; every output FLOAT, UINT8, INT8 or INT64; INT32
// and INT64 data too for ops that only move elements, kIntegerDataOps) and
// all its ops are claimed (kClaimedOps); such a test must pass:
//   |ours - expected| <= 1e-3 * |expected| + 1e-5 per element (float),
//   exact equality (integers, bool);
// other tests count as unsupported. Prints
//   N passed, N failed, N unsupported
// and fails on any failure. $OPSCOPE_ONNX_TESTDATA overrides the folder;
// with none installed the test skips (unless OPSCOPE_REQUIRE_ORACLE=1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapters/formats/onnx/onnx_files.h"
#include "adapters/formats/onnx/onnx_reader.h"
#include "engine/session.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;

// Ops whose every node test passes. An op goes here only when all tests
// that use it (alone or with other claimed ops) pass, apart from the
// variants named below; docs/onnx.md lists what the importer translates
// but does not claim.
const std::set<std::string> kClaimedOps = {
    "Abs", "Add", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape",
    "Conv", "Div", "Exp", "Flatten", "Gather", "GatherElements", "GatherND", "Gemm",
    "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity",
    "LeakyRelu", "Log", "MatMul", "Max", "Min", "Mul", "Neg", "PRelu", "Pow",
    "ReduceMax", "ReduceMean", "Relu", "Reshape", "Shape", "Sigmoid", "Slice", "Softmax", "Split", "Sqrt",
    "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
    "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul",
    "Pad", "Resize", "Upsample",
    "AveragePool", "MaxPool", "ConvTranspose",
    "BatchNormalization", "Dropout",
    "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
    "Floor", "Ceil", "Round", "Reciprocal", "Sign", "Erf", "Softplus", "Softsign",
    "Elu", "Selu", "Celu", "ThresholdedRelu",
    "ReduceSum", "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2",
    "ReduceLogSum", "ReduceLogSumExp", "LogSoftmax", "Hardmax", "Size",
    "LayerNormalization", "ArgMax", "ArgMin",
    "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Not",
    "IsNaN", "IsInf", "Where", "Sum", "Mean", "Trilu", "Range",
    "DepthToSpace", "SpaceToDepth", "LSTM", "GRU", "RNN",
    "Expand", "Tile", "TopK", "If", "Loop", "Scan", "OneHot",
    // Every node test of these two is DOUBLE, outside the engine's dtypes:
    // they count as unsupported, and onnx_cumsum_onehot_einsum_test runs
    // their cases in FLOAT. Claimed so that any test in scope must pass.
    "CumSum", "Einsum",
};

// Variants of claimed ops outside an inference engine's single-output ops:
// training mode, and the extra outputs that serve training graphs or
// MaxUnpool. Each such test counts as unsupported and is printed with its
// reason. Test-name prefix -> reason.
const std::vector<std::pair<std::string, std::string>> kVariantsNotClaimed = {
    {"test_batchnorm_epsilon_training_mode", "BatchNormalization training_mode"},
    {"test_batchnorm_example_training_mode", "BatchNormalization training_mode"},
    {"test_dropout_default_mask", "Dropout's mask output"},
    {"test_training_dropout", "Dropout training_mode"},
    {"test_maxpool_with_argmax", "MaxPool's Indices output"},
    {"test_loop11", "Slice whose starts are computed at run time (a shape that changes per run)"},
    {"test_scan_sum", "Scan at opset 8 (a batch axis and sequence_lens)"},
};

// The reason `test` is a variant not claimed, or nullptr.
const std::string* variant_not_claimed(const std::string& test) {
  for (const auto& [prefix, reason] : kVariantsNotClaimed) {
    if (test.rfind(prefix, 0) == 0) return &reason;
  }
  return nullptr;
}

// BOOL: the comparison, logical and selection ops' data, compared exactly.
bool is_activation_type(const std::string& t) {
  return t == "FLOAT" || t == "UINT8" || t == "INT8" || t == "BOOL";
}

// The engine's 8-bit integers are quantized reals. Tests with UINT8 or INT8
// data are in scope for the ops that define quantized data, and for
// MaxPool, whose result is the same for any affine quantization; plain
// integer arithmetic (test_add_uint8, test_clip_default_int8_min, ...) is
// outside the engine.
const std::set<std::string> kEightBitOps = {
    "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "MaxPool",
};

bool uses_eight_bit_data(const onnx::ModelSummary& s) {
  for (const auto* types : {&s.input_types, &s.output_types}) {
    for (const std::string& t : *types) {
      if (t == "UINT8" || t == "INT8") return true;
    }
  }
  return false;
}

// Integer data (not only shapes and indices) is exact for ops that only
// move or compare elements: a test whose first input is INT32/INT64, or
// that has an INT32 output, is in scope when all its ops are these
// (test_gathernd_example_int32, test_equal, ...). Integer arithmetic stays
// outside.
const std::set<std::string> kIntegerDataOps = {
    "GatherElements", "GatherND", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual",
    "Where", "Trilu", "Range", "Loop", "OneHot"};

bool is_integer_type(const std::string& t) { return t == "INT64" || t == "INT32"; }

bool uses_integer_data(const onnx::ModelSummary& s) {
  if (!s.input_types.empty() && is_integer_type(s.input_types[0])) return true;
  return std::find(s.output_types.begin(), s.output_types.end(), "INT32") !=
         s.output_types.end();
}

bool in_scope(const onnx::ModelSummary& s) {
  if (s.opset < 7 || s.opset > 18 || s.ops.empty()) return false;
  const bool integer_data = uses_integer_data(s);
  if (!s.input_types.empty() && !is_activation_type(s.input_types[0]) && !integer_data) {
    return false;
  }
  for (const std::string& t : s.input_types) {
    if (!is_activation_type(t) && !is_integer_type(t)) return false;
  }
  for (const std::string& t : s.output_types) {
    if (!is_activation_type(t) && t != "INT64" && !(integer_data && t == "INT32")) {
      return false;
    }
  }
  const bool eight_bit = uses_eight_bit_data(s);
  for (const std::string& op : s.ops) {
    if (!kClaimedOps.count(op)) return false;
    if (eight_bit && !kEightBitOps.count(op)) return false;
    if (integer_data && !kIntegerDataOps.count(op)) return false;
  }
  return true;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The name X in "... input 1 'X' must be a constant ...", or "".
std::string needs_constant(const std::string& message) {
  const size_t at = message.find("' must be a constant");
  if (at == std::string::npos) return "";
  const size_t open = message.rfind('\'', at - 1);
  return open == std::string::npos ? "" : message.substr(open + 1, at - open - 1);
}

// Runs one test directory; "" when it passes, else the reason. The tests
// feed weights, shapes and pads as graph inputs; an input the importer
// needs constant is frozen to its test value and the model loaded again.
std::string run_one(const fs::path& dir) {
  const fs::path data = dir / "test_data_set_0";
  std::vector<onnx::TensorFile> inputs;
  for (int i = 0; fs::exists(data / ("input_" + std::to_string(i) + ".pb")); ++i) {
    auto in = onnx::read_tensor_file((data / ("input_" + std::to_string(i) + ".pb")).string());
    if (!in.is_ok()) return in.status().to_string();
    inputs.push_back(std::move(in).value());
  }
  onnx::LoadOptions load_options;
  std::shared_ptr<Model> model;
  for (size_t attempt = 0; attempt <= inputs.size(); ++attempt) {
    auto loaded = onnx::load_onnx_file((dir / "model.onnx").string(), load_options);
    if (loaded.is_ok()) {
      model = std::move(loaded).value();
      break;
    }
    const std::string name = needs_constant(loaded.status().message());
    auto it = std::find_if(inputs.begin(), inputs.end(),
                           [&](const onnx::TensorFile& f) { return f.name == name; });
    if (!name.empty() && it == inputs.end() && load_options.constant_inputs.size() < inputs.size()) {
      // A value computed from the inputs must be known at load (a Loop's
      // trip count in test_range_*_expanded): freeze them all.
      load_options.constant_inputs.clear();
      for (const onnx::TensorFile& f : inputs) {
        load_options.constant_inputs.push_back({f.name, {f.dtype, f.shape, f.data}});
      }
      continue;
    }
    if (name.empty() || it == inputs.end()) return "load: " + loaded.status().to_string();
    load_options.constant_inputs.push_back({name, {it->dtype, it->shape, it->data}});
  }
  if (model == nullptr) return "load: too many inputs to freeze";
  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(model, options);
  if (!created.is_ok()) return "session: " + created.status().to_string();
  Session& s = **created;
  for (int i = 0; i < s.num_inputs(); ++i) {
    const Tensor& t = s.input_tensor(i);
    auto in = std::find_if(inputs.begin(), inputs.end(),
                           [&](const onnx::TensorFile& f) { return f.name == t.name; });
    if (in == inputs.end()) return "no test data for input '" + t.name + "'";
    if (in->dtype != t.dtype || in->data.size() != t.bytes()) {
      return "input " + std::to_string(i) + " does not fit " + shape_to_string(t.shape);
    }
    if (!in->data.empty()) {  // an empty tensor (test_tril_zero) has no buffer
      std::memcpy(s.input_data(i), in->data.data(), in->data.size());
    }
  }
  const Status st = s.invoke();
  if (!st.is_ok()) return "invoke: " + st.to_string();
  for (int i = 0; i < s.num_outputs(); ++i) {
    auto want = onnx::read_tensor_file((data / ("output_" + std::to_string(i) + ".pb")).string());
    if (!want.is_ok()) return want.status().to_string();
    const Tensor& t = s.output_tensor(i);
    if (want->dtype != t.dtype || num_elements(want->shape) != t.elements()) {
      return "output " + std::to_string(i) + " is " + std::string(to_string(t.dtype)) + " " +
             shape_to_string(t.shape) + ", expected " + std::string(to_string(want->dtype)) +
             " " + shape_to_string(want->shape);
    }
    const auto* got = static_cast<const uint8_t*>(s.output_data(i));
    if (t.dtype != DType::kF32) {
      if (!want->data.empty() && std::memcmp(got, want->data.data(), want->data.size()) != 0) {
        return "output " + std::to_string(i) + " differs";
      }
      continue;
    }
    const auto* a = reinterpret_cast<const float*>(got);
    const auto* b = reinterpret_cast<const float*>(want->data.data());
    for (int64_t k = 0; k < t.elements(); ++k) {
      const bool both_nan = std::isnan(a[k]) && std::isnan(b[k]);
      const bool same_inf = std::isinf(b[k]) && a[k] == b[k];
      if (both_nan || same_inf) continue;
      if (!(std::fabs(a[k] - b[k]) <= 1e-3 * std::fabs(b[k]) + 1e-5)) {
        return "output " + std::to_string(i) + " element " + std::to_string(k) + ": " +
               std::to_string(a[k]) + " vs " + std::to_string(b[k]);
      }
    }
  }
  return "";
}

TEST(OnnxNodeTests, EveryTestOfAClaimedOpPasses) {
  const fs::path root = env_or("OPSCOPE_ONNX_TESTDATA", "/usr/share/libonnx-testdata/data/node");
  if (!fs::is_directory(root)) {
    if (env_or("OPSCOPE_REQUIRE_ORACLE", "0") == "1") FAIL() << "missing " << root;
    GTEST_SKIP() << root << " not installed (Debian libonnx-testdata)";
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root)) {
    if (fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  int passed = 0, failed = 0, unsupported = 0, variants = 0;
  const bool verbose = env_or("OPSCOPE_NODE_TESTS_VERBOSE", "0") == "1";
  for (const fs::path& dir : dirs) {
    auto summary = onnx::summarize_model((dir / "model.onnx").string());
    const std::string* variant = variant_not_claimed(dir.filename().string());
    if (variant != nullptr) {
      ++unsupported;
      ++variants;
      std::printf("  not claimed (%s): %s\n", variant->c_str(),
                  dir.filename().c_str());
      continue;
    }
    const bool claimed = summary.is_ok() && in_scope(*summary);
    if (!claimed && !verbose) {
      ++unsupported;
      continue;
    }
    if (verbose) std::printf("  running %s\n", dir.filename().c_str());
    const std::string why = run_one(dir);
    if (!claimed) {
      ++unsupported;
      if (why.empty()) {
        std::printf("  unclaimed but passes: %s\n", dir.filename().c_str());
      } else {
        std::printf("  unclaimed, fails: %s: %s\n", dir.filename().c_str(), why.c_str());
      }
      continue;
    }
    if (why.empty()) {
      ++passed;
      if (verbose) std::printf("  passed: %s\n", dir.filename().c_str());
    } else {
      ++failed;
      ADD_FAILURE() << dir.filename().string() << ": " << why;
    }
  }
  std::printf("ONNX node tests: %d passed, %d failed, %d unsupported (of %zu; %d of the "
              "unsupported are variants of claimed ops not claimed, listed above)\n",
              passed, failed, unsupported, dirs.size(), variants);
}

}  // namespace
}  // namespace opscope

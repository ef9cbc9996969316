#include "harness/case_plan.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "result/utf8.h"

namespace opscope::harness {
namespace {

using nlohmann::json;

void put_path(json& j, const std::string& key, const std::string& value) {
  if (is_valid_utf8(value)) {
    j[key] = value;
  } else {
    j[key] = escape_invalid_utf8(value);  // readable, for people
    j[key + "_hex"] = to_hex(value);      // exact, for the runner
  }
}

std::string get_path(const json& j, const std::string& key) {
  if (j.contains(key + "_hex")) {
    std::optional<std::string> raw = from_hex(j.at(key + "_hex").get<std::string>());
    if (!raw) throw std::runtime_error(key + "_hex is not hex");
    return *raw;
  }
  return j.value(key, std::string());
}

}  // namespace

std::string to_hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::string> from_hex(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

json plan_to_json(const RunOptions& o) {
  json j;
  j["plan_version"] = kPlanVersion;
  put_path(j, "model", o.model);
  j["backends"] = o.backends;
  CaseConfig config = o.config;
  // Inputs name files ("NAME=FILE.npy"): bytes like the paths.
  std::vector<std::string> inputs_hex;
  bool inputs_raw = false;
  for (std::string& in : config.inputs) {
    inputs_hex.push_back(to_hex(in));
    if (!is_valid_utf8(in)) {
      inputs_raw = true;
      in = escape_invalid_utf8(in);
    }
  }
  ResultDocument as_document;  // CaseConfig's JSON form is the result document's
  as_document.config = config;
  j["config"] = to_json(as_document)["config"];
  if (inputs_raw) j["inputs_hex"] = inputs_hex;
  put_path(j, "save_outputs_dir", o.save_outputs_dir);
  j["no_op_profile"] = o.no_op_profile;
  return j;
}

Result<RunOptions> plan_from_json(const json& j) {
  if (!j.is_object()) return Status(ErrorCode::kInvalidArgument, "the plan is not a JSON object");
  const int version = j.value("plan_version", 0);
  if (version < 1) {
    return Status(ErrorCode::kInvalidArgument, "the plan has no plan_version");
  }
  if (version > kPlanVersion) {
    return Status(ErrorCode::kInvalidArgument,
                  "the plan is version " + std::to_string(version) +
                      ", newer than this runner understands (" + std::to_string(kPlanVersion) +
                      "): update the runner bundle on the device");
  }
  RunOptions o;
  try {
    o.model = get_path(j, "model");
    o.backends = j.value("backends", o.backends);
    // The result document's reader: unknown fields ignored, missing ones default.
    json doc = {{"config", j.value("config", json::object())}};
    std::string why;
    std::optional<ResultDocument> d = parse_result_document(doc, &why);
    if (!d) throw std::runtime_error("config: " + why);
    o.config = d->config;
    if (j.contains("inputs_hex")) {
      o.config.inputs.clear();
      for (const json& h : j.at("inputs_hex")) {
        std::optional<std::string> raw = from_hex(h.get<std::string>());
        if (!raw) throw std::runtime_error("inputs_hex is not hex");
        o.config.inputs.push_back(*raw);
      }
    }
    o.save_outputs_dir = get_path(j, "save_outputs_dir");
    o.no_op_profile = j.value("no_op_profile", false);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidArgument, std::string("malformed plan: ") + e.what());
  }
  if (o.model.empty()) return Status(ErrorCode::kInvalidArgument, "the plan names no model");
  finish_run_options(o);
  return o;
}

Result<RunOptions> load_plan_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status(ErrorCode::kIoError, "cannot read the plan " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status(ErrorCode::kInvalidArgument, "plan " + path + ": not valid JSON");
  }
  auto opts = plan_from_json(j);
  if (!opts.is_ok()) return opts.status().with_prefix("plan " + path);
  return opts;
}

}  // namespace opscope::harness

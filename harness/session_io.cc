#include "harness/session_io.h"

#include <cstring>
#include <filesystem>
#include <map>

#include "datasets/npy.h"
#include "datasets/random_input.h"

namespace opscope::harness {
namespace {

std::string hex64(uint64_t v) {
  static const char* kHex = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = kHex[v & 0xf];
  return s;
}

uint64_t fnv1a64(const uint8_t* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

Status feed_inputs(Session& session, const std::vector<std::string>& specs,
                   uint64_t seed) {
  std::map<int, std::string> files;  // input index -> npy path
  for (const std::string& spec : specs) {
    if (spec.empty() || spec == "random") continue;
    const auto eq = spec.find('=');
    std::string name, path;
    if (eq == std::string::npos) {
      if (session.num_inputs() != 1) {
        return Status(ErrorCode::kInvalidArgument,
                      "--input '" + spec + "': the model has " +
                          std::to_string(session.num_inputs()) +
                          " inputs; write NAME=FILE.npy");
      }
      files[0] = spec;
      continue;
    }
    name = spec.substr(0, eq);
    path = spec.substr(eq + 1);
    int found = -1;
    for (int i = 0; i < session.num_inputs(); ++i) {
      if (session.input_tensor(i).name == name) found = i;
    }
    if (found < 0) {
      std::string names;
      for (int i = 0; i < session.num_inputs(); ++i) {
        names += (i ? ", " : "") + session.input_tensor(i).name;
      }
      return Status(ErrorCode::kInvalidArgument,
                    "--input: the model has no input named '" + name +
                        "' (inputs: " + names + ")");
    }
    files[found] = path;
  }

  for (int i = 0; i < session.num_inputs(); ++i) {
    const Tensor& t = session.input_tensor(i);
    auto it = files.find(i);
    if (it == files.end()) {
      datasets::fill_random(t, seed + static_cast<uint64_t>(i),
                            datasets::default_range(t), session.input_data(i));
      continue;
    }
    OPSCOPE_ASSIGN_OR_RETURN(datasets::NpyArray array,
                             datasets::read_npy(it->second));
    if (array.dtype != t.dtype || array.shape != t.shape) {
      return Status(ErrorCode::kInvalidArgument,
                    it->second + ": holds " + std::string(to_string(array.dtype)) +
                        " " + shape_to_string(array.shape) + ", input '" +
                        t.name + "' needs " + std::string(to_string(t.dtype)) +
                        " " + shape_to_string(t.shape));
    }
    std::memcpy(session.input_data(i), array.data.data(), t.bytes());
  }
  return Status::ok();
}

std::vector<OutputInfo> describe_outputs(const std::vector<OutputArray>& outputs) {
  std::vector<OutputInfo> out;
  for (const OutputArray& a : outputs) {
    OutputInfo o;
    o.name = a.name;
    o.dtype = std::string(to_string(a.dtype));
    o.shape = shape_to_string(a.shape);
    o.checksum = hex64(fnv1a64(static_cast<const uint8_t*>(a.data), a.bytes));
    out.push_back(o);
  }
  return out;
}

Status save_outputs(const std::vector<OutputArray>& outputs, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(ErrorCode::kIoError,
                  dir + ": cannot create directory: " + ec.message());
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const OutputArray& a = outputs[i];
    datasets::NpyArray array;
    array.dtype = a.dtype;
    array.shape = a.shape;
    const auto* p = static_cast<const uint8_t*>(a.data);
    array.data.assign(p, p + a.bytes);
    OPSCOPE_RETURN_IF_ERROR(datasets::write_npy(
        (std::filesystem::path(dir) / ("output_" + std::to_string(i) + ".npy"))
            .string(),
        array));
  }
  return Status::ok();
}

std::vector<OutputArray> session_outputs(const Session& session) {
  std::vector<OutputArray> out;
  for (int i = 0; i < session.num_outputs(); ++i) {
    const Tensor& t = session.output_tensor(i);
    out.push_back({t.name, t.dtype, t.shape, session.output_data(i), t.bytes()});
  }
  return out;
}

std::vector<OutputInfo> describe_outputs(const Session& session) {
  return describe_outputs(session_outputs(session));
}

Status save_outputs(const Session& session, const std::string& dir) {
  return save_outputs(session_outputs(session), dir);
}

}  // namespace opscope::harness

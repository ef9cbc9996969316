#include "datasets/calibration_set.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "datasets/npy.h"
#include "datasets/random_input.h"

namespace opscope::datasets {

namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

Status npy_to_input(const fs::path& path, const Tensor& input, std::vector<uint8_t>& out) {
  OPSCOPE_ASSIGN_OR_RETURN(NpyArray a, read_npy(path));
  Shape unbatched = input.shape;
  if (!unbatched.empty() && unbatched[0] == 1) unbatched.erase(unbatched.begin());
  if (a.dtype != input.dtype || (a.shape != input.shape && a.shape != unbatched)) {
    return Status(ErrorCode::kInvalidArgument,
                  path.string() + ": " + std::string(to_string(a.dtype)) + " " +
                      shape_to_string(a.shape) + " does not fit input '" + input.name + "' (" +
                      std::string(to_string(input.dtype)) + " " +
                      shape_to_string(input.shape) + ")");
  }
  out = std::move(a.data);
  return Status::ok();
}

}  // namespace

Result<InputSet> load_input_folder(const fs::path& dir, const Graph& graph,
                                   const ImageNormalization& norm, int max_samples) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status(ErrorCode::kInvalidArgument, dir.string() + ": not a folder");
  }
  if (graph.inputs.size() != 1) {
    return Status(ErrorCode::kInvalidArgument,
                  dir.string() + ": a folder of inputs needs a model with one input; this one has " +
                      std::to_string(graph.inputs.size()));
  }
  const Tensor& input = graph.tensors[graph.inputs[0]];
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string ext = lower_extension(entry.path());
    if (entry.is_regular_file() &&
        (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".npy")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  InputSet set;
  for (const fs::path& f : files) {
    if (max_samples > 0 && static_cast<int>(set.samples.size()) >= max_samples) break;
    InputSample sample;
    sample.source = f.filename().string();
    sample.inputs.emplace_back();
    Status s;
    if (lower_extension(f) == ".npy") {
      s = npy_to_input(f, input, sample.inputs[0]);
    } else {
      auto image = decode_image(f);
      if (!image.is_ok()) {
        s = image.status();
      } else {
        sample.inputs[0].resize(input.bytes());
        s = image_to_input(*image, input, norm, f.string(),
                           reinterpret_cast<float*>(sample.inputs[0].data()), &set.warnings);
      }
    }
    if (!s.is_ok()) {
      set.warnings.push_back("skipped " + s.message());
      continue;
    }
    set.samples.push_back(std::move(sample));
  }
  if (set.samples.empty()) {
    std::string why = files.empty() ? "it holds no .png, .jpg, .jpeg or .npy file"
                                    : "no file in it could be used";
    for (const std::string& w : set.warnings) why += "\n  " + w;
    return Status(ErrorCode::kInvalidArgument,
                  dir.string() + ": no usable calibration input: " + why);
  }
  return set;
}

InputSet random_inputs(const Graph& graph, int count, uint64_t seed) {
  InputSet set;
  for (int k = 0; k < count; ++k) {
    InputSample sample;
    sample.source = "random #" + std::to_string(k);
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      const Tensor& t = graph.tensors[graph.inputs[i]];
      sample.inputs.emplace_back(t.bytes());
      fill_smooth_random(t, seed + 1000 * k + i, default_range(t), sample.inputs.back().data());
    }
    set.samples.push_back(std::move(sample));
  }
  return set;
}

}  // namespace opscope::datasets

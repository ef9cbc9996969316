#include "datasets/image_input.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace opscope::datasets {

Result<std::vector<float>> parse_float_list(const std::string& text, const std::string& what) {
  std::vector<float> values;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const float v = std::strtof(item.c_str(), &end);
    if (item.empty() || end == item.c_str() || *end != '\0' || !std::isfinite(v)) {
      return Status(ErrorCode::kInvalidArgument,
                    what + " '" + text + "': '" + item + "' is not a number");
    }
    values.push_back(v);
  }
  if (values.empty()) return Status(ErrorCode::kInvalidArgument, what + " is empty");
  return values;
}

Result<ImageNormalization> parse_image_normalization(const std::string& range,
                                                     const std::string& mean,
                                                     const std::string& std) {
  ImageNormalization n;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> lo_hi, parse_float_list(range, "--range"));
  if (lo_hi.size() != 2 || !(lo_hi[0] < lo_hi[1])) {
    return Status(ErrorCode::kInvalidArgument,
                  "--range '" + range + "': expected LO,HI with LO < HI");
  }
  n.lo = lo_hi[0];
  n.hi = lo_hi[1];
  OPSCOPE_ASSIGN_OR_RETURN(n.mean, parse_float_list(mean, "--mean"));
  OPSCOPE_ASSIGN_OR_RETURN(n.std, parse_float_list(std, "--std"));
  for (float s : n.std) {
    if (s == 0) return Status(ErrorCode::kInvalidArgument, "--std '" + std + "' has a zero");
  }
  return n;
}

int channel_axis(const Shape& shape) {
  if (shape.size() != 4) return -1;
  const bool nchw = (shape[1] == 1 || shape[1] == 3) && shape[3] != 1 && shape[3] != 3;
  return nchw ? 1 : 3;
}

std::vector<float> resize_bilinear(const Image& image, int out_h, int out_w) {
  const int c = image.channels;
  std::vector<float> out(static_cast<size_t>(out_h) * out_w * c);
  const double sy = static_cast<double>(image.height) / out_h;
  const double sx = static_cast<double>(image.width) / out_w;
  auto px = [&](int y, int x, int k) {
    return static_cast<float>(image.pixels[(static_cast<size_t>(y) * image.width + x) * c + k]);
  };
  for (int y = 0; y < out_h; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, image.height - 1.0);
    const int y0 = static_cast<int>(fy);
    const int y1 = std::min(y0 + 1, image.height - 1);
    const float wy = static_cast<float>(fy - y0);
    for (int x = 0; x < out_w; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, image.width - 1.0);
      const int x0 = static_cast<int>(fx);
      const int x1 = std::min(x0 + 1, image.width - 1);
      const float wx = static_cast<float>(fx - x0);
      for (int k = 0; k < c; ++k) {
        const float top = px(y0, x0, k) * (1 - wx) + px(y0, x1, k) * wx;
        const float bottom = px(y1, x0, k) * (1 - wx) + px(y1, x1, k) * wx;
        out[(static_cast<size_t>(y) * out_w + x) * c + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

Status image_to_input(const Image& image, const Tensor& input, const ImageNormalization& norm,
                      const std::string& source, float* out,
                      std::vector<std::string>* warnings) {
  const int axis = channel_axis(input.shape);
  if (input.dtype != DType::kF32 || axis < 0 || input.shape[0] != 1) {
    return Status(ErrorCode::kInvalidArgument,
                  source + ": input '" + input.name + "' (" +
                      std::string(to_string(input.dtype)) + " " + shape_to_string(input.shape) +
                      ") is not an f32 image [1,H,W,C] or [1,C,H,W]");
  }
  const int channels = static_cast<int>(input.shape[axis]);
  const int h = static_cast<int>(axis == 3 ? input.shape[1] : input.shape[2]);
  const int w = static_cast<int>(axis == 3 ? input.shape[2] : input.shape[3]);
  const int color = image.channels >= 3 ? 3 : 1;  // alpha never feeds a channel
  if (color != channels && !(color == 1 && channels == 3)) {
    return Status(ErrorCode::kInvalidArgument,
                  source + ": image has " + std::to_string(image.channels) +
                      " channel(s), input '" + input.name + "' takes " +
                      std::to_string(channels));
  }
  if (warnings != nullptr) {
    if (color == 1 && channels == 3) warnings->push_back(source + ": gray image replicated to RGB");
    if (image.channels == 2 || image.channels == 4) {
      warnings->push_back(source + ": alpha channel dropped");
    }
  }
  for (const auto* list : {&norm.mean, &norm.std}) {
    if (list->size() != 1 && static_cast<int>(list->size()) != channels) {
      return Status(ErrorCode::kInvalidArgument,
                    source + ": --mean/--std give " + std::to_string(list->size()) +
                        " values for " + std::to_string(channels) + " channels");
    }
  }
  const std::vector<float> resized = resize_bilinear(image, h, w);
  const float gain = (norm.hi - norm.lo) / 255.0f;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int src_c = color == 1 ? 0 : c;
        const float p = resized[(static_cast<size_t>(y) * w + x) * image.channels + src_c];
        const float m = norm.mean[norm.mean.size() == 1 ? 0 : c];
        const float s = norm.std[norm.std.size() == 1 ? 0 : c];
        const float v = (norm.lo + gain * p - m) / s;
        const size_t at = axis == 3 ? (static_cast<size_t>(y) * w + x) * channels + c
                                    : (static_cast<size_t>(c) * h + y) * w + x;
        out[at] = v;
      }
    }
  }
  return Status::ok();
}

}  // namespace opscope::datasets

// Model inputs from images: resized (bilinear) to the input's height and
// width and normalized per model.
//
// Normalization: a pixel p in [0, 255] first maps linearly to [lo, hi]
// (--range, default 0,1), then per channel v = (v - mean[c]) / std[c]
// (--mean, --std; one value or one per channel; default 0 and 1).
// ImageNet-style models: --range 0,1 --mean 0.485,0.456,0.406
// --std 0.229,0.224,0.225. MediaPipe's: --range 0,1 or --range -1,1.
#pragma once

#include <string>
#include <vector>

#include "datasets/image_decode.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace opscope::datasets {

struct ImageNormalization {
  float lo = 0.0f, hi = 1.0f;
  std::vector<float> mean = {0.0f};
  std::vector<float> std = {1.0f};
};

// Parses "a,b" for --range and "x" or "x,y,z" for --mean/--std.
Result<std::vector<float>> parse_float_list(const std::string& text, const std::string& what);
// The normalization the --range LO,HI, --mean and --std flags describe
// (LO < HI, no zero std); errors name the flag.
Result<ImageNormalization> parse_image_normalization(const std::string& range,
                                                     const std::string& mean,
                                                     const std::string& std);

// Where an input tensor keeps its channels: NHWC (TFLite) unless the shape
// reads as NCHW ([N, 1|3, H, W] with W not 1 or 3). -1 when not an image.
int channel_axis(const Shape& shape);

// Fills `out` (an f32 image input's elements) from `image`. A gray image
// for a 3-channel input is replicated, an alpha channel is dropped; either
// adds a line to `warnings`. Other channel mismatches are
// kInvalidArgument naming `source`.
Status image_to_input(const Image& image, const Tensor& input, const ImageNormalization& norm,
                      const std::string& source, float* out,
                      std::vector<std::string>* warnings);

// Bilinear resize of interleaved 8-bit pixels to float, with half-pixel
// centers (as OpenCV's INTER_LINEAR and TFLite's half_pixel_centers).
std::vector<float> resize_bilinear(const Image& image, int out_h, int out_w);

}  // namespace opscope::datasets

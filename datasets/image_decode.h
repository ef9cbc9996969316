// Decoding PNG (libpng) and JPEG (libjpeg-turbo) files into 8-bit pixels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "engine/status.h"

namespace opscope::datasets {

// Interleaved 8-bit pixels, rows top to bottom: height * width * channels
// bytes. Channels as stored: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (16-bit
// PNGs are reduced to 8 bits).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

// By content (PNG signature or JPEG SOI marker), not by extension. Errors
// name the file: kIoError (cannot read), kInvalidArgument (not a PNG or
// JPEG, corrupt or truncated data, CMYK JPEG). Never aborts: libjpeg's
// fatal errors are caught.
Result<Image> decode_image(const std::filesystem::path& path);

}  // namespace opscope::datasets

// SHA-256 of a file or a byte range (FIPS 180-4), for model identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace opscope::harness {

std::string sha256_hex(const uint8_t* data, size_t size);
// Empty string if the file cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace opscope::harness

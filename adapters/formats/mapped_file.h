// Read-only memory mapping of a whole model file, shared by the TFLite and
// the ONNX readers: the one place where a model path is checked before any
// byte of it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/status.h"

namespace opscope::formats {

// A file mapped read-only into memory. The mapping lives as long as the
// last shared_ptr to it, so tensors whose constant data points into the
// file stay valid while a Model holds the pointer in Model::storage.
// The same refusal without opening or reading: ok for a regular file and for
// a path that does not exist (the reader then says why it cannot open it);
// kIoError naming the path and what it is for a directory, FIFO, socket or
// device. What the host checks before it starts a runner on a model.
Status check_regular_file(const std::string& path);

class MappedFile {
 public:
  // Maps `path`. Fails with kIoError (message names the path and the
  // system's reason) if it cannot be opened, is not a regular file (a
  // directory, FIFO, socket or device is refused before any byte is read,
  // and opening a FIFO does not wait for a writer) or cannot be mapped.
  // An empty file maps to data() == nullptr, size() == 0.
  static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace opscope::formats

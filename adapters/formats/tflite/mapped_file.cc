#include "adapters/formats/tflite/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opscope::tflite {

namespace {

Status io_error(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kIoError, path + ": " + what);
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::open(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path, "cannot open: " + errno_text());

  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const std::string reason = errno_text();
    ::close(fd);
    return io_error(path, "cannot stat: " + reason);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error(path, "not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return std::shared_ptr<const MappedFile>(new MappedFile(nullptr, 0));
  }
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const std::string reason = addr == MAP_FAILED ? errno_text() : "";
  // The mapping keeps the file's pages reachable; the descriptor is no
  // longer needed.
  ::close(fd);
  if (addr == MAP_FAILED) return io_error(path, "cannot map: " + reason);
  return std::shared_ptr<const MappedFile>(
      new MappedFile(static_cast<const uint8_t*>(addr), size));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) {
    ::munmap(const_cast<uint8_t*>(data_), size_);
  }
}

}  // namespace opscope::tflite

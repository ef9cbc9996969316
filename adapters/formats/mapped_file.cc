#include "adapters/formats/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opscope::formats {

namespace {

Status io_error(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kIoError, path + ": " + what);
}

std::string errno_text() { return std::strerror(errno); }

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

// A FIFO with no writer would block a read forever, a device may never end.
Status not_regular(const std::string& path, mode_t mode) {
  return io_error(path, std::string("not a regular file (") + file_kind(mode) +
                            "); give a .tflite or .onnx file");
}

}  // namespace

Status check_regular_file(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) {
    return Status::ok();
  }
  return not_regular(path, st.st_mode);
}

Result<std::shared_ptr<const MappedFile>> MappedFile::open(
    const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer; it is refused below like every file that is not regular.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return io_error(path, "cannot open: " + errno_text());

  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const std::string reason = errno_text();
    ::close(fd);
    return io_error(path, "cannot stat: " + reason);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return not_regular(path, st.st_mode);
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

}  // namespace opscope::formats

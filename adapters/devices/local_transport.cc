#include "adapters/devices/local_transport.h"

#include <filesystem>
#include <system_error>

namespace opscope::devices {
namespace {

namespace fs = std::filesystem;

class LocalTransport : public Transport {
 public:
  std::string kind() const override { return "local"; }
  std::string describe() const override { return "local"; }
  std::string workdir() const override { return fs::temp_directory_path().string(); }
  bool shares_filesystem() const override { return true; }

  Result<CommandResult> run(const std::string& command,
                            const CommandOptions& options) override {
    CommandResult r;
    OPSCOPE_ASSIGN_OR_RETURN(
        r.process, run_local_captured("/bin/sh", {"-c", command}, options.limits, &r.out,
                                      options.capture_stderr ? &r.err : nullptr));
    return r;
  }
  Status push(const std::string& local, const std::string& remote) override {
    return copy(local, remote);
  }
  Status pull(const std::string& remote, const std::string& local) override {
    return copy(remote, local);
  }

 private:
  static Status copy(const std::string& from, const std::string& to) {
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return Status(ErrorCode::kDeviceIo,
                    "local: cannot copy " + from + " to " + to + ": " + ec.message());
    }
    return Status::ok();
  }
};

class QemuTransport : public LocalTransport {
 public:
  explicit QemuTransport(std::string arch) : arch_(std::move(arch)) {}
  std::string kind() const override { return "qemu"; }
  std::string describe() const override { return "qemu:" + arch_; }
  std::vector<std::string> exec_prefix() const override { return {"qemu-" + arch_}; }
  bool emulated() const override { return true; }
  std::string forced_arch() const override { return arch_; }

 private:
  std::string arch_;
};

}  // namespace

std::unique_ptr<Transport> make_local_transport() { return std::make_unique<LocalTransport>(); }

std::unique_ptr<Transport> make_qemu_transport(const std::string& arch) {
  return std::make_unique<QemuTransport>(arch);
}

}  // namespace opscope::devices

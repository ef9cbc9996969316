#include "adapters/devices/ssh_transport.h"

// Placeholder until the ssh transport lands: every call fails clearly.
namespace opscope::devices {
namespace {

class Unbuiltssh : public Transport {
 public:
  std::string kind() const override { return "ssh"; }
  std::string describe() const override { return "ssh"; }
  std::string workdir() const override { return ""; }
  Result<CommandResult> run(const std::string&, const CommandOptions&) override { return fail(); }
  Status push(const std::string&, const std::string&) override { return fail(); }
  Status pull(const std::string&, const std::string&) override { return fail(); }

 private:
  static Status fail() { return Status(ErrorCode::kDeviceUnreachable, "ssh: not built yet"); }
};

}  // namespace

std::unique_ptr<Transport> make_ssh_transport(const SshTarget&, const std::string&,
                                              const std::string&) {
  return std::make_unique<Unbuiltssh>();
}

}  // namespace opscope::devices

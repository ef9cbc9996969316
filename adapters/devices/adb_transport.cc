#include "adapters/devices/adb_transport.h"

// Placeholder until the adb transport lands: every call fails clearly.
namespace opscope::devices {
namespace {

class Unbuiltadb : public Transport {
 public:
  std::string kind() const override { return "adb"; }
  std::string describe() const override { return "adb"; }
  std::string workdir() const override { return ""; }
  Result<CommandResult> run(const std::string&, const CommandOptions&) override { return fail(); }
  Status push(const std::string&, const std::string&) override { return fail(); }
  Status pull(const std::string&, const std::string&) override { return fail(); }

 private:
  static Status fail() { return Status(ErrorCode::kDeviceUnreachable, "adb: not built yet"); }
};

}  // namespace

std::unique_ptr<Transport> make_adb_transport(const std::string&, const std::string&) {
  return std::make_unique<Unbuiltadb>();
}

}  // namespace opscope::devices

#include "adapters/devices/device_spec.h"

#include <cctype>

#include "adapters/devices/adb_transport.h"
#include "adapters/devices/local_transport.h"
#include "adapters/devices/ssh_transport.h"

namespace opscope::devices {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Host names, users and serials reach a command line as single words.
bool plain_word(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' ||
          c == ']')) {
      return false;
    }
  }
  return s[0] != '-';  // never an option to ssh or adb
}

}  // namespace

Status check_device_name(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return Status(ErrorCode::kInvalidArgument, "device name must be 1 to 64 characters");
  }
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_')) {
      return Status(ErrorCode::kInvalidArgument,
                    "device name '" + name + "': use letters, digits, '.', '-' and '_'");
    }
  }
  if (name[0] == '-' || name[0] == '.') {
    return Status(ErrorCode::kInvalidArgument,
                  "device name '" + name + "' must start with a letter or digit");
  }
  return Status::ok();
}

std::string uri_kind(const std::string& uri) {
  if (uri == "local") return "local";
  if (starts_with(uri, "ssh://")) return "ssh";
  if (starts_with(uri, "adb:")) return "adb";
  if (starts_with(uri, "qemu:")) return "qemu";
  return "";
}

Result<SshTarget> parse_ssh_uri(const std::string& uri) {
  auto bad = [&](const std::string& why) {
    return Status(ErrorCode::kInvalidArgument, "device URI '" + uri + "': " + why);
  };
  if (!starts_with(uri, "ssh://")) return bad("not ssh://[user@]host[:port]");
  std::string rest = uri.substr(6);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  SshTarget t;
  if (const size_t at = rest.rfind('@'); at != std::string::npos) {
    t.user = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (!plain_word(t.user)) return bad("the user name '" + t.user + "' is not a plain word");
  }
  // [v6::addr]:port or host:port
  std::string port;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return bad("unclosed '[' in the host");
    t.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad("junk after ']'");
      port = rest.substr(close + 2);
    }
  } else if (const size_t colon = rest.find(':'); colon != std::string::npos) {
    t.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    t.host = rest;
  }
  if (!plain_word(t.host)) return bad("no host, or a host that is not a plain name");
  if (!port.empty()) {
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad("port '" + port + "' is not a number");
    }
    if (port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return bad("port " + port + " is out of range");
    }
    t.port = std::stoi(port);
  }
  return t;
}

Status check_device_uri(const std::string& uri) {
  const std::string kind = uri_kind(uri);
  if (kind == "local") return Status::ok();
  if (kind == "ssh") return parse_ssh_uri(uri).status();
  if (kind == "adb") {
    const std::string serial = uri.substr(4);
    if (!serial.empty() && !plain_word(serial)) {
      return Status(ErrorCode::kInvalidArgument,
                    "device URI '" + uri + "': the serial is not a plain word");
    }
    return Status::ok();
  }
  if (kind == "qemu") {
    if (uri != "qemu:aarch64") {
      return Status(ErrorCode::kInvalidArgument,
                    "device URI '" + uri + "': qemu runs qemu:aarch64 only");
    }
    return Status::ok();
  }
  return Status(ErrorCode::kInvalidArgument,
                "device URI '" + uri +
                    "': expected ssh://[user@]host[:port], adb:[SERIAL] or qemu:aarch64");
}

Result<std::unique_ptr<Transport>> open_transport(const DeviceSpec& spec) {
  OPSCOPE_RETURN_IF_ERROR(check_device_uri(spec.uri));
  const std::string kind = uri_kind(spec.uri);
  if (kind == "local") return make_local_transport();
  if (kind == "qemu") return make_qemu_transport(spec.uri.substr(5));
  if (kind == "adb") return make_adb_transport(spec.uri.substr(4), spec.workdir);
  OPSCOPE_ASSIGN_OR_RETURN(SshTarget t, parse_ssh_uri(spec.uri));
  return make_ssh_transport(t, spec.identity, spec.workdir);
}

}  // namespace opscope::devices

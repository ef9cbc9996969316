#include "harness/device_case.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/devices/device_registry.h"
#include "adapters/devices/local_process.h"
#include "harness/case_plan.h"
#include "harness/exit_codes.h"
#include "harness/sha256.h"
#include "result/utf8.h"

namespace opscope::harness {
namespace {

namespace fs = std::filesystem;
using devices::shell_quote;

// A document for a case the device could not run, from a Status naming the
// device and the step.
CaseOutcome device_failure(const DeviceSession& d, const RunOptions& opts, const Status& st) {
  CaseOutcome out;
  out.document = failure_document(opts, std::string(to_string(st.code())), st.message());
  out.document["device"]["id"] = d.spec.name;
  out.document["device"]["kind"] = d.transport ? d.transport->kind() : "";
  out.exit_code = exit_code_for(st.code());
  out.doc = parse_result_document(out.document).value_or(ResultDocument{});
  return out;
}

std::string random_id() {
  std::random_device rd;
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%08x%04x", rd(), rd() & 0xffff);
  return buf;
}

// The extension a loader may look at, kept on the device's copy.
std::string model_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  for (const char* known : {".tflite", ".onnx", ".ptl", ".pt", ".npy"}) {
    if (ext == known) return ext;
  }
  return "";
}

struct Bundle {
  std::string dir;  // on this machine
  std::string id;   // sha256 over its files
  std::string loader, runner, library_path;
  std::vector<std::string> files;
};

Result<Bundle> read_bundle(const std::string& dir) {
  Bundle b;
  b.dir = dir;
  std::ifstream f(fs::path(dir) / "bundle.json");
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    const nlohmann::json j = nlohmann::json::parse(ss.str());
    b.loader = j.at("loader").get<std::string>();
    b.runner = j.at("runner").get<std::string>();
    b.library_path = j.value("library_path", "lib");
    b.files = j.at("files").get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kNoBundle,
                  "the runner bundle in " + dir + " has no readable bundle.json: " + e.what());
  }
  std::string all;
  for (const std::string& name : b.files) {
    if (name.find("..") != std::string::npos || name.empty() || name[0] == '/') {
      return Status(ErrorCode::kNoBundle, "bundle " + dir + ": bad file name " + name);
    }
    const std::string sum = sha256_file_hex((fs::path(dir) / name).string());
    if (sum.empty()) return Status(ErrorCode::kNoBundle, "bundle " + dir + ": cannot read " + name);
    all += name + '\0' + sum + '\n';
  }
  b.id = sha256_hex(reinterpret_cast<const uint8_t*>(all.data()), all.size()).substr(0, 20);
  return b;
}

Result<devices::CommandResult> run_quiet(DeviceSession& d, const std::string& command,
                                         const std::string& step, double timeout = 120) {
  devices::CommandOptions o;
  o.limits.timeout_secs = timeout;
  o.limits.cancel = interrupt_flag();
  o.capture_stderr = true;
  auto r = d.transport->run(command, o);
  if (!r.is_ok()) return r.status().with_prefix(d.spec.name + ": " + step);
  if (r->process.timed_out || r->process.signaled || r->process.exit_code != 0) {
    std::string why = r->err;
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    if (r->process.timed_out) why = "timed out";
    return Status(ErrorCode::kDeviceIo, d.spec.name + " (" + d.transport->describe() + "): " +
                                            step + " failed" + (why.empty() ? "" : ": " + why));
  }
  return r;
}

// Which of `paths` exist on the device (one round trip).
Result<std::set<std::string>> existing(DeviceSession& d, const std::vector<std::string>& paths) {
  std::string cmd = "for f in";
  for (const std::string& p : paths) cmd += " " + shell_quote(p);
  cmd += "; do [ -f \"$f\" ] && echo \"$f\"; done; true";
  OPSCOPE_ASSIGN_OR_RETURN(devices::CommandResult r, run_quiet(d, cmd, "look for cached files"));
  std::set<std::string> found;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) found.insert(line);
  return found;
}

Status push_file(DeviceSession& d, const std::string& local, const std::string& remote) {
  const int64_t before = d.transport->bytes_pushed();
  Status st = d.transport->push(local, remote);
  if (!st.is_ok()) return st.with_prefix(d.spec.name + ": push " + local);
  if (d.verbose) {
    std::fprintf(stderr, "opscope: %s: pushed %s -> %s (%lld bytes)\n", d.spec.name.c_str(),
                 local.c_str(), remote.c_str(),
                 static_cast<long long>(d.transport->bytes_pushed() - before));
  }
  return Status::ok();
}

// Pushes `local` files to their device paths unless cached there (by
// name, which holds their sha256). Each goes to PATH.part and is renamed
// when whole, so an interrupted push never poisons the cache. Returns the
// device paths it pushed.
using Pushes = std::vector<std::pair<std::string, std::string>>;  // (local, device path)
Result<std::vector<std::string>> push_cached(DeviceSession& d, const Pushes& files) {
  std::vector<std::string> wanted;
  for (const auto& [local, remote] : files) {
    if (d.no_cache || !d.present.count(remote)) wanted.push_back(remote);
  }
  if (wanted.empty()) return std::vector<std::string>{};
  std::set<std::string> there;
  if (!d.no_cache) {
    OPSCOPE_ASSIGN_OR_RETURN(there, existing(d, wanted));
  }
  std::string dirs = "mkdir -p", renames;
  std::vector<std::pair<std::string, std::string>> todo;
  for (const auto& [local, remote] : files) {
    if (std::find(wanted.begin(), wanted.end(), remote) == wanted.end()) continue;
    if (there.count(remote)) {
      d.present.insert(remote);
      continue;
    }
    todo.push_back({local, remote});
    dirs += " " + shell_quote(fs::path(remote).parent_path().string());
    renames += (renames.empty() ? "" : " && ") + std::string("mv -f ") +
               shell_quote(remote + ".part") + " " + shell_quote(remote);
  }
  std::vector<std::string> pushed;
  if (todo.empty()) return pushed;
  OPSCOPE_RETURN_IF_ERROR(run_quiet(d, dirs, "make the cache folders").status());
  for (const auto& [local, remote] : todo) {
    Status st = push_file(d, local, remote + ".part");
    if (!st.is_ok()) {
      (void)run_quiet(d, "rm -f " + shell_quote(remote + ".part"), "clean up");
      return st;
    }
  }
  OPSCOPE_RETURN_IF_ERROR(run_quiet(d, renames, "store the pushed files").status());
  for (const auto& [local, remote] : todo) {
    d.present.insert(remote);
    pushed.push_back(remote);
  }
  return pushed;
}

std::string cache_dir(const DeviceSession& d) {
  std::string w = d.transport->workdir();
  if (w.empty()) w = ".";
  return w + "/cache";
}

// Finds and remembers the bundle for the device's arch; adds its files to
// `pushes` (push_cached leaves out what the device has).
Status ensure_bundle(DeviceSession& d, Pushes& pushes) {
  if (!d.bundle_on_device.empty() && !d.no_cache) return Status::ok();
  OPSCOPE_ASSIGN_OR_RETURN(const std::string dir, bundle_for_device(d));
  OPSCOPE_ASSIGN_OR_RETURN(Bundle b, read_bundle(dir));
  d.loader = b.loader;
  d.runner = b.runner;
  if (d.transport->shares_filesystem()) {
    d.bundle_on_device = fs::absolute(dir).string();
    return Status::ok();
  }
  d.bundle_on_device = cache_dir(d) + "/bundles/" + b.id;
  for (const std::string& name : b.files) {
    pushes.push_back({(fs::path(dir) / name).string(), d.bundle_on_device + "/" + name});
  }
  return Status::ok();
}

// Pushes what the device lacks of the bundle and the case's files in one
// go (one round trip to ask what is there; none when this process already
// knows), and makes a freshly pushed runner executable.
Status push_case(DeviceSession& d, const Pushes& pushes) {
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<std::string> pushed, push_cached(d, pushes));
  const std::string bundle = d.bundle_on_device + "/";
  if (std::none_of(pushed.begin(), pushed.end(),
                   [&](const std::string& p) { return p.rfind(bundle, 0) == 0; })) {
    return Status::ok();
  }
  return run_quiet(d, "chmod 755 " + shell_quote(bundle + d.loader) + " " +
                          shell_quote(bundle + d.runner),
                   "make the runner executable")
      .status();
}

// The device path of a local file in the cache, and its push.
Result<std::string> place_file(DeviceSession& d, const std::string& local, const char* kind,
                               std::vector<std::pair<std::string, std::string>>& pushes) {
  if (d.transport->shares_filesystem()) return fs::absolute(local).string();
  const std::string sum = sha256_file_hex(local);
  if (sum.empty()) return Status(ErrorCode::kIoError, "cannot read " + local);
  const std::string remote = cache_dir(d) + "/" + kind + "/" + sum + model_extension(local);
  pushes.push_back({local, remote});
  return remote;
}

// Rewrites the plan's files to their device paths, adding them to `pushes`.
Status place_case_files(DeviceSession& d, RunOptions& plan, Pushes& pushes) {
  OPSCOPE_ASSIGN_OR_RETURN(plan.model, place_file(d, plan.model, "models", pushes));
  for (std::string& in : plan.config.inputs) {
    std::string name, file = in;
    if (const size_t eq = in.find('='); eq != std::string::npos && !fs::exists(in)) {
      name = in.substr(0, eq + 1);
      file = in.substr(eq + 1);
    }
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) continue;  // the runner reports it
    OPSCOPE_ASSIGN_OR_RETURN(std::string remote, place_file(d, file, "inputs", pushes));
    in = name + remote;
  }
  return Status::ok();
}

Status pull_outputs(DeviceSession& d, const std::string& remote_dir, const std::string& local_dir) {
  OPSCOPE_ASSIGN_OR_RETURN(devices::CommandResult r,
                           run_quiet(d, "ls " + shell_quote(remote_dir), "list the saved outputs"));
  std::error_code ec;
  fs::create_directories(local_dir, ec);
  std::istringstream in(r.out);
  std::string name;
  while (std::getline(in, name)) {
    if (name.empty()) continue;
    Status st = d.transport->pull(remote_dir + "/" + name, (fs::path(local_dir) / name).string());
    if (!st.is_ok()) return st.with_prefix(d.spec.name + ": pull the saved outputs");
  }
  return Status::ok();
}

}  // namespace

DeviceSession::~DeviceSession() {
  if (!scratch.empty()) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
}

Result<std::unique_ptr<DeviceSession>> open_device_session(const std::string& name,
                                                           const std::string& devices_file) {
  const std::string file = devices_file.empty() ? devices::default_devices_file() : devices_file;
  OPSCOPE_ASSIGN_OR_RETURN(devices::DeviceRegistry registry, devices::load_devices(file));
  OPSCOPE_ASSIGN_OR_RETURN(devices::DeviceSpec spec, devices::find_device(registry, name, file));
  auto d = std::make_unique<DeviceSession>();
  d->spec = spec;
  OPSCOPE_ASSIGN_OR_RETURN(d->transport, devices::open_transport(spec));
  return d;
}

Result<devices::DeviceProbe> probe_session(DeviceSession& d) {
  if (d.probe) return *d.probe;
  auto p = devices::probe_device(*d.transport);
  if (!p.is_ok()) return p.status().with_prefix(d.spec.name + ": probe");
  d.probe = *p;
  return *p;
}

std::string bundle_root() {
  if (const char* env = std::getenv("OPSCOPE_BUNDLE_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("bundles") : (self.parent_path() / "bundles").string();
}

Result<std::string> bundle_for_device(DeviceSession& d) {
  OPSCOPE_ASSIGN_OR_RETURN(devices::DeviceProbe probe, probe_session(d));
  const std::string dir = find_bundle(probe.info.arch);
  if (dir.empty()) {
    return Status(ErrorCode::kNoBundle,
                  d.spec.name + ": the device is " + probe.info.arch +
                      " and there is no runner bundle for it (looked in " + bundle_root() + "/" +
                      probe.info.arch + "; docs/bundles.md says how to build one)");
  }
  return dir;
}

std::string find_bundle(const std::string& arch) {
  std::error_code ec;
  const fs::path dir = fs::path(bundle_root()) / arch;
  return fs::is_regular_file(dir / "bundle.json", ec) ? dir.string() : "";
}

Status resolve_cluster_cpus(DeviceSession& d, RunOptions& opts) {
  const std::string& cpus = opts.config.cpus;
  if (cpus.empty() || std::isdigit(static_cast<unsigned char>(cpus[0]))) return Status::ok();
  OPSCOPE_ASSIGN_OR_RETURN(devices::DeviceProbe probe, probe_session(d));
  OPSCOPE_ASSIGN_OR_RETURN(opts.config.cpus, devices::resolve_cpu_names(cpus, probe.info.clusters));
  return Status::ok();
}

CaseOutcome run_case_on_device(DeviceSession& d, const RunOptions& opts,
                               const CaseProcessOptions& options) {
  RunOptions plan = opts;
  if (Status st = resolve_cluster_cpus(d, plan); !st.is_ok()) {
    return device_failure(d, opts, st.with_prefix(d.spec.name));
  }
  if (d.is_local()) {
    auto local = run_case_process(plan, options);
    if (!local.is_ok()) return device_failure(d, opts, local.status());
    return std::move(*local);
  }
  Pushes pushes;
  Status st = ensure_bundle(d, pushes);
  if (st.is_ok()) st = place_case_files(d, plan, pushes);
  if (st.is_ok()) st = push_case(d, pushes);
  if (!st.is_ok()) return device_failure(d, opts, st);
  const std::string id = random_id();
  std::string work;
  if (d.transport->shares_filesystem()) {
    if (d.scratch.empty()) {
      char tmpl[] = "/tmp/opscope-device-XXXXXX";
      if (!mkdtemp(tmpl)) {
        return device_failure(d, opts, Status(ErrorCode::kIoError, "cannot make a folder in /tmp"));
      }
      d.scratch = tmpl;
    }
    work = d.scratch;
  } else {
    work = d.transport->workdir().empty() ? "." : d.transport->workdir();
  }
  const std::string plan_file = work + "/plans/" + id + ".json";
  const std::string outputs = work + "/outputs/" + id;
  const bool save = !opts.save_outputs_dir.empty();
  if (save) plan.save_outputs_dir = d.transport->shares_filesystem() ? opts.save_outputs_dir : outputs;
  plan.json_path.clear();

  std::string cmd = "mkdir -p " + shell_quote(work + "/plans") + " && printf '%s' " +
                    shell_quote(plan_to_json(plan).dump()) + " > " + shell_quote(plan_file) +
                    " && ";
  for (const std::string& w : d.transport->exec_prefix()) cmd += w + " ";
  const std::string b = d.bundle_on_device + "/";
  cmd += shell_quote(b + d.loader) + " --library-path " + shell_quote(b + "lib") + " " +
         shell_quote(b + d.runner) + " --plan " + shell_quote(plan_file) +
         " --json -" + (d.transport->forwards_stdin() ? " --exit-on-stdin-eof" : "") +
         (options.progress ? " --progress" : "") +
         "; rc=$?; rm -f " + shell_quote(plan_file) + "; exit $rc";
  devices::CommandOptions o;
  o.limits.timeout_secs = options.timeout_secs;
  o.limits.cancel = interrupt_flag();
  auto ran = d.transport->run(cmd, o);
  if (!ran.is_ok()) return device_failure(d, opts, ran.status().with_prefix(d.spec.name + ": run"));
  const devices::ProcessOutcome& p = ran->process;
  CaseOutcome out;
  if (p.cancelled || interrupt_signal() != 0) {
    out = device_failure(d, opts, Status(ErrorCode::kInternal, "interrupted"));
    out.document["error"] = {{"code", "interrupted"},
                             {"message", "interrupted by signal " +
                                             std::to_string(interrupt_signal()) + " on " +
                                             d.spec.name}};
    out.interrupted = true;
    out.exit_code = kExitInterrupted;
    return out;
  }
  if (p.timed_out) {
    char msg[200];
    std::snprintf(msg, sizeof(msg), "%s: the runner was killed after %.1f s (time limit %.1f s)",
                  d.spec.name.c_str(), p.wall_secs, options.timeout_secs);
    out = device_failure(d, opts, Status(ErrorCode::kInternal, msg));
    out.document["error"]["code"] = "timeout";
    out.doc.error.code = "timeout";
    out.exit_code = kExitTimeout;
    return out;
  }
  std::string why;
  std::optional<ResultDocument> doc = parse_result_document_text(ran->out, &out.document, &why);
  if (!doc) {
    const int rc = p.signaled ? 128 + p.signal : p.exit_code;
    std::string msg = d.spec.name + ": the runner exited with " + std::to_string(rc);
    if (rc > 128 && rc < 160) msg = d.spec.name + ": the runner crashed (signal " + std::to_string(rc - 128) + ")";
    out = device_failure(d, opts, Status(ErrorCode::kInternal, msg + " and wrote no readable result (" + why + ") on " + opts.model));
    out.document["error"]["code"] = "runner_crashed";
    out.doc.error.code = "runner_crashed";
    out.exit_code = rc != 0 && rc <= 128 ? rc : kExitRunnerCrashed;
    return out;
  }
  // The document speaks of the device's copy of the model: name the user's.
  nlohmann::json& j = out.document;
  j["device"]["id"] = d.spec.name;
  j["device"]["kind"] = d.transport->kind();
  j["device"]["emulated"] = d.transport->emulated();
  j["model"]["path"] = opts.model;
  j["model"]["name"] = fs::path(opts.model).filename().string();
  escape_invalid_utf8(j);
  out.doc = parse_result_document(j).value_or(*doc);
  out.exit_code = p.exit_code;
  if (save && !d.transport->shares_filesystem() && out.doc.status == "ok") {
    Status st = pull_outputs(d, outputs, opts.save_outputs_dir);
    (void)run_quiet(d, "rm -rf " + shell_quote(outputs), "clean up");
    if (!st.is_ok()) return device_failure(d, opts, st);
  }
  return out;
}

}  // namespace opscope::harness

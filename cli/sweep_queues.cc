#include "cli/sweep_queues.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "adapters/devices/probe.h"

namespace opscope::cli {

using namespace harness;  // NOLINT(build/namespaces)

namespace {

using Clock = std::chrono::steady_clock;

struct QueueProgress {
  size_t done = 0, total = 0;
  double busy_secs = 0;  // wall time of its finished cases
  std::string now;       // the case it runs
};

void sleep_secs(double secs) {
  // In slices, so an interrupt is noticed.
  const auto until = Clock::now() + std::chrono::duration<double>(secs);
  while (Clock::now() < until && interrupt_signal() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Waits until the device's hottest zone is below `limit_c`; a device with
// no readable zone does not wait. Returns what it last read (-1: none).
double cool_until(DeviceSession& d, double limit_c, double max_secs) {
  const auto start = Clock::now();
  double t = -1;
  while (interrupt_signal() == 0) {
    auto p = devices::probe_device(*d.transport, 30);
    t = p.is_ok() ? p->state.max_temp_c() : -1;
    if (t < 0 || t < limit_c) return t;
    if (std::chrono::duration<double>(Clock::now() - start).count() > max_secs) return t;
    sleep_secs(2);
  }
  return t;
}

}  // namespace

std::string format_duration(double secs) {
  const long s = static_cast<long>(secs + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lds", s);
  }
  return buf;
}

std::string describe_case(const SweepCase& c) {
  std::string s = std::filesystem::path(c.opts.model).filename().string();
  if (!c.variant.empty()) s += " [" + c.variant + "]";
  return s + " " + c.opts.backends + " t" + std::to_string(c.opts.config.threads);
}

QueueTotals run_device_queues(
    const std::vector<SweepCase>& cases, std::vector<DeviceQueue>& queues,
    const QueueSettings& settings,
    const std::function<Status(size_t, CaseOutcome&)>& store) {
  std::mutex mu;  // guards totals, progress, store() and stderr
  QueueTotals totals;
  std::atomic<bool> stop{false};
  std::vector<QueueProgress> progress(queues.size());
  for (size_t q = 0; q < queues.size(); ++q) progress[q].total = queues[q].cases.size();
  const bool several = queues.size() > 1;

  // "pi 3/10 ~1m20s | local 5/10 ~40s" (the ETA from the queue's own pace).
  auto status_line = [&] {
    std::string line;
    for (size_t q = 0; q < queues.size(); ++q) {
      const QueueProgress& p = progress[q];
      if (!line.empty()) line += " | ";
      line += queues[q].device->spec.name + " " + std::to_string(std::min(p.done + 1, p.total)) +
              "/" + std::to_string(p.total);
      if (p.done == p.total) {
        line += " done";
      } else if (p.done > 0) {
        line += " ~" + format_duration(p.busy_secs / p.done * (p.total - p.done)) + " left";
      }
      if (!several && !p.now.empty()) line += " " + p.now;
    }
    return line;
  };

  auto work = [&](size_t q) {
    DeviceQueue& queue = queues[q];
    DeviceSession& device = *queue.device;
    for (size_t k = 0; k < queue.cases.size(); ++k) {
      if (stop || interrupt_signal() != 0) return;
      if (k > 0 && settings.cool_down_secs > 0) sleep_secs(settings.cool_down_secs);
      if (settings.cool_until_c > 0) {
        const double t = cool_until(device, settings.cool_until_c, settings.cool_wait_max_secs);
        if (t >= settings.cool_until_c) {
          std::lock_guard<std::mutex> lock(mu);
          std::fprintf(stderr, "%sopscope: %s is still at %.1f C after %s; going on\n",
                       settings.tty ? "\r\033[K" : "", device.spec.name.c_str(), t,
                       format_duration(settings.cool_wait_max_secs).c_str());
        }
      }
      if (stop || interrupt_signal() != 0) return;
      const size_t index = queue.cases[k];
      const SweepCase& sc = cases[index];
      {
        std::lock_guard<std::mutex> lock(mu);
        progress[q].now = describe_case(sc);
        if (settings.tty) {
          std::fprintf(stderr, "\r\033[K%s", status_line().c_str());
          std::fflush(stderr);
        }
      }
      const auto t0 = Clock::now();
      CaseOutcome outcome = run_case_on_device(device, sc.opts, settings.case_options);
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      std::lock_guard<std::mutex> lock(mu);
      if (outcome.interrupted || interrupt_signal() != 0) {
        totals.interrupted = true;
        stop = true;
        return;
      }
      QueueProgress& p = progress[q];
      ++p.done;
      p.busy_secs += secs;
      p.now.clear();
      ++totals.ran;
      const bool ok = outcome.doc.status == "ok";
      if (!ok) ++totals.failed;
      const std::string where = several ? device.spec.name + " " : "";
      if (!ok) {
        std::fprintf(stderr, "%sopscope: case %s%zu/%zu (%s) failed: %s\n",
                     settings.tty ? "\r\033[K" : "", where.c_str(), p.done, p.total,
                     describe_case(sc).c_str(), outcome.doc.error.message.c_str());
      } else if (!settings.tty) {
        std::string left;
        if (p.done < p.total) {
          left = ", ~" + format_duration(p.busy_secs / p.done * (p.total - p.done)) + " left";
        }
        std::fprintf(stderr, "[%s%zu/%zu] %s: ok (%s%s)\n", where.c_str(), p.done, p.total,
                     describe_case(sc).c_str(), format_duration(secs).c_str(), left.c_str());
      }
      if (Status st = store(index, outcome); !st.is_ok()) {
        totals.store_error = st;
        stop = true;
        return;
      }
    }
  };

  if (queues.size() == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (size_t q = 0; q < queues.size(); ++q) threads.emplace_back(work, q);
    for (std::thread& t : threads) t.join();
  }
  if (settings.tty) std::fprintf(stderr, "\r\033[K");
  totals.interrupted_at = totals.ran + (totals.interrupted ? 1 : 0);
  return totals;
}

}  // namespace opscope::cli

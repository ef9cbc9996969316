// The device warnings (harness/device_warnings.h) at and around each
// threshold, unknown values that never warn, the result document's
// device_state and warnings through JSON, and what the probe costs here.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/devices/probe.h"
#include "harness/device_warnings.h"
#include "result/result_document.h"
#include "result/utf8.h"

namespace opscope::harness {
namespace {

DeviceState with_zone(double temp_c, const char* type = "cpu-thermal") {
  DeviceState s;
  s.thermal.push_back({"soc-thermal", temp_c - 3});
  s.thermal.push_back({type, temp_c});
  return s;
}

CpuState cpu(int n, const char* governor, int64_t cur_khz, int64_t max_khz) {
  CpuState c;
  c.cpu = n;
  c.governor = governor;
  c.cur_khz = cur_khz;
  c.max_khz = max_khz;
  return c;
}

bool any_contains(const std::vector<std::string>& warnings, const std::string& part) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

TEST(DeviceWarnings, HotWhenTheHottestZoneRoseByTheThreshold) {
  const auto w = device_warnings(with_zone(40.0), with_zone(40.0 + kHeatWarningDeltaC, "x86_pkg_temp"),
                                 CaseConfig{});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("heated"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("40.0 \xC2\xB0" "C before, 45.0 \xC2\xB0" "C after"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("x86_pkg_temp"), std::string::npos) << w[0];
}

TEST(DeviceWarnings, NotHotBelowTheThresholdOrWhenCooling) {
  EXPECT_TRUE(device_warnings(with_zone(40.0), with_zone(44.9), CaseConfig{}).empty());
  EXPECT_TRUE(device_warnings(with_zone(60.0), with_zone(41.0), CaseConfig{}).empty());
}

TEST(DeviceWarnings, UnknownValuesNeverWarn) {
  // No zones on one side, no governor, no frequencies, no battery.
  DeviceState unknown;
  unknown.cpus = {cpu(0, "", 0, 0), cpu(1, "", 0, 3000000)};
  EXPECT_TRUE(device_warnings(unknown, unknown, CaseConfig{}).empty());
  EXPECT_TRUE(device_warnings(DeviceState{}, with_zone(90), CaseConfig{}).empty());
  EXPECT_TRUE(device_warnings(with_zone(20), DeviceState{}, CaseConfig{}).empty());
  // `performance` with an unreadable current frequency: no throttling claim.
  DeviceState perf;
  perf.cpus = {cpu(0, "performance", 0, 3000000), cpu(1, "performance", 1000000, 0)};
  EXPECT_TRUE(device_warnings(perf, perf, CaseConfig{}).empty());
  EXPECT_TRUE(device_warnings(DeviceState{}, DeviceState{}, CaseConfig{}).empty());
}

TEST(DeviceWarnings, GovernorOtherThanPerformanceOnAUsedCpuNamesIt) {
  DeviceState s;
  s.cpus = {cpu(0, "schedutil", 2000000, 3000000), cpu(1, "schedutil", 2000000, 3000000),
            cpu(2, "performance", 3000000, 3000000), cpu(3, "powersave", 800000, 3000000)};
  CaseConfig cfg;
  cfg.affinity = "0-2";  // cpu 3 (powersave) is not used
  auto w = device_warnings(s, s, cfg);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("'schedutil'"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("cpus 0,1"), std::string::npos) << w[0];
  EXPECT_FALSE(any_contains(w, "powersave"));
  // No affinity recorded: every CPU counts.
  w = device_warnings(s, s, CaseConfig{});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(any_contains(w, "'powersave' (not 'performance') on cpu 3"));
  // A governor that changed during the case is seen in the state after.
  DeviceState after = s;
  after.cpus[2].governor = "ondemand";
  cfg.affinity = "2";
  w = device_warnings(s, after, cfg);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("'ondemand'"), std::string::npos) << w[0];
}

TEST(DeviceWarnings, ThrottledBelowSixtyPercentUnderPerformance) {
  DeviceState before, after;
  before.cpus = {cpu(0, "performance", 3000000, 3000000), cpu(1, "performance", 3000000, 3000000)};
  after = before;
  after.cpus[1].cur_khz = 1200000;  // 40%
  auto w = device_warnings(before, after, CaseConfig{});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("cpu 1 below 60%"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("1.20 GHz of 3.00 GHz, 40%"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("throttled"), std::string::npos) << w[0];
  // At the threshold, or on a CPU the case did not use: nothing.
  after.cpus[1].cur_khz = static_cast<int64_t>(3000000 * kThrottleFreqFraction);
  EXPECT_TRUE(device_warnings(before, after, CaseConfig{}).empty());
  after.cpus[1].cur_khz = 1000000;
  CaseConfig cfg;
  cfg.affinity = "0";
  EXPECT_TRUE(device_warnings(before, after, cfg).empty());
  // A low frequency under another governor is the governor's doing, not
  // throttling: only the governor warning.
  after.cpus[1].governor = "schedutil";
  w = device_warnings(before, after, CaseConfig{});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("'schedutil'"), std::string::npos) << w[0];
}

TEST(DeviceWarnings, BatteryBelowTwentyPercentWhenKnown) {
  DeviceState low, ok, unknown;
  low.battery_pct = 15;
  ok.battery_pct = kLowBatteryPct;
  auto w = device_warnings(ok, low, CaseConfig{});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("battery at 15% (below 20%)"), std::string::npos) << w[0];
  EXPECT_TRUE(device_warnings(ok, ok, CaseConfig{}).empty());
  EXPECT_TRUE(device_warnings(unknown, unknown, CaseConfig{}).empty());  // -1: not known
  EXPECT_EQ(device_warnings(unknown, low, CaseConfig{}).size(), 1u);
}

TEST(DeviceWarnings, EveryWarningIsOneLineInAFixedOrder) {
  DeviceState before = with_zone(40), after = with_zone(50);
  before.cpus = {cpu(0, "performance", 3000000, 3000000), cpu(1, "power\nsave", 3000000, 3000000)};
  after.cpus = {cpu(0, "performance", 900000, 3000000), cpu(1, "power\nsave", 3000000, 3000000)};
  after.battery_pct = 5;
  const auto w = device_warnings(before, after, CaseConfig{});
  ASSERT_EQ(w.size(), 4u);
  EXPECT_NE(w[0].find("heated"), std::string::npos);
  EXPECT_NE(w[1].find("governor 'power?save'"), std::string::npos) << w[1];
  EXPECT_NE(w[2].find("throttled"), std::string::npos);
  EXPECT_NE(w[3].find("battery"), std::string::npos);
  for (const std::string& line : w) EXPECT_EQ(line.find('\n'), std::string::npos) << line;
}

TEST(DeviceWarnings, CpuListsParse) {
  EXPECT_EQ(cpus_of_list("0-3,6"), (std::vector<int>{0, 1, 2, 3, 6}));
  EXPECT_EQ(cpus_of_list("5,1,1"), (std::vector<int>{1, 5}));
  EXPECT_EQ(cpus_of_list("x,2,3-1,4-"), (std::vector<int>{2}));
  EXPECT_TRUE(cpus_of_list("").empty());
}

TEST(ResultDocument, DeviceStateAndWarningsRoundTrip) {
  ResultDocument doc;
  doc.state_before = with_zone(41.5);
  doc.state_before.cpus = {cpu(0, "schedutil", 1800000, 3000000), cpu(1, "schedutil", 0, 0)};
  doc.state_before.battery_pct = 64;
  doc.state_before.battery_temp_c = 31.2;
  doc.state_after = with_zone(47.25);
  doc.state_after.cpus = {cpu(0, "performance", 2900000, 3000000)};
  doc.warnings = {"one \xC2\xB0" "C", "two <b>&amp;"};
  const nlohmann::json j = to_json(doc);
  ASSERT_TRUE(j.contains("device_state"));
  EXPECT_EQ(j["device_state"]["before"]["cpus"][0]["governor"], "schedutil");
  EXPECT_EQ(j["device_state"]["after"]["thermal"][1]["temp_c"], 47.25);
  EXPECT_EQ(j["warnings"].size(), 2u);
  auto back = parse_result_document_text(dump_json(j), nullptr);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(to_json(*back), j);
  EXPECT_EQ(back->warnings, doc.warnings);
  EXPECT_EQ(back->state_before.cpus.size(), 2u);
  EXPECT_EQ(back->state_before.battery_pct, 64);
  EXPECT_DOUBLE_EQ(back->state_after.max_temp_c(), 47.25);
  // Neither is written when empty, and a document without them reads back
  // empty.
  const nlohmann::json bare = to_json(ResultDocument{});
  EXPECT_FALSE(bare.contains("device_state"));
  EXPECT_FALSE(bare.contains("warnings"));
  auto bare_back = parse_result_document(bare);
  ASSERT_TRUE(bare_back.has_value());
  EXPECT_TRUE(bare_back->state_before.empty());
  EXPECT_TRUE(bare_back->warnings.empty());
  // A governor that is not UTF-8 is stored as \xNN, not refused.
  doc.state_after.cpus[0].governor = "perf\xFF";
  EXPECT_EQ(to_json(doc)["device_state"]["after"]["cpus"][0]["governor"], "perf\\xFF");
}

// The runner probes before and after every case: what that costs here
// (printed; docs/result-document.md quotes it), and that it reads this
// machine's CPUs.
TEST(DeviceProbe, ProbeHereIsCheapAndSeesTheCpus) {
  std::vector<double> ms;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto p = devices::probe_here();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count());
    ASSERT_TRUE(p.is_ok()) << p.status().message();
    EXPECT_FALSE(p->state.cpus.empty());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("probe_here: median %.2f ms, max %.2f ms over %zu probes\n", ms[ms.size() / 2],
              ms.back(), ms.size());
  EXPECT_LT(ms[ms.size() / 2], 2000.0);
}

}  // namespace
}  // namespace opscope::harness

// The device state and the device warnings in the Markdown and HTML
// reports: a visible warnings block per run, the state summary (hottest
// zone before -> after, governor), and warning text that can hold any byte
// (markup, quotes, control bytes, bytes that are not UTF-8) without
// breaking the page or injecting markup.
#include <gtest/gtest.h>

#include <string>

#include "reports/html_report.h"
#include "reports/markdown_report.h"
#include "reports/run_summary.h"
#include "result/utf8.h"

namespace opscope::reports {
namespace {

const std::string kHostile =
    "governor '<script>alert(1)</script>' & \"q\" \x01\x7f | *star* _u_ `tick` [l](x) \xFF\xFE";

ResultDocument document_with_state() {
  ResultDocument d;
  d.model.name = "m.tflite";
  d.latency_ms.count = 3;
  d.latency_ms.samples = {1, 2, 3};
  d.state_before.thermal = {{"soc", 38.0}, {"x86_pkg_temp", 40.0}};
  d.state_after.thermal = {{"soc", 39.0}, {"x86_pkg_temp", 47.0}};
  d.state_before.cpus = {{0, 3000000, 3000000, "performance"}};
  d.state_after.cpus = {{0, 2900000, 3000000, "performance"}};
  d.warnings = {"the device heated during the case: first warning", kHostile};
  return d;
}

// As the store and the reports see it: through JSON, where bytes that are
// not UTF-8 become \xNN.
store::StoredRun stored(const ResultDocument& d, int64_t id) {
  store::StoredRun run;
  run.id = id;
  run.document = nlohmann::json::parse(dump_json(to_json(d)));
  run.doc = parse_result_document(run.document).value();
  return run;
}

void expect_no_raw_control_bytes(const std::string& text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20) ASSERT_TRUE(c == '\n' || c == '\t' || c == '\r') << int(u);
  }
}

TEST(DeviceStateLine, HottestZoneGovernorFrequency) {
  const std::string line = device_state_line(document_with_state());
  EXPECT_NE(line.find("hottest zone 40.0 \xC2\xB0" "C \xE2\x86\x92 47.0 \xC2\xB0" "C (x86_pkg_temp)"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("governor performance"), std::string::npos) << line;
  EXPECT_NE(line.find("2.90 GHz of 3.00 GHz after"), std::string::npos) << line;
  EXPECT_EQ(device_state_line(ResultDocument{}), "");
  ResultDocument battery;
  battery.state_after.battery_pct = 42;
  EXPECT_EQ(device_state_line(battery), "battery 42%");
}

TEST(HtmlReport, WarningsBlockAndDeviceStateEscaped) {
  for (const store::StoredRun& run : {stored(document_with_state(), 7), [] {
         // Not through JSON: the raw bytes reach the writer.
         store::StoredRun raw;
         raw.id = 8;
         raw.doc = document_with_state();
         return raw;
       }()}) {
    const std::string html = render_html({run});
    EXPECT_NE(html.find("<div class=\"warn\""), std::string::npos);
    EXPECT_NE(html.find("<li>the device heated during the case: first warning</li>"),
              std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&#39; &amp; &quot;q&quot;"),
              std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    expect_no_raw_control_bytes(html);
    EXPECT_NE(html.find("<td>device state</td><td>hottest zone 40.0 \xC2\xB0" "C \xE2\x86\x92 47.0"),
              std::string::npos);
    EXPECT_NE(html.find("governor performance"), std::string::npos);
  }
  // Through JSON the bytes that are not UTF-8 read \xFF\xFE.
  const std::string html = render_html({stored(document_with_state(), 7)});
  EXPECT_NE(html.find("[l](x) \\xFF\\xFE</li>"), std::string::npos);
  EXPECT_TRUE(is_valid_utf8(html));
}

TEST(HtmlReport, NoWarningsNoBlock) {
  ResultDocument d = document_with_state();
  d.warnings.clear();
  const std::string html = render_html({stored(d, 1)});
  EXPECT_EQ(html.find("<div class=\"warn\""), std::string::npos);
}

TEST(MarkdownReport, WarningsBlockAndDeviceStateEscaped) {
  const std::string md = render_markdown({stored(document_with_state(), 7)});
  EXPECT_NE(md.find("> **Warnings**"), std::string::npos) << md;
  EXPECT_NE(md.find("> - the device heated during the case: first warning\n"), std::string::npos)
      << md;
  // Markup and Markdown punctuation come out as text.
  EXPECT_NE(md.find("> - governor '&lt;script&gt;alert(1)&lt;/script&gt;' &amp; \"q\""),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("\\| \\*star\\* \\_u\\_ \\`tick\\` \\[l\\](x) \\\\xFF\\\\xFE\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("<script"), std::string::npos);
  expect_no_raw_control_bytes(md);
  EXPECT_NE(md.find("| device state | hottest zone 40.0 \xC2\xB0" "C \xE2\x86\x92 47.0 \xC2\xB0" "C "
                    "(x86_pkg_temp) \xC2\xB7 governor performance"),
            std::string::npos)
      << md;
  // A failed run keeps its warnings block.
  ResultDocument failed = document_with_state();
  failed.status = "error";
  failed.error = {"io_error", "cannot read"};
  const std::string md_failed = render_markdown({stored(failed, 9)});
  EXPECT_NE(md_failed.find("> **Warnings**"), std::string::npos);
  EXPECT_NE(md_failed.find("**failed**"), std::string::npos);
}

}  // namespace
}  // namespace opscope::reports

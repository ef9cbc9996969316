#include "adapters/store/selector.h"

#include <charconv>

namespace opscope::store {
namespace {

Status bad(std::string_view selector, std::string_view part, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument,
                "bad run selector '" + std::string(selector) + "': '" + std::string(part) +
                    "' " + std::string(why) +
                    " (use a run id, ids joined by ',', latest, sweep:ID, sweep:latest, "
                    "tag:KEY=VALUE, model:NAME, variant:LABEL, device:NAME, backends:LIST or status:ok|error, "
                    "joined by '+')");
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool parse_id(std::string_view s, int64_t& id) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  return ec == std::errc() && end == s.data() + s.size() && id > 0;
}

}  // namespace

Result<std::vector<SelectorTerm>> parse_selector(std::string_view selector) {
  if (selector.empty()) return bad(selector, selector, "is empty");
  std::vector<SelectorTerm> terms;
  for (std::string_view part : split(selector, '+')) {
    SelectorTerm t;
    const size_t colon = part.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? "" : part.substr(0, colon);
    const std::string value(colon == std::string_view::npos ? "" : part.substr(colon + 1));
    if (part == "latest") {
      t.latest_run = true;
    } else if (colon == std::string_view::npos) {
      for (std::string_view item : split(part, ',')) {
        int64_t id = 0;
        if (!parse_id(item, id)) return bad(selector, part, "is not a run id or a known selector");
        t.filter.ids.push_back(id);
      }
    } else if (value.empty()) {
      return bad(selector, part, "has nothing after ':'");
    } else if (prefix == "sweep") {
      if (value == "latest") {
        t.latest_sweep = true;
      } else {
        t.filter.sweep_id = value;
      }
    } else if (prefix == "tag") {
      const size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) return bad(selector, part, "needs KEY=VALUE");
      t.filter.tags.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (prefix == "model") {
      t.filter.model = value;
    } else if (prefix == "variant") {
      t.filter.variant = value;
    } else if (prefix == "device") {
      t.filter.device = value;
    } else if (prefix == "backends") {
      t.filter.backends = value;
    } else if (prefix == "status") {
      if (value != "ok" && value != "error") return bad(selector, part, "needs ok or error");
      t.filter.status = value;
    } else {
      return bad(selector, part, "has an unknown prefix");
    }
    terms.push_back(std::move(t));
  }
  return terms;
}

}  // namespace opscope::store

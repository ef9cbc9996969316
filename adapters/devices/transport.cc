#include "adapters/devices/transport.h"

#include <cctype>
#include <sstream>

namespace opscope::devices {

std::string shell_quote(const std::string& word) {
  std::string q = "'";
  for (char c : word) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> message_lines(const std::string& text,
                                       std::initializer_list<const char*> skip) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    bool skipped = line.empty();
    for (const char* prefix : skip) skipped = skipped || line.rfind(prefix, 0) == 0;
    if (!skipped) lines.push_back(line);
  }
  return lines;
}

}  // namespace opscope::devices

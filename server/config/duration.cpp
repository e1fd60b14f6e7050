#include "server/config/duration.hpp"

namespace mailns::server {

std::optional<uint32_t> parse_duration(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    uint64_t n = 0;
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + static_cast<uint64_t>(text[i] - '0');
      if (n > UINT32_MAX) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;  // a unit without a number, or a stray character
    uint64_t unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default: return std::nullopt;
      }
      ++i;
    } else if (start != 0) {
      return std::nullopt;  // "1d3": a bare number only on its own
    }
    total += n * unit;
    if (total > UINT32_MAX) return std::nullopt;
  }
  return static_cast<uint32_t>(total);
}

std::string format_duration(int64_t seconds) {
  if (seconds < 0) return "-" + format_duration(-seconds);
  static constexpr struct {
    int64_t size;
    const char* unit;
  } kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  std::string out;
  int parts = 0;
  for (const auto& u : kUnits) {
    const int64_t n = seconds / u.size;
    if (n == 0 && !(parts == 0 && u.size == 1 && out.empty())) {
      if (parts > 0) break;  // keep the two parts adjacent: "3d 4h", not "3d 5m"
      continue;
    }
    out += (out.empty() ? "" : " ") + std::to_string(n) + u.unit;
    seconds -= n * u.size;
    if (++parts == 2) break;
  }
  return out;
}

}  // namespace mailns::server

// Durations as the configuration writes them: a whole number of seconds
// ("3600") or numbers with units s, m, h, d, w, summed ("14d", "12h",
// "1d12h", "90s"), and the short form printed back to operators ("3d 4h").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailns::server {

// Seconds, or nullopt for anything else (empty, unknown unit, a unit
// without a number, a sum over 2^32-1 seconds).
std::optional<uint32_t> parse_duration(std::string_view text) noexcept;

// The two largest non-zero units: "0s", "45s", "5m 3s", "3d 4h", "120d".
std::string format_duration(int64_t seconds);

}  // namespace mailns::server

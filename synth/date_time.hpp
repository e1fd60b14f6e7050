// Dates in declarations (DKIM lifecycle dates): "YYYY-MM-DD", meaning
// midnight UTC, or an RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.frac]Z" or
// with an offset ("+02:00"), so a rotation can happen at a chosen hour. The
// date must exist (2026-02-30 does not); fractions of a second are dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mailns::synth {

// Unix seconds, or nullopt when text is neither form.
std::optional<int64_t> parse_date_time(std::string_view text) noexcept;

}  // namespace mailns::synth

// When a signed zone's served signatures start to expire: the earliest RRSIG
// expiration (RFC 4034 3.1.5) over every RRset, NSEC3 records included. For
// re-signing schedules, status and metrics.
#pragma once

#include <cstdint>
#include <optional>

#include "zone/zone.hpp"

namespace mailns::zone {

// Unix seconds; nullopt for a zone without signatures. Uses the 32-bit
// field as is (dates until 2106, RFC 4034 3.1.5's serial arithmetic aside).
std::optional<int64_t> earliest_signature_expiration(const Zone& zone) noexcept;

}  // namespace mailns::zone

// Compact denial of existence (RFC 9824) at query time: the NSEC record that
// says a name "exists" with only the listed types (next name "\000.<name>",
// NXNAME in the bitmap when the name really does not exist), and wildcard
// expansions signed as the name asked for. Made with the zone's
// OnlineSigner and kept in a per-thread cache, so a name asked for again is
// not signed again; a cached record is made anew after an hour (signatures
// last days) or when the zone is rebuilt.
#pragma once

#include <cstddef>
#include <cstdint>

#include "zone/answer_plan.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {

inline constexpr uint16_t kNxName = 128;  // RFC 9824 2: NXNAME meta type

// The signed NSEC for name with the given (sorted, distinct) types; RRSIG and
// NSEC are added. nullptr when the zone has no signer or signing failed.
const RRset* compact_nsec(const Zone& zone, NameRef name, const uint16_t* types, size_t count) noexcept;
// The wildcard RRset with signatures made for owner (the query name).
const RRset* compact_expansion(const Zone& zone, NameRef owner, const RRset& wildcard_set) noexcept;

}  // namespace mailns::zone

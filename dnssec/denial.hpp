// Authenticated denial of existence: the NSEC chain (RFC 4034 4, RFC 4035
// 2.3) and the NSEC3 chain (RFC 5155 7.1) of a zone, built from a
// ZoneLayout. NSEC3 uses SHA-1, no opt-out, and by default no salt and no
// extra iterations (RFC 9276 3.1). Also the pieces the query path needs to
// find covering NSEC3 records: nsec3_hash and base32hex.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnssec/result.hpp"
#include "dnssec/zone_layout.hpp"
#include "zone/base32hex.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/record.hpp"

namespace mailns::dnssec {

struct Nsec3Params {
  uint16_t iterations = 0;    // RFC 9276 3.1: 0
  std::vector<uint8_t> salt;  // RFC 9276 3.1: empty
};

using Nsec3Hash = zone::Nsec3Hash;

// RFC 5155 5: IH(salt, x, 0) = H(x || salt), IH(salt, x, k) = H(IH(k-1) || salt),
// x = the lower-cased wire form of name.
Nsec3Hash nsec3_hash(const zone::DnsName& name, std::span<const uint8_t> salt, uint16_t iterations) noexcept;

// RFC 4648 7 "base32hex" (RFC 5155 3.3); one implementation lives in zone/.
using zone::base32hex_decode;
using zone::base32hex_encode;

// RFC 4034 4.1.2 type bit maps from a sorted, duplicate-free list of types.
std::vector<uint8_t> type_bitmap(std::span<const uint16_t> sorted_types);

// NSEC3PARAM RDATA: algorithm 1, flags 0, iterations, salt (RFC 5155 4.2).
std::vector<uint8_t> nsec3param_rdata(const Nsec3Params& params);

// One NSEC per name in the chain (apex, authoritative names, delegation
// points), in canonical order, the last pointing back to the apex. Bitmaps:
// the types present plus RRSIG and NSEC; at a delegation only NS, DS (when
// present), RRSIG and NSEC (RFC 4035 2.3).
std::vector<zone::Record> build_nsec_chain(const ZoneLayout& layout, uint32_t ttl);

// One NSEC3 per authoritative name, delegation point and empty non-terminal
// (RFC 5155 7.1), owner = base32hex(hash).origin, sorted by hash, each
// pointing at the next. Bitmaps: the types present plus RRSIG where the name
// has signed RRsets (plus NSEC3PARAM at the apex when add_nsec3param_bit);
// empty for empty non-terminals; at a delegation NS, DS, and RRSIG only with
// DS. Fails only on a hash collision.
Result<std::vector<zone::Record>> build_nsec3_chain(const ZoneLayout& layout, const Nsec3Params& params, uint32_t ttl,
                                                    bool add_nsec3param_bit = true);

}  // namespace mailns::dnssec

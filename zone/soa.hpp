// Reading fields of SOA RDATA (RFC 1035 3.3.13): MNAME and RNAME, then five
// 32-bit fields, so the fixed fields are found from the end, whatever the
// lengths of the two names.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace mailns::zone {

// The MINIMUM field (the last 4 octets), which with the SOA TTL bounds the
// TTL of negative answers (RFC 2308 5, RFC 9077 3); nullopt when the RDATA is
// shorter than the five fixed fields (20 octets).
std::optional<uint32_t> soa_minimum(std::span<const uint8_t> rdata) noexcept;

}  // namespace mailns::zone

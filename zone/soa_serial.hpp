// SOA serials of the zones mailns manages (synthesized zones, and every zone
// it re-signs): YYYYMMDDnn in UTC. A zone that changes gets today's first
// serial, or the next one when it already has today's (or a later) serial,
// compared in RFC 1982 serial arithmetic so secondaries always see it grow.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "zone/record.hpp"

namespace mailns::zone {

// YYYYMMDD01 of the UTC day of `now` (Unix seconds).
uint32_t first_serial_of_day(int64_t now) noexcept;

// The serial after `current` for a change at `now`: first_serial_of_day(now)
// when that is greater (RFC 1982 3.2), else current + 1 (wrapping).
uint32_t next_serial(uint32_t current, int64_t now) noexcept;

// RFC 1982 3.2: a > b.
bool serial_greater(uint32_t a, uint32_t b) noexcept;

// The serial of the SOA record at origin among records; nullopt without one.
std::optional<uint32_t> soa_serial(std::span<const Record> records, const DnsName& origin) noexcept;
// Rewrites the serial of that SOA record; false when there is none.
bool set_soa_serial(std::span<Record> records, const DnsName& origin, uint32_t serial) noexcept;

}  // namespace mailns::zone

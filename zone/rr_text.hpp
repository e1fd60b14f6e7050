// Presentation format <-> wire for single records, through ldns (RFC 1035
// 5.1 and every type ldns knows; RFC 3597 "\# len hex" for the rest).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "zone/record.hpp"

namespace mailns::zone {

// Parses one record line ("www 3600 IN A 192.0.2.80"). Relative owner and
// rdata names are completed with origin; a missing TTL becomes default_ttl.
std::optional<Record> record_from_text(std::string_view line, const DnsName& origin, uint32_t default_ttl,
                                       std::string* error);

// "owner TTL IN TYPE rdata" with tabs, as zone files and dig print it.
std::string record_to_text(const DnsName& owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata);
// Just the RDATA in presentation format.
std::string rdata_to_text(uint16_t type, std::span<const uint8_t> rdata);

}  // namespace mailns::zone

// DANE checks that need both the built zones and the DNSSEC settings: a
// TLSA record is only usable by DANE clients in a signed zone (RFC 7672 2.2).
#pragma once

#include <string>
#include <vector>

#include "server/config/config.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

// Appends a warning for every zone that publishes TLSA records unsigned.
void warn_unsigned_tlsa(const Config& config, const zone::Zone& zone, std::vector<std::string>& warnings);

}  // namespace mailns::server

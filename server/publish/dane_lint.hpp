// DANE checks that need both the built zones and the DNSSEC settings: a
// TLSA record is only usable by DANE clients in a signed zone (RFC 7672 2.2).
#pragma once

#include <string>
#include <vector>

#include "server/config/config.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

// Appends a warning when the zone publishes TLSA records unsigned: DNSSEC is
// disabled for it, or enabled but the zone has no keys yet (keys_missing: it
// was checked unsigned). A zone with DNSSEC enabled that was left unsigned for
// another reason (an unsigned export) is signed when served: no warning.
void warn_unsigned_tlsa(const Config& config, const zone::Zone& zone, bool keys_missing,
                        std::vector<std::string>& warnings);

}  // namespace mailns::server

// The catalog zone (RFC 9432, schema version 2) that lists every zone mailns
// serves, so a secondary configured with it (Knot `catalog-role: interpret`,
// BIND `catalog-zones`) provisions new mail domains with no change of its
// own. Each member is a PTR at <id>.zones.<catalog> whose label is a stable
// hash of the member's name: the same zone keeps the same member id across
// restarts and reloads (RFC 9432 4.1: a new id means a new zone). The
// catalog's SOA serial changes only when the member list does; it is kept
// with the list's fingerprint in <state_dir>/catalog so a restart neither
// reuses an old serial for a new list nor bumps it for the same list.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "zone/dns_name.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

// The member label: 16 hex digits of the SHA-256 of the lower-cased wire name.
std::string catalog_member_label(const zone::DnsName& member);

// A fingerprint of a member list (order and case do not matter).
std::string catalog_fingerprint(std::span<const zone::DnsName> members);

// SOA "invalid. invalid. serial 3600 600 2147483646 0", NS invalid.,
// version TXT "2", one PTR per member; TTL 0 (RFC 9432 4.1). Throws
// std::runtime_error when a name would be too long for the catalog.
std::shared_ptr<const zone::Zone> build_catalog_zone(const zone::DnsName& name,
                                                     std::span<const zone::DnsName> members, uint32_t serial);

// The catalog's serial and member fingerprint as last published.
struct CatalogState {
  uint32_t serial = 0;
  std::string fingerprint;
};

// Reads <path>; a missing or unreadable file is a state of {0, ""}
// (unreadable ones add a warning).
CatalogState load_catalog_state(const std::string& path, std::vector<std::string>& warnings);
// Writes it atomically; returns an error message or "".
std::string save_catalog_state(const std::string& path, const CatalogState& state);

}  // namespace mailns::server

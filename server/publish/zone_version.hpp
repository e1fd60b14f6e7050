// Versions of a zone, compared: whether a zone loaded or signed again holds
// what the served version holds (issue 16). A restart or a reload with
// nothing changed then keeps the served serial, so that secondaries see no
// new version and get no NOTIFY, and the signatures of the served version
// are carried over (dnssec/signature_reuse) instead of made anew.
#pragma once

#include <vector>

#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

// Every record of a built zone as served: RRsets, their RRSIGs, the NSEC3
// chain. What a new version is signed against (sign_zone's `previous`).
std::vector<zone::Record> served_records(const zone::Zone& zone);

// True when `records` (a zone's records, signed or not) and the zone
// `served` hold the same records, apart from the SOA serial and the SOA's
// own signatures: the same version under another serial.
bool same_apart_from_serial(const std::vector<zone::Record>& records, const zone::Zone& served);

}  // namespace mailns::server

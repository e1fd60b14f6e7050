// A whole zone in mailns's own wire form, for the zone archive in
// state_dir (server/publish/zone_archive): read back at every start, it
// costs a fraction of parsing the same zone as master-file text (a signed
// zone's RRSIG and NSEC3 records are most of its text). The format:
//
//   "MLNSZON1"  magic and version
//   u8 origin length, origin (uncompressed wire name)
//   u32 count, then count records (zone/record_stream): the SOA first, then
//   every RRset followed by its RRSIGs, in export_zone's order
//
// decode_zone reads untrusted bytes: every name and every RDATA is checked
// for its type (rdata_names), the records go through the same ZoneBuilder
// checks as a master file's, and the result is all or nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "zone/zone.hpp"
#include "zone/zone_file.hpp"

namespace mailns::zone {

std::string encode_zone(const Zone& zone);
// True when bytes start with the magic (a master-file text never does).
bool is_encoded_zone(std::string_view bytes) noexcept;
// The zone, or errors ("SOURCE: what") when the bytes are not one of
// origin's zones in this format.
ZoneLoadResult decode_zone(std::span<const uint8_t> bytes, const DnsName& origin, const std::string& source);

}  // namespace mailns::zone

// The NSEC/NSEC3 type bitmap (RFC 4034 4.1.2): window blocks of the
// sorted, distinct types. Used by the signer and by compact denial's
// query-time NSEC records.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mailns::zone {

void append_type_bitmap(std::vector<uint8_t>& out, std::span<const uint16_t> sorted_types);

}  // namespace mailns::zone

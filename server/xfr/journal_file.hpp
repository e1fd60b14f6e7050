// The IXFR journal of one zone on disk (state_dir/journal/<zone>.ixfr),
// so that a secondary several versions behind still gets an IXFR after a
// restart. Our own format, in wire form (the records are RDATA already):
//
//   "MLNSIXF1"  magic and version
//   u32 count   differences, oldest first
//   per difference:
//     u32 from_serial, u32 to_serial, u32 zone_bytes
//     record from_soa, record to_soa
//     u32 n, n records removed; u32 n, n records added
//   record: u8 owner length, owner (uncompressed wire name), u16 type,
//           u32 TTL, u16 RDATA length, RDATA
//
// Integers are big-endian. decode_journal reads untrusted bytes (a file
// anyone with access to state_dir could have changed or truncated): it
// never reads past the end, checks every name, and fails as a whole.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/xfr/ixfr_journal.hpp"

namespace mailns::server {

std::string encode_journal(const std::vector<std::shared_ptr<const ZoneDiff>>& diffs);

// The differences, or nullopt with *error saying what is wrong.
std::optional<std::vector<ZoneDiff>> decode_journal(std::span<const uint8_t> bytes, std::string* error = nullptr);

}  // namespace mailns::server

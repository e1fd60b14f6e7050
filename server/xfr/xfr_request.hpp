// XfrRequest: a query that needs the primary's code rather than the plain
// answer path: a zone transfer (AXFR, IXFR with the client's SOA serial from
// the authority section, RFC 1995 3) or any query signed with TSIG (the
// record must be the last one of the message, RFC 8945 5.1). needs_primary()
// is the cheap test the transports run on every message first: a few reads
// of the header and question, so plain queries pay almost nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "server/xfr/tsig.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::server {

struct XfrRequest {
  uint16_t id = 0;
  uint8_t opcode = 0;
  bool rd = false;
  bool cd = false;
  zone::NameBuf qname;  // client's case
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool has_edns = false;
  uint16_t edns_udp_size = 0;
  uint8_t edns_version = 0;
  bool edns_do = false;
  std::optional<uint32_t> ixfr_serial;  // IXFR: the serial of the SOA in the authority section
  bool has_tsig = false;
  TsigRecord tsig;
};

enum class XfrParse { kOk, kDrop, kFormErr };

XfrParse parse_xfr_request(std::span<const uint8_t> msg, XfrRequest& out) noexcept;

// True for a standard query (opcode 0) that asks for AXFR or IXFR or may
// carry a TSIG record; false for everything handle_query answers alone
// (including what it drops or answers FORMERR/NOTIMP).
inline bool needs_primary(std::span<const std::byte> bytes) noexcept {
  const auto* m = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  if (n < 12) return false;
  if ((m[2] & 0x80) || ((m[2] >> 3) & 0xF) != 0) return false;  // a response, or not QUERY
  if (m[4] != 0 || m[5] != 1) return false;
  size_t p = 12;
  while (p < n && m[p] != 0) {
    if (m[p] > 63) return false;  // compression in the question: left to handle_query
    p += m[p] + 1u;
  }
  if (p + 5 > n) return false;
  const uint16_t qtype = static_cast<uint16_t>(m[p + 1] << 8 | m[p + 2]);
  if (qtype == zone::rrtype::AXFR || qtype == zone::rrtype::IXFR) return true;
  const uint16_t an = static_cast<uint16_t>(m[6] << 8 | m[7]);
  const uint16_t ns = static_cast<uint16_t>(m[8] << 8 | m[9]);
  const uint16_t ar = static_cast<uint16_t>(m[10] << 8 | m[11]);
  if (ar == 0) return false;
  // The common case: one OPT record (root owner, type 41) and nothing else.
  p += 5;
  if (an == 0 && ns == 0 && ar == 1 && p + 3 <= n && m[p] == 0 && m[p + 1] == 0 && m[p + 2] == zone::rrtype::OPT)
    return false;
  return true;
}

}  // namespace mailns::server

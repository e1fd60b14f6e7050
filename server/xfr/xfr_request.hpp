// XfrRequest: a query that needs the primary's code rather than the plain
// answer path: a zone transfer (AXFR, IXFR with the client's SOA serial from
// the authority section, RFC 1995 3) or any query signed with TSIG (the
// record must be the last one of the message, RFC 8945 5.1). The transports
// pick these messages with needs_request_handler()
// (server/net/request_handler.hpp).
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

}  // namespace mailns::server

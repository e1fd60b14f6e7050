// RequestHandler: where the transports send the messages handle_query does
// not answer alone: zone transfers (AXFR, IXFR) and anything that may carry
// a TSIG record. The layer above implements it (server/xfr/primary.hpp);
// the transport only knows this interface, so it never depends on the
// transfer code. needs_request_handler() is the cheap test the transports
// run on every message first: a few reads of the header and question, so
// plain queries pay almost nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "server/net/ip_address.hpp"
#include "zone/rr_type.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

// A response of one or more messages, produced one message at a time so a
// TCP connection writes them as the client reads.
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // Writes the next message into out; returns its length, or 0 when the
  // response is complete.
  virtual size_t next(std::span<uint8_t> out) = 0;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // UDP: the answer to a message for which needs_request_handler() was
  // true, into out; 0 when nothing must be sent.
  virtual size_t answer_udp(std::span<const std::byte> in, std::span<std::byte> out, const zone::Snapshot& snapshot,
                            const IpAddress& peer) const noexcept = 0;
  // TCP: the messages answering it (nullptr when nothing must be sent). A
  // transfer keeps `snapshot` alive until its last message. Never throws:
  // it runs inside a connection's read loop.
  virtual std::unique_ptr<MessageSource> answer_tcp(std::span<const std::byte> in,
                                                    std::shared_ptr<const zone::Snapshot> snapshot,
                                                    const IpAddress& peer) const noexcept = 0;
};

// True for a standard query (opcode 0) that asks for AXFR or IXFR or may
// carry a TSIG record; false for everything handle_query answers alone
// (including what it drops or answers FORMERR/NOTIMP).
inline bool needs_request_handler(std::span<const std::byte> bytes) noexcept {
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

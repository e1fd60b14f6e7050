#include "server/xfr/xfr_request.hpp"

namespace mailns::server {

XfrParse parse_xfr_request(std::span<const uint8_t> msg, XfrRequest& q) noexcept {
  if (msg.size() < 12) return XfrParse::kDrop;
  zone::WireReader r(msg);
  q.id = r.u16();
  const uint16_t flags = r.u16();
  if (flags & 0x8000) return XfrParse::kDrop;
  q.opcode = static_cast<uint8_t>((flags >> 11) & 0xF);
  q.rd = (flags & 0x0100) != 0;
  q.cd = (flags & 0x0010) != 0;
  const uint16_t qdcount = r.u16();
  const uint16_t ancount = r.u16();
  const uint16_t nscount = r.u16();
  const uint16_t arcount = r.u16();
  q.has_edns = false;
  q.has_tsig = false;
  q.ixfr_serial.reset();
  if (qdcount != 1) return XfrParse::kFormErr;
  r.name(q.qname);
  q.qtype = r.u16();
  q.qclass = r.u16();
  if (!r.ok()) return XfrParse::kFormErr;
  const uint32_t total = uint32_t{ancount} + nscount + arcount;
  zone::NameBuf owner;
  for (uint32_t i = 0; i < total; ++i) {
    const zone::RrHeader h = r.rr(owner);
    const auto [start, type, klass, ttl, rdlen, rdata_at] = h;
    if (!r.ok()) return XfrParse::kFormErr;
    const bool in_authority = i >= ancount && i < uint32_t{ancount} + nscount;
    const bool in_additional = i >= uint32_t{ancount} + nscount;
    if (type == zone::rrtype::TSIG) {
      // RFC 8945 5.1: only as the very last record.
      if (!in_additional || i != total - 1 || klass != zone::rrclass::ANY || ttl != 0) return XfrParse::kFormErr;
      if (!parse_tsig_rdata(msg, start, owner, rdata_at, rdlen, q.tsig)) return XfrParse::kFormErr;
      q.has_tsig = true;
    } else if (type == zone::rrtype::OPT) {
      if (!in_additional || q.has_edns || owner.len != 1) return XfrParse::kFormErr;  // RFC 6891 6.1.1
      q.has_edns = true;
      q.edns_udp_size = klass;
      q.edns_version = static_cast<uint8_t>(ttl >> 16);
      q.edns_do = (ttl & 0x8000) != 0;
    } else if (type == zone::rrtype::SOA && in_authority && q.qtype == zone::rrtype::IXFR) {
      // RFC 1995 3: the client's version. The RDATA names may be compressed.
      zone::WireReader s(msg.first(rdata_at + rdlen));
      s.seek(rdata_at);
      zone::NameBuf skip;
      s.name(skip);
      s.name(skip);
      const uint32_t serial = s.u32();
      if (!s.ok()) return XfrParse::kFormErr;
      q.ixfr_serial = serial;
    }
  }
  if (r.remaining() != 0) return XfrParse::kFormErr;
  if (q.qtype == zone::rrtype::IXFR && !q.ixfr_serial) return XfrParse::kFormErr;  // RFC 1995 3
  return XfrParse::kOk;
}

}  // namespace mailns::server

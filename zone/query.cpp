#include "zone/query.hpp"

#include <cstring>

#include "zone/dns_cookie.hpp"
#include "zone/opt_record.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

void fill_lookup(const uint8_t* wire, size_t len, uint8_t* lf, uint8_t& lf_len, uint8_t* label_ends,
                 uint8_t& labels) noexcept {
  lf_len = static_cast<uint8_t>(make_lookup_form(wire, len, lf));
  labels = 0;
  for (size_t p = 0; p < lf_len; p += lf[p] + 1) label_ends[labels++] = static_cast<uint8_t>(p + lf[p] + 1);
}

namespace {

// Reads the options the answer depends on (RFC 6891 6.1.2): an empty NSID
// (RFC 5001 2.3) and the first COOKIE (RFC 7873 4); only called when the
// OPT has RDATA. Options running past the RDATA end the walk.
void read_options(std::span<const uint8_t> rdata, Query& q) noexcept {
  bool cookie_seen = false;
  for (size_t at = 0; at + 4 <= rdata.size();) {
    const uint16_t code = static_cast<uint16_t>(rdata[at] << 8 | rdata[at + 1]);
    const size_t len = static_cast<size_t>(rdata[at + 2] << 8 | rdata[at + 3]);
    if (at + 4 + len > rdata.size()) return;
    if (code == kNsidOptionCode && len == 0) q.nsid_requested = true;
    if (code == kCookieOptionCode && !cookie_seen) {
      cookie_seen = true;
      if (cookie_length_ok(len)) {
        std::memcpy(q.cookie, rdata.data() + at + 4, len);
        q.cookie_len = static_cast<uint8_t>(len);
      } else {
        q.cookie_malformed = true;
      }
    }
    at += 4 + len;
  }
}

}  // namespace

ParseStatus parse_query(std::span<const uint8_t> msg, Query& q) noexcept {
  if (msg.size() < 12) return ParseStatus::kDrop;
  WireReader r(msg);
  q.id = r.u16();
  const uint16_t flags = r.u16();
  if (flags & 0x8000) return ParseStatus::kDrop;  // QR=1: never answer a response
  q.opcode = static_cast<uint8_t>((flags >> 11) & 0xF);
  q.rd = (flags & 0x0100) != 0;
  q.cd = (flags & 0x0010) != 0;
  q.qdcount = r.u16();
  const uint16_t ancount = r.u16();
  const uint16_t nscount = r.u16();
  const uint16_t arcount = r.u16();
  q.has_question = false;
  q.has_edns = false;
  q.edns_do = false;
  q.nsid_requested = false;
  q.cookie_malformed = false;
  q.cookie_len = 0;
  if (q.qdcount > 1) return ParseStatus::kFormErr;
  if (q.qdcount == 1) {
    r.name(q.qname);
    q.qtype = r.u16();
    q.qclass = r.u16();
    if (!r.ok()) return ParseStatus::kFormErr;
    q.has_question = true;
    uint8_t labels = 0;
    fill_lookup(q.qname.wire, q.qname.len, q.lf, q.lf_len, q.label_ends, labels);
  }
  // Skip answer and authority; OPT may only appear once, in additional.
  NameBuf scratch;
  const uint32_t total = uint32_t{ancount} + nscount + arcount;
  for (uint32_t i = 0; i < total; ++i) {
    const RrHeader h = r.rr(scratch);
    if (!r.ok()) return ParseStatus::kFormErr;
    if (h.type == rrtype::OPT) {
      const bool in_additional = i >= uint32_t{ancount} + nscount;
      if (!in_additional || q.has_edns || scratch.len != 1) return ParseStatus::kFormErr;  // RFC 6891 6.1.1
      q.has_edns = true;
      q.edns_udp_size = h.klass;
      q.edns_version = static_cast<uint8_t>(h.ttl >> 16);
      q.edns_do = (h.ttl & 0x8000) != 0;
      if (h.rdlen > 0 && r.ok()) read_options(msg.subspan(h.rdata_at, h.rdlen), q);
    }
  }
  if (r.remaining() != 0) return ParseStatus::kFormErr;  // trailing garbage
  return q.has_question ? ParseStatus::kOk : ParseStatus::kNoQuestion;
}

}  // namespace mailns::zone

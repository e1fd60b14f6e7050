// Helpers shared by the zone tests: building query packets and snapshots
// from zone text.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "zone/dns_name.hpp"
#include "zone/snapshot.hpp"
#include "zone/zone_file.hpp"

namespace mailns::zone::test {

struct QueryOpts {
  bool edns = false;
  uint16_t udp_size = 1232;
  bool do_bit = false;
  uint8_t version = 0;
  uint16_t qclass = 1;
  uint8_t opcode = 0;
  std::vector<uint8_t> options = {};  // the OPT's RDATA (with edns)
};

inline std::vector<uint8_t> make_query(const std::string& name, uint16_t qtype, QueryOpts o = {}) {
  std::vector<uint8_t> p = {0xab, 0xcd, static_cast<uint8_t>(o.opcode << 3 | 1), 0, 0, 1, 0, 0, 0, 0, 0,
                            static_cast<uint8_t>(o.edns ? 1 : 0)};
  auto n = DnsName::from_text(name);
  p.insert(p.end(), n->wire().begin(), n->wire().end());
  p.push_back(static_cast<uint8_t>(qtype >> 8));
  p.push_back(static_cast<uint8_t>(qtype));
  p.push_back(static_cast<uint8_t>(o.qclass >> 8));
  p.push_back(static_cast<uint8_t>(o.qclass));
  if (o.edns) {
    const uint8_t opt[] = {0, 0, 41, static_cast<uint8_t>(o.udp_size >> 8), static_cast<uint8_t>(o.udp_size), 0,
                           o.version, static_cast<uint8_t>(o.do_bit ? 0x80 : 0), 0,
                           static_cast<uint8_t>(o.options.size() >> 8), static_cast<uint8_t>(o.options.size())};
    p.insert(p.end(), opt, opt + sizeof opt);
    p.insert(p.end(), o.options.begin(), o.options.end());
  }
  return p;
}

// The options of a response's OPT record (its last record); fails the test
// when the response does not end with one.
inline std::vector<uint8_t> response_opt_options(const std::vector<uint8_t>& r) {
  constexpr size_t kOptFixed = 11;
  for (size_t rdlen = 0; rdlen + kOptFixed <= r.size(); ++rdlen) {
    const size_t at = r.size() - rdlen - kOptFixed;
    if (r[at] == 0 && r[at + 1] == 0 && r[at + 2] == 41 && (r[at + 9] << 8 | r[at + 10]) == int(rdlen))
      return {r.begin() + static_cast<std::ptrdiff_t>(at + kOptFixed), r.end()};
  }
  ADD_FAILURE() << "no OPT record at the end of the response";
  return {};
}

inline std::shared_ptr<const Zone> zone_from_text(const std::string& origin, const std::string& text) {
  auto res = load_zone_text(text, *DnsName::from_text(origin), origin);
  for (const auto& e : res.errors) ADD_FAILURE() << e;
  return res.zone;
}

inline std::shared_ptr<Snapshot> snapshot_of(std::vector<std::shared_ptr<const Zone>> zones) {
  return std::make_shared<Snapshot>(std::move(zones), AnswerOptions{});
}

// A mail zone with the shapes the resolver must get right.
inline const char* kMailZone = R"(
$ORIGIN example.org.
$TTL 3600
@ IN SOA ns1 hostmaster 2026112601 7200 3600 1209600 300
@ NS ns1
@ NS ns2.example.net.
@ MX 10 mail
@ TXT "v=spf1 mx -all"
ns1 A 192.0.2.53
mail A 192.0.2.10
mail AAAA 2001:db8::10
202404e._domainkey TXT "v=DKIM1; k=ed25519; p=AAAA"
*._domainkey TXT "v=DKIM1; p="
_25._tcp.mail TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
_submission._tcp SRV 0 1 587 mail
mta-sts CNAME mail
chain1 CNAME chain2
chain2 CNAME mail
outside CNAME www.example.net.
dangling CNAME nothere
loop1 CNAME loop2
loop2 CNAME loop1
*.wild A 192.0.2.99
*.wcname CNAME mail
sub NS ns.sub
sub NS ns.other.net.
sub DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
ns.sub A 192.0.2.77
into-sub CNAME www.sub
)";

}  // namespace mailns::zone::test

// libFuzzer target over zone::handle_query: every input is a query message,
// answered over UDP and TCP from a snapshot built once from the zone text
// below (wildcards, ENTs, CNAME chains and loops, DNAMEs, a delegation with
// glue and DS, big RRsets that need TC). Each response must be well-formed: no longer
// than the buffer and the transport's limit, parseable back with WireReader
// to the last octet, QR=1 with the query's ID, and the same bytes when the
// query is answered twice (handle_query is a pure function). A third pass
// answers it with a QueryEnv: DNS cookies on (a client address taken from
// the input, IPv4 or IPv6) and a small response rate limiter, so COOKIE
// options, cookie-only requests and the limiter's drop and slip paths are
// explored too; the snapshot has an NSID for queries that ask for it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "zone/handle_query.hpp"
#include "zone/query.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"
#include "zone/zone_file.hpp"

namespace {

using namespace mailns::zone;

constexpr const char* kOrg = R"(
$ORIGIN example.org.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
@ NS ns2.example.net.
@ MX 10 mail
@ MX 20 host.wild
@ TXT "v=spf1 mx -all"
@ A 192.0.2.1
ns1 A 192.0.2.53
ns1 AAAA 2001:db8::53
mail A 192.0.2.25
mail AAAA 2001:db8::25
_25._tcp.mail TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
sel1._domainkey TXT "v=DKIM1; k=rsa; p=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "bbbbbbbbbbbbbbbbbbbbbbbbbbbb"
*._domainkey TXT "v=DKIM1; p="
_submission._tcp SRV 0 1 587 mail
www CNAME @
c1 CNAME c2
c2 CNAME c3
c3 CNAME mail
cext CNAME www.example.com.
cnx CNAME nothere
loop1 CNAME loop2
loop2 CNAME loop1
*.wild A 192.0.2.99
*.wild TXT "wildcard"
*.wl CNAME next.wl
*.cw CNAME mail
a.b.c.ent A 192.0.2.7
x.*.starent A 192.0.2.8
svc HTTPS 1 mail alpn=h2
sub NS ns1.sub
sub NS ns.example.net.
sub DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
ns1.sub A 192.0.2.77
ns1.sub AAAA 2001:db8::77
*.sub A 192.0.2.111
into-sub CNAME www.sub
old DNAME new
www.new A 192.0.2.91
cdn CNAME www.old
dl1 DNAME dl2.example.org.
dl2 DNAME dl1.example.org.
longd DNAME dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example.org.
)";

std::string big_zone_text() {
  std::string t = "$ORIGIN example.net.\n$TTL 600\n@ SOA ns1 admin 2 3600 900 604800 3600\n@ NS ns1\n"
                  "ns1 A 198.51.100.1\n";
  for (int i = 0; i < 90; ++i) t += "manya A 10.0.0." + std::to_string(i + 1) + "\n";
  for (int i = 0; i < 12; ++i) t += "big TXT \"big-" + std::to_string(i) + std::string(110, 'x') + "\"\n";
  for (int i = 1; i <= 12; ++i) {
    t += "deleg NS ns" + std::to_string(i) + ".deleg\n";
    t += "ns" + std::to_string(i) + ".deleg A 198.51.101." + std::to_string(i) + "\n";
    t += "ns" + std::to_string(i) + ".deleg AAAA 2001:db8:101::" + std::to_string(i) + "\n";
  }
  return t;
}

const Snapshot& snapshot() {
  static const Snapshot* snap = [] {
    std::vector<std::shared_ptr<const Zone>> zones;
    for (auto [origin, text] : {std::pair<const char*, std::string>{"example.org", kOrg},
                                std::pair<const char*, std::string>{"example.net", big_zone_text()}}) {
      auto res = load_zone_text(text, *DnsName::from_text(origin), origin);
      for (const auto& e : res.errors) std::fprintf(stderr, "handle_query_fuzz: zone text: %s\n", e.c_str());
      if (!res.zone) std::abort();
      zones.push_back(res.zone);
    }
    AnswerOptions options;
    options.nsid = "fuzz-ns1";
    return new Snapshot(std::move(zones), options);
  }();
  return *snap;
}

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "handle_query_fuzz: %s\n", why);
  std::abort();
}

// Parses a response back completely; aborts when it is not a well-formed message.
void check_response(std::span<const uint8_t> in, std::span<const uint8_t> resp, size_t limit) {
  if (resp.empty()) return;  // nothing sent: fine for anything
  if (resp.size() < 12) fail("response shorter than a header");
  if (resp.size() > limit) fail("response longer than the transport allows");
  if ((resp[2] & 0x80) == 0) fail("response with QR=0");
  if (in.size() < 2 || std::memcmp(in.data(), resp.data(), 2) != 0) fail("response ID differs");
  WireReader r(resp);
  r.skip(4);
  const uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
  if (qd > 1) fail("response with more than one question");
  NameBuf name;
  for (uint16_t i = 0; i < qd; ++i) {
    r.name(name);
    r.skip(4);
  }
  unsigned opts = 0;
  for (uint32_t i = 0; i < uint32_t{an} + ns + ar; ++i) {
    r.name(name);
    const uint16_t type = r.u16();
    const uint16_t klass = r.u16();
    r.u32();
    const uint16_t rdlen = r.u16();
    const auto rdata = r.bytes(rdlen);
    if (!r.ok()) fail("response RR runs past the end");
    if (type == rrtype::OPT) {
      if (i < uint32_t{an} + ns || name.len != 1 || ++opts > 1) fail("misplaced or repeated OPT");
      continue;
    }
    if (klass != rrclass::IN) fail("RR class is not IN");
    // RDATA with names that are never compressed must still validate.
    if (type != rrtype::NS && type != rrtype::CNAME && type != rrtype::PTR && type != rrtype::MX &&
        type != rrtype::SOA) {
      RdataName names[2];
      if (rdata_names(type, rdata, names) < 0) fail("malformed RDATA in response");
    }
  }
  if (!r.ok() || r.remaining() != 0) fail("response does not parse to its last octet");
}

size_t udp_limit(std::span<const uint8_t> in) {
  Query q;
  if (parse_query(in, q) == ParseStatus::kOk && q.has_edns) {
    const size_t ours = snapshot().options().max_udp_payload;
    const size_t want = q.edns_udp_size < 512 ? 512 : q.edns_udp_size;
    return want < ours ? want : ours;
  }
  return 512;
}

// Cookies and rate limiting: the client address comes from the input's last
// octets (so the limiter sees several networks), the clock advances every
// 64 inputs (so buckets refill), the limiter is small (so it evicts).
void answer_with_env(std::span<const uint8_t> in) {
  static const CookieSecrets secrets = [] {
    CookieSecrets s;
    for (size_t i = 0; i < 16; ++i) s.current.bytes[i] = static_cast<uint8_t>(i * 7 + 1);
    s.previous.bytes[0] = 0x42;
    s.has_previous = true;
    return s;
  }();
  static ResponseRateLimiter limiter({.responses_per_second = 3, .slip = 2}, 3, 256);
  static uint32_t runs = 0;
  uint8_t address[16] = {127, 0, 0, 1};
  const bool v6 = !in.empty() && (in.back() & 1);
  if (in.size() >= 2) address[3] = in[in.size() - 2];
  if (v6) address[15] = address[3];
  static std::vector<uint8_t> out(65535);
  for (Transport t : {Transport::kUdp, Transport::kTcp}) {
    QueryEnv env;
    env.client = {address, v6 ? 16u : 4u};
    env.now = 1'800'000'000u + ++runs / 64;
    env.cookies = &secrets;
    env.limiter = &limiter;
    const size_t n = handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out)), snapshot(), t, &env);
    if (n > out.size()) fail("length beyond the output buffer");
    if (env.outcome == QueryOutcome::kRateDropped && n != 0) fail("dropped, yet answered");
    if (t == Transport::kTcp && env.outcome != QueryOutcome::kAnswered) fail("TCP rate limited");
    if (env.outcome == QueryOutcome::kRateSlipped && (n < 12 || !(out[2] & 0x02))) fail("slipped without TC");
    check_response(in, {out.data(), n}, t == Transport::kTcp ? 65535 : 4096);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Snapshot& snap = snapshot();
  const std::span<const uint8_t> in(data, size);
  static std::vector<uint8_t> out1(65535), out2(65535);

  for (Transport t : {Transport::kUdp, Transport::kTcp}) {
    const size_t limit = t == Transport::kTcp ? 65535 : udp_limit(in);
    const size_t n = handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out1)), snap, t);
    if (n > out1.size()) fail("length beyond the output buffer");
    check_response(in, {out1.data(), n}, limit);
    const size_t m = handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out2)), snap, t);
    if (m != n || std::memcmp(out1.data(), out2.data(), n) != 0) fail("same query, different response");
  }
  answer_with_env(in);
  // A small output buffer (a caller with less room than the limit) must be
  // respected too: the length comes from the input so the fuzzer explores it.
  if (size > 0) {
    const size_t small = 12 + (data[size - 1] % 64) * 8;
    std::vector<uint8_t> out(small);
    const size_t n = handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out)), snap, Transport::kTcp);
    if (n > small) fail("length beyond a small output buffer");
    check_response(in, {out.data(), n}, small);
  }
  return 0;
}

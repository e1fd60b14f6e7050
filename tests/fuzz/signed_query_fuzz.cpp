// libFuzzer target over zone::handle_query on signed zones: the same zone
// signed three ways (NSEC3, NSEC, and compact denial with query-time
// signatures, RFC 9824). The first input octet picks the zone version; the
// rest is the query, whose DO bit the fuzzer sets or clears (the seeds have
// both). Every answer must fit its buffer and the transport's limit, and be
// the same when the query is asked twice.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dnssec/signing_key.hpp"
#include "dnssec/zone_signer.hpp"
#include "zone/handle_query.hpp"
#include "zone/rr_text.hpp"
#include "zone/zone.hpp"

namespace {

using namespace mailns;
using namespace mailns::zone;

constexpr const char* kZone[] = {
    "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300",
    "example.org. 3600 IN NS ns1.example.org.",
    "example.org. 3600 IN MX 10 mail.example.org.",
    "example.org. 3600 IN TXT \"v=spf1 mx -all\"",
    "ns1.example.org. 3600 IN A 192.0.2.53",
    "mail.example.org. 3600 IN A 192.0.2.25",
    "mail.example.org. 3600 IN AAAA 2001:db8::25",
    "_25._tcp.mail.example.org. 3600 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
    "*._domainkey.example.org. 3600 IN TXT \"v=DKIM1; p=\"",
    "_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=reject\"",
    "www.example.org. 3600 IN CNAME example.org.",
    "*.wild.example.org. 3600 IN A 192.0.2.99",
    "a.b.c.ent.example.org. 3600 IN A 192.0.2.7",
    "sub.example.org. 3600 IN NS ns1.sub.example.org.",
    "sub.example.org. 3600 IN DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
    "ns1.sub.example.org. 3600 IN A 192.0.2.77",
    "insecure.example.org. 3600 IN NS ns.elsewhere.example.",
    "old.example.org. 3600 IN DNAME new.example.org.",
    "www.new.example.org. 3600 IN A 192.0.2.91",
};

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "signed_query_fuzz: %s\n", why);
  std::abort();
}

std::shared_ptr<const Zone> signed_zone(dnssec::DenialMode denial, const dnssec::ZoneKeySet& keys) {
  const DnsName origin = *DnsName::from_text("example.org");
  std::vector<Record> records;
  for (const char* line : kZone) {
    std::string err;
    auto r = record_from_text(line, origin, 3600, &err);
    if (!r) fail(err.c_str());
    records.push_back(std::move(*r));
  }
  dnssec::SigningPolicy policy;
  policy.denial = denial;
  auto s = dnssec::sign_zone(origin, std::move(records), keys, policy, 1'800'000'000);
  if (!s) fail(s.error().c_str());
  ZoneBuilder b(origin);
  for (auto& r : s->records) b.add(std::move(r));
  auto z = b.build();
  if (!z) fail("signed zone does not build");
  if (s->online_signer) z->attach_online_signer(s->online_signer);
  return z;
}

// Built once and kept for the process's life (reachable, so not a leak).
const std::vector<Snapshot*>& snapshots() {
  static const std::vector<Snapshot*>* snaps = [] {
    auto k = dnssec::SigningKey::generate(dnssec::Algorithm::kEcdsaP256Sha256, dnssec::dnskey_flags::kKsk);
    if (!k) fail("key generation");
    const dnssec::ZoneKeySet keys{
        dnssec::KeyUse{std::make_shared<dnssec::SigningKey>(std::move(*k)), true, true, true, true}};
    auto* out = new std::vector<Snapshot*>;
    for (auto d : {dnssec::DenialMode::kNsec3, dnssec::DenialMode::kNsec, dnssec::DenialMode::kCompact})
      out->push_back(new Snapshot({signed_zone(d, keys)}, AnswerOptions{}));
    return out;
  }();
  return *snaps;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Snapshot& snap = *snapshots()[data[0] % 3];
  const std::span<const uint8_t> in(data + 1, size - 1);
  static std::vector<uint8_t> out1(65535), out2(65535);
  for (Transport t : {Transport::kUdp, Transport::kTcp}) {
    const size_t n = handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out1)), snap, t);
    if (n > out1.size()) fail("length beyond the output buffer");
    if (n != 0 && (n < 12 || (out1[2] & 0x80) == 0)) fail("not a response");
    const size_t m = handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out2)), snap, t);
    // Compact denial signs at query time; the per-thread cache makes the
    // second answer the same within the same second.
    if (m != n) fail("same query, different response length");
  }
  const size_t small = 12 + (data[size - 1] % 64) * 8;
  std::vector<uint8_t> out(small);
  if (handle_query(std::as_bytes(in), std::as_writable_bytes(std::span(out)), snap, Transport::kTcp) > small)
    fail("length beyond a small output buffer");
  return 0;
}

// Whole-zone signing: what gets signed by which key, and the real
// cross-check: every algorithm x denial mode x key scheme, written as a
// master file, must pass ldns-verify-zone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include <ctime>
#include <map>
#include <set>

#include "dnssec/online_signer.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/zone_signer.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::name;
namespace t = zone::rrtype;

// A mail zone with the shapes signing must get right: wildcard, empty
// non-terminals, a secure and an insecure delegation with glue, mixed case,
// names inside RDATA, a CNAME, a DNAME, multi-string TXT.
constexpr const char* kMailZone = R"(
example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2026112601 7200 3600 1209600 300
example.org. 3600 IN NS ns1.example.org.
example.org. 3600 IN NS ns2.example.net.
example.org. 3600 IN MX 10 Mail.Example.org.
example.org. 3600 IN MX 20 mx2.example.org.
example.org. 3600 IN TXT "v=spf1 mx -all"
example.org. 3600 IN CAA 0 issue "letsencrypt.org"
ns1.example.org. 3600 IN A 192.0.2.53
Mail.example.org. 3600 IN A 192.0.2.10
mail.example.org. 3600 IN AAAA 2001:db8::10
mx2.example.org. 300 IN A 192.0.2.11
202404e._domainkey.example.org. 3600 IN TXT "v=DKIM1; k=ed25519; p=AAAA"
*._domainkey.example.org. 3600 IN TXT "v=DKIM1; p="
_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=reject;" " rua=mailto:postmaster@example.org"
_25._tcp.mail.example.org. 3600 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
_submission._tcp.example.org. 3600 IN SRV 0 1 587 MAIL.example.org.
mta-sts.example.org. 3600 IN CNAME mail.example.org.
*.wild.example.org. 3600 IN A 192.0.2.99
sub.example.org. 3600 IN NS ns.sub.example.org.
sub.example.org. 3600 IN NS ns.other.net.
sub.example.org. 3600 IN DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
ns.sub.example.org. 3600 IN A 192.0.2.77
insecure.example.org. 3600 IN NS ns.insecure.example.org.
ns.insecure.example.org. 3600 IN A 192.0.2.78
legacy.example.org. 3600 IN DNAME example.net.
)";

ZoneKeySet make_keys(Algorithm alg, KeyScheme scheme) {
  ZoneKeySet keys;
  if (scheme == KeyScheme::kCsk) {
    auto k = SigningKey::generate(alg, dnskey_flags::kKsk);
    EXPECT_TRUE(k.ok());
    keys.push_back(KeyUse{std::make_shared<SigningKey>(std::move(*k)), true, true, true, true});
  } else {
    auto ksk = SigningKey::generate(alg, dnskey_flags::kKsk);
    auto zsk = SigningKey::generate(alg, dnskey_flags::kZsk);
    EXPECT_TRUE(ksk.ok() && zsk.ok());
    keys.push_back(KeyUse{std::make_shared<SigningKey>(std::move(*ksk)), true, true, false, true});
    keys.push_back(KeyUse{std::make_shared<SigningKey>(std::move(*zsk)), true, false, true, false});
  }
  return keys;
}

// (owner, covered type) -> key tags of the RRSIGs.
std::map<std::pair<std::string, uint16_t>, std::set<uint16_t>> signatures(const std::vector<zone::Record>& recs) {
  std::map<std::pair<std::string, uint16_t>, std::set<uint16_t>> m;
  for (const auto& r : recs) {
    if (r.type != t::RRSIG) continue;
    RrsigFields f;
    EXPECT_TRUE(parse_rrsig(r.rdata, f));
    m[{r.owner.to_text(), f.type_covered}].insert(f.key_tag);
  }
  return m;
}

TEST(ZoneSigner, SignsAuthoritativeDataOnlyWithTheRightKeys) {
  const auto keys = make_keys(Algorithm::kEcdsaP256Sha256, KeyScheme::kKskZsk);
  const uint16_t ksk = keys[0].key->tag(), zsk = keys[1].key->tag();
  const int64_t now = 1780000000;
  auto signed_zone = sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), keys,
                               SigningPolicy{}, now);
  ASSERT_TRUE(signed_zone.ok()) << signed_zone.error();
  const auto sigs = signatures(signed_zone->records);
  using S = std::set<uint16_t>;
  EXPECT_EQ((sigs.at({"example.org.", t::DNSKEY})), S{ksk});
  EXPECT_EQ((sigs.at({"example.org.", t::CDS})), S{ksk});
  EXPECT_EQ((sigs.at({"example.org.", t::CDNSKEY})), S{ksk});
  EXPECT_EQ((sigs.at({"example.org.", t::SOA})), S{zsk});
  EXPECT_EQ((sigs.at({"example.org.", t::NS})), S{zsk});
  EXPECT_EQ((sigs.at({"example.org.", t::NSEC})), S{zsk});
  EXPECT_EQ((sigs.at({"*._domainkey.example.org.", t::TXT})), S{zsk});
  EXPECT_EQ((sigs.at({"sub.example.org.", t::DS})), S{zsk});
  EXPECT_EQ((sigs.at({"sub.example.org.", t::NSEC})), S{zsk});
  EXPECT_EQ(sigs.count({"sub.example.org.", t::NS}), 0u) << "delegation NS must not be signed";
  EXPECT_EQ(sigs.count({"insecure.example.org.", t::NS}), 0u);
  EXPECT_EQ(sigs.count({"ns.sub.example.org.", t::A}), 0u) << "glue must not be signed";
  EXPECT_EQ(sigs.count({"ns.insecure.example.org.", t::A}), 0u);

  // CDS/CDNSKEY only for the KSK; RRset TTLs unified; expiration reported.
  size_t cds = 0, dnskeys = 0;
  for (const auto& r : signed_zone->records) {
    if (r.type == t::CDS) ++cds;
    if (r.type == t::DNSKEY) ++dnskeys;
    if (r.type == t::CDNSKEY) {
      EXPECT_EQ(r.rdata, keys[0].key->dnskey_rdata());
    }
    if (r.type == t::NSEC) {
      EXPECT_EQ(r.ttl, 300u);  // RFC 9077
    }
  }
  EXPECT_EQ(cds, 1u);
  EXPECT_EQ(dnskeys, 2u);
  // Spread (issue 16): below now + validity by at most 3/4 + 1/2 of refresh_before.
  const auto earliest = earliest_expiration(signed_zone->records, now);
  ASSERT_TRUE(earliest);
  EXPECT_LE(*earliest, now + 14 * 86400);
  EXPECT_GE(*earliest, now + 14 * 86400 - 5 * 86400);
  EXPECT_EQ(next_resign_time(signed_zone->records, SigningPolicy{}, now), *earliest - 4 * 86400);
  SigningPolicy exact;
  exact.spread_expirations = false;
  auto unspread = sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), keys, exact, now);
  ASSERT_TRUE(unspread.ok());
  EXPECT_EQ(earliest_expiration(unspread->records, now), now + 14 * 86400);
  EXPECT_EQ(next_resign_time(unspread->records, exact, now), now + 10 * 86400);

  // Wildcard Labels field.
  for (const auto& r : signed_zone->records) {
    if (r.type != t::RRSIG || r.owner.to_text() != "*._domainkey.example.org.") continue;
    RrsigFields f;
    parse_rrsig(r.rdata, f);
    EXPECT_EQ(f.labels, 3);
  }
}

TEST(ZoneSigner, ReplacesOldSignaturesAndChainsAndRejectsBadInput) {
  const auto keys = make_keys(Algorithm::kEd25519, KeyScheme::kCsk);
  auto first = sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), keys,
                         SigningPolicy{}, 1780000000);
  ASSERT_TRUE(first.ok());
  SigningPolicy nsec3;
  nsec3.denial = DenialMode::kNsec3;
  auto again = sign_zone(name("example.org."), first->records, keys, nsec3, 1780000000);
  ASSERT_TRUE(again.ok()) << again.error();
  for (const auto& r : again->records) EXPECT_NE(r.type, t::NSEC);
  // Ed25519 is deterministic: re-signing the same data gives the same count.
  auto third = sign_zone(name("example.org."), again->records, keys, nsec3, 1780000000);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->records.size(), again->records.size());

  auto no_soa = sign_zone(name("example.org."), test::records_from_text("example.org.", "www.example.org. 60 IN A 192.0.2.1"),
                          keys, SigningPolicy{}, 0);
  ASSERT_FALSE(no_soa.ok());
  EXPECT_NE(no_soa.error().find("SOA"), std::string::npos);

  ZoneKeySet unpublished = keys;
  unpublished[0].publish = false;
  EXPECT_FALSE(sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), unpublished,
                         SigningPolicy{}, 0)
                   .ok());
  EXPECT_FALSE(sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), {}, SigningPolicy{}, 0)
                   .ok());
}

TEST(ZoneSigner, MixedTtlRRsetIsSignedAndServedWithTheLowest) {
  // Regression: the zone tree serves the lowest TTL of a mixed RRset, so the
  // RRSIG's original TTL and the records must use it too.
  const auto keys = make_keys(Algorithm::kEcdsaP256Sha256, KeyScheme::kCsk);
  auto recs = test::records_from_text("example.org.", std::string(kMailZone) +
                                                          "www.example.org. 600 IN A 192.0.2.1\n"
                                                          "www.example.org. 120 IN A 192.0.2.2\n"
                                                          "www.example.org. 900 IN A 192.0.2.3\n");
  auto signed_zone = sign_zone(name("example.org."), std::move(recs), keys, SigningPolicy{},
                               static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(signed_zone.ok());
  size_t seen = 0;
  for (const auto& r : signed_zone->records) {
    if (r.owner.to_text() != "www.example.org.") continue;
    if (r.type == t::A) {
      EXPECT_EQ(r.ttl, 120u);
      ++seen;
    }
    if (r.type == t::RRSIG) {
      RrsigFields f;
      ASSERT_TRUE(parse_rrsig(r.rdata, f));
      if (f.type_covered != t::A) continue;
      EXPECT_EQ(f.original_ttl, 120u);
      EXPECT_EQ(r.ttl, 120u);
    }
  }
  EXPECT_EQ(seen, 3u);
  EXPECT_EQ(test::ldns_verify(signed_zone->records, "mixed").status, 0);
}

struct VerifyCase {
  Algorithm alg;
  KeyScheme scheme;
  DenialMode denial;
};

class LdnsVerify : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(LdnsVerify, SignedZonePassesLdnsVerifyZoneAndKzonecheck) {
  const auto c = GetParam();
  SigningPolicy policy;
  policy.algorithm = c.alg;
  policy.keys = c.scheme;
  policy.denial = c.denial;
  const auto keys = make_keys(c.alg, c.scheme);
  auto signed_zone = sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), keys, policy,
                               static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(signed_zone.ok()) << signed_zone.error();
  const auto v = test::ldns_verify(signed_zone->records, "example.org");
  EXPECT_EQ(v.status, 0) << v.output << "\n" << test::to_master_text(signed_zone->records);
  const auto k = test::kzonecheck(signed_zone->records, "example.org.");
  EXPECT_EQ(k.status, 0) << k.output;
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, LdnsVerify,
    ::testing::Values(VerifyCase{Algorithm::kEcdsaP256Sha256, KeyScheme::kCsk, DenialMode::kNsec},
                      VerifyCase{Algorithm::kEcdsaP256Sha256, KeyScheme::kKskZsk, DenialMode::kNsec3},
                      VerifyCase{Algorithm::kEcdsaP256Sha256, KeyScheme::kCsk, DenialMode::kNsec3},
                      VerifyCase{Algorithm::kEd25519, KeyScheme::kCsk, DenialMode::kNsec},
                      VerifyCase{Algorithm::kEd25519, KeyScheme::kKskZsk, DenialMode::kNsec3},
                      VerifyCase{Algorithm::kRsaSha256, KeyScheme::kKskZsk, DenialMode::kNsec},
                      VerifyCase{Algorithm::kRsaSha256, KeyScheme::kCsk, DenialMode::kNsec3}),
    [](const auto& info) {
      const auto& c = info.param;
      return std::string(algorithm_config_word(c.alg)) + (c.scheme == KeyScheme::kCsk ? "_csk_" : "_kskzsk_") +
             (c.denial == DenialMode::kNsec ? "nsec" : "nsec3");
    });

TEST(ZoneSigner, LdnsVerifyZoneCatchesATamperedZone) {
  // The cross-check must be able to fail: change one signed record.
  const auto keys = make_keys(Algorithm::kEcdsaP256Sha256, KeyScheme::kCsk);
  auto signed_zone = sign_zone(name("example.org."), test::records_from_text("example.org.", kMailZone), keys,
                               SigningPolicy{}, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(signed_zone.ok());
  for (auto& r : signed_zone->records)
    if (r.type == t::A && r.owner.to_text() == "ns1.example.org.") r.rdata[3] ^= 1;
  EXPECT_NE(test::ldns_verify(signed_zone->records, "tampered").status, 0);
  EXPECT_NE(test::kzonecheck(signed_zone->records, "example.org.").status, 0);
}

TEST(ZoneSigner, SignsManyZonesOnThreads) {
  std::vector<ZoneToSign> zones;
  for (int i = 0; i < 20; ++i) {
    const std::string origin = "z" + std::to_string(i) + ".example.";
    std::string text = origin + " 3600 IN SOA ns1." + origin + " h." + origin + " 1 2 3 4 5\n" + origin +
                       " 3600 IN NS ns1." + origin + "\nns1." + origin + " 3600 IN A 192.0.2.1\n";
    zones.push_back(ZoneToSign{name(origin), test::records_from_text(origin, text),
                               make_keys(Algorithm::kEcdsaP256Sha256, KeyScheme::kCsk)});
  }
  zones[7].records.clear();  // no SOA: that zone fails, the others do not
  auto results = sign_zones(zones, SigningPolicy{}, static_cast<int64_t>(std::time(nullptr)), 2);
  ASSERT_EQ(results.size(), zones.size());
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].ok(), i != 7) << i;
    if (i == 3) {
      EXPECT_EQ(test::ldns_verify(results[i]->records, "z3").status, 0);
    }
  }
}

// Issue 15: every re-sign of a compact-denial zone makes a new online signer;
// each thread's signing contexts of the old ones must go (they kept the old
// private keys alive and grew without bound). 1000 re-signs, each used once
// for a query-time signature: contexts stay bounded and RSS flat. Bounded
// in count, not timed.
long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

TEST(OnlineSigner, ContextsAndRssStayFlatOver1000ResignsOfACompactZone) {
  const auto keys = make_keys(Algorithm::kEcdsaP256Sha256, KeyScheme::kCsk);
  SigningPolicy policy;
  policy.denial = DenialMode::kCompact;
  const auto records = test::records_from_text("example.org.", kMailZone);
  const auto owner = name("nothing.example.org.");
  const zone::NameRef ref{owner.wire().data(), static_cast<uint8_t>(owner.wire().size())};
  const std::vector<uint8_t> nsec{1, 0, 0x00, 0x06, 0x40, 0x01};
  const zone::RdataList rdatas{nsec};
  long rss_after_warmup = 0;
  for (int i = 0; i < 1000; ++i) {
    auto signed_zone = sign_zone(name("example.org."), records, keys, policy, 1780000000 + i);
    ASSERT_TRUE(signed_zone) << signed_zone.error();
    ASSERT_TRUE(signed_zone->online_signer);
    zone::RdataList sigs;
    ASSERT_TRUE(signed_zone->online_signer->sign(ref, zone::rrtype::NSEC, 300, rdatas, sigs));
    ASSERT_EQ(sigs.size(), 1u);
    // The previous signer is gone now: at most this one's context (and the
    // last one's, until the next signature prunes it) is held.
    EXPECT_LE(online_signer_thread_contexts(), 2u) << "after re-sign " << i;
    if (i == 100) rss_after_warmup = rss_kib();
  }
  const long growth = rss_kib() - rss_after_warmup;
  // Without pruning, the contexts (and their keys) of 900 signers add
  // about 1.1 MiB here; with it, growth stays under 0.5 MiB.
  EXPECT_LT(growth, 512) << "RSS grew by " << growth << " KiB over 900 re-signs";
}

}  // namespace
}  // namespace mailns::dnssec

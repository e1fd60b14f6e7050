// Incremental signing (issue 18) and spread expirations (issue 16): a new
// version signed against the previous one keeps the signatures of every
// RRset that did not change, and the result is what signing from scratch
// gives, signature bytes and times apart; it passes ldns-verify-zone.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "dnssec/rrsig.hpp"
#include "dnssec/signature_reuse.hpp"
#include "dnssec/zone_signer.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::name;
namespace t = zone::rrtype;

#include <ctime>
// Now: ldns-verify-zone checks the signatures' validity at the real time.
const int64_t kT0 = static_cast<int64_t>(std::time(nullptr));

std::string zone_text(const std::string& serial, const std::string& spf, bool extra_name = false) {
  std::string z = "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. " + serial +
                  " 7200 3600 1209600 300\n"
                  "example.org. 3600 IN NS ns1.example.org.\n"
                  "example.org. 3600 IN MX 10 mail.example.org.\n"
                  "example.org. 3600 IN TXT \"" + spf + "\"\n"
                  "ns1.example.org. 3600 IN A 192.0.2.53\n"
                  "mail.example.org. 3600 IN A 192.0.2.10\n"
                  "mail.example.org. 3600 IN AAAA 2001:db8::10\n"
                  "_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=reject\"\n"
                  "s1._domainkey.example.org. 3600 IN TXT \"v=DKIM1; k=ed25519; p=AAAA\"\n"
                  "_25._tcp.mail.example.org. 3600 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n"
                  "sub.example.org. 3600 IN NS ns.sub.example.org.\n"
                  "sub.example.org. 3600 IN DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n"
                  "ns.sub.example.org. 3600 IN A 192.0.2.77\n";
  if (extra_name) z += "mta-sts.example.org. 3600 IN A 192.0.2.11\n";
  return z;
}

ZoneKeySet csk() {
  auto k = SigningKey::generate(Algorithm::kEcdsaP256Sha256, dnskey_flags::kKsk);
  EXPECT_TRUE(k.ok());
  return {KeyUse{std::make_shared<SigningKey>(std::move(*k)), true, true, true, true}};
}

using RecordKey = std::tuple<std::string, uint16_t, std::vector<uint8_t>>;

std::set<RecordKey> record_set(const std::vector<zone::Record>& records, bool with_rrsig_bytes = true) {
  std::set<RecordKey> out;
  for (const auto& r : records) {
    if (r.type == t::RRSIG && !with_rrsig_bytes) {
      RrsigFields f;
      EXPECT_TRUE(parse_rrsig(r.rdata, f));
      out.emplace(r.owner.to_text(), r.type, std::vector<uint8_t>{uint8_t(f.type_covered >> 8),
                                                                  uint8_t(f.type_covered), uint8_t(f.key_tag >> 8),
                                                                  uint8_t(f.key_tag)});
      continue;
    }
    out.emplace(r.owner.to_text(), r.type, r.rdata);
  }
  return out;
}

// The IXFR difference between two versions: (removed, added), SOA included.
std::pair<std::set<RecordKey>, std::set<RecordKey>> diff(const std::vector<zone::Record>& a,
                                                         const std::vector<zone::Record>& b) {
  const auto sa = record_set(a), sb = record_set(b);
  std::set<RecordKey> removed, added;
  for (const auto& r : sa)
    if (!sb.count(r)) removed.insert(r);
  for (const auto& r : sb)
    if (!sa.count(r)) added.insert(r);
  return {removed, added};
}

// (owner, type) of each record, RRSIGs by the type they cover ("RRSIG/TXT").
std::multiset<std::string> shapes(const std::set<RecordKey>& records) {
  std::multiset<std::string> out;
  for (const auto& [owner, type, rdata] : records)
    out.insert(owner + " " +
               (type == t::RRSIG ? "RRSIG/" + zone::type_to_text(uint16_t(rdata[0] << 8 | rdata[1]))
                                 : zone::type_to_text(type)));
  return out;
}

class SignatureReuseTest : public ::testing::TestWithParam<DenialMode> {
 protected:
  SigningPolicy policy() const {
    SigningPolicy p;
    p.denial = GetParam();
    return p;
  }
  Result<SignedZone> sign(const std::string& text, int64_t now, std::span<const zone::Record> previous = {}) {
    return sign_zone(name("example.org."), test::records_from_text("example.org.", text), keys, policy(), now,
                     previous);
  }
  ZoneKeySet keys = csk();
};

TEST_P(SignatureReuseTest, OneChangedValueReSignsThatRRsetAndTheSoaOnly) {
  auto v1 = sign(zone_text("1", "v=spf1 mx -all"), kT0);
  ASSERT_TRUE(v1) << v1.error();
  auto v2 = sign(zone_text("2", "v=spf1 mx ~all"), kT0 + 3600, v1->records);
  ASSERT_TRUE(v2) << v2.error();
  EXPECT_EQ(v2->signatures, 2u);  // the apex TXT and the SOA
  EXPECT_EQ(v2->reused + v2->signatures, v1->signatures);
  const auto [removed, added] = diff(v1->records, v2->records);
  const std::multiset<std::string> expected{"example.org. SOA", "example.org. RRSIG/SOA", "example.org. TXT",
                                            "example.org. RRSIG/TXT"};
  EXPECT_EQ(shapes(removed), expected);
  EXPECT_EQ(shapes(added), expected);
  EXPECT_EQ(test::ldns_verify(v2->records, "incremental").status, 0) << test::to_master_text(v2->records);

  // The same as signing the new data from scratch, signature bytes and times apart.
  auto scratch = sign(zone_text("2", "v=spf1 mx ~all"), kT0 + 3600);
  ASSERT_TRUE(scratch);
  EXPECT_EQ(record_set(v2->records, false), record_set(scratch->records, false));
}

TEST_P(SignatureReuseTest, ANewNameReSignsItsDenialNeighboursToo) {
  auto v1 = sign(zone_text("1", "v=spf1 mx -all"), kT0);
  ASSERT_TRUE(v1);
  auto v2 = sign(zone_text("2", "v=spf1 mx -all", /*extra_name=*/true), kT0 + 60, v1->records);
  ASSERT_TRUE(v2);
  const auto [removed, added] = diff(v1->records, v2->records);
  std::multiset<std::string> changed_types;
  for (const auto& s : shapes(added)) changed_types.insert(s.substr(s.find(' ') + 1));
  // The new A and its signature, the SOA and its signature, and denial
  // records: NSEC: the new name's and its predecessor's (2 + 2
  // signatures); NSEC3: the new hash and the one before it in the chain.
  EXPECT_EQ(changed_types.count("A"), 1u);
  EXPECT_EQ(changed_types.count("RRSIG/A"), 1u);
  EXPECT_EQ(changed_types.count("SOA"), 1u);
  const std::string denial = GetParam() == DenialMode::kNsec3 ? "NSEC3" : "NSEC";
  EXPECT_EQ(changed_types.count(denial), 2u) << ::testing::PrintToString(shapes(added));
  EXPECT_EQ(changed_types.count("RRSIG/" + denial), 2u);
  EXPECT_EQ(added.size(), 8u) << ::testing::PrintToString(shapes(added));
  EXPECT_EQ(removed.size(), 4u) << ::testing::PrintToString(shapes(removed));  // SOA, its RRSIG, 1 denial + RRSIG
  EXPECT_EQ(test::ldns_verify(v2->records, "newname").status, 0);
  auto scratch = sign(zone_text("2", "v=spf1 mx -all", true), kT0 + 60);
  ASSERT_TRUE(scratch);
  EXPECT_EQ(record_set(v2->records, false), record_set(scratch->records, false));
}

TEST_P(SignatureReuseTest, NothingChangedKeepsEverySignature) {
  auto v1 = sign(zone_text("1", "v=spf1 mx -all"), kT0);
  ASSERT_TRUE(v1);
  auto again = sign(zone_text("1", "v=spf1 mx -all"), kT0 + 86400, v1->records);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->signatures, 0u);
  EXPECT_EQ(record_set(again->records), record_set(v1->records));
}

TEST_P(SignatureReuseTest, SignaturesNearTheirExpirationAreRenewedAndOnlyThose) {
  SigningPolicy p = policy();
  auto v1 = sign(zone_text("1", "v=spf1 mx -all"), kT0);
  ASSERT_TRUE(v1);
  const auto earliest = earliest_expiration(v1->records, kT0);
  ASSERT_TRUE(earliest);
  // When the earliest falls due, it is renewed with those within the
  // window after it; later ones are kept. The renewed ones are not due again
  // before the window has passed.
  const int64_t due = *next_resign_time(v1->records, p, kT0);
  auto v2 = sign(zone_text("2", "v=spf1 mx -all"), due, v1->records);
  ASSERT_TRUE(v2);
  EXPECT_GT(v2->signatures, 1u);
  EXPECT_GT(v2->reused, 0u) << "the per-RRset spread leaves some signatures for a later renewal";
  const int64_t margin = reuse_margin(p);
  for (const auto& r : v2->records) {
    if (r.type != t::RRSIG) continue;
    RrsigFields f;
    ASSERT_TRUE(parse_rrsig(r.rdata, f));
    EXPECT_GT(serial_time_to_unix(f.expiration, due), due + margin) << r.owner.to_text();
  }
  EXPECT_GE(*next_resign_time(v2->records, p, due), due + (margin - p.refresh_before));
  EXPECT_EQ(test::ldns_verify(v2->records, "renewed", "-t +" + std::to_string(due - kT0)).status, 0);
}

TEST_P(SignatureReuseTest, ANewZoneSigningKeySignsEverythingAgain) {
  auto v1 = sign(zone_text("1", "v=spf1 mx -all"), kT0);
  ASSERT_TRUE(v1);
  // RFC 7583 pre-publication: the new key is published, nothing else
  // changes: only the DNSKEY RRset (and the SOA) are signed again.
  auto zsk = SigningKey::generate(Algorithm::kEcdsaP256Sha256, dnskey_flags::kZsk);
  ASSERT_TRUE(zsk.ok());
  auto new_zsk = std::make_shared<SigningKey>(std::move(*zsk));
  keys.push_back(KeyUse{new_zsk, true, false, false, false});
  auto published = sign(zone_text("2", "v=spf1 mx -all"), kT0 + 60, v1->records);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->signatures, 2u) << ::testing::PrintToString(shapes(diff(v1->records, published->records).second));  // DNSKEY, SOA
  // The new key becomes the zone-signing key, the CSK signs the key set only:
  // every RRset but the key set gets a signature by the new key, and the
  // old key's go.
  keys[0].sign_zone = false;
  keys[1].sign_zone = true;
  auto rolled = sign(zone_text("3", "v=spf1 mx -all"), kT0 + 120, published->records);
  ASSERT_TRUE(rolled);
  EXPECT_EQ(rolled->reused, 3u);  // DNSKEY, CDS and CDNSKEY stay signed by the CSK
  for (const auto& r : rolled->records) {
    if (r.type != t::RRSIG) continue;
    RrsigFields f;
    ASSERT_TRUE(parse_rrsig(r.rdata, f));
    const bool keyset = f.type_covered == t::DNSKEY || f.type_covered == t::CDS || f.type_covered == t::CDNSKEY;
    EXPECT_EQ(f.key_tag, keyset ? keys[0].key->tag() : new_zsk->tag()) << r.owner.to_text();
  }
  EXPECT_EQ(test::ldns_verify(rolled->records, "rolled").status, 0);
}

INSTANTIATE_TEST_SUITE_P(Denial, SignatureReuseTest, ::testing::Values(DenialMode::kNsec, DenialMode::kNsec3),
                         [](const auto& info) { return info.param == DenialMode::kNsec ? "nsec" : "nsec3"; });

TEST(SignatureReuse, AnotherKeyWithTheSameTagIsNotTrusted) {
  // A previous version signed by a key that is not ours: nothing is reused,
  // even where our key would have the same tag (forged here by taking the
  // previous RRSIGs over as they are).
  const auto ours = csk(), theirs = csk();
  const auto records = test::records_from_text("example.org.", zone_text("1", "v=spf1 -all"));
  auto v1 = sign_zone(name("example.org."), records, theirs, SigningPolicy{}, kT0);
  ASSERT_TRUE(v1);
  const SignatureReuse reuse(name("example.org."), v1->records, kT0 + 60, reuse_margin(SigningPolicy{}));
  const std::vector<uint8_t> a = {192, 0, 2, 53};
  const std::vector<std::span<const uint8_t>> rdatas{a};
  EXPECT_NE(reuse.find(name("ns1.example.org."), t::A, 3600, rdatas, *theirs[0].key), nullptr);
  EXPECT_EQ(reuse.find(name("ns1.example.org."), t::A, 3600, rdatas, *ours[0].key), nullptr);
  EXPECT_EQ(reuse.find(name("ns1.example.org."), t::A, 300, rdatas, *theirs[0].key), nullptr);  // TTL changed
  const std::vector<uint8_t> b = {192, 0, 2, 54};
  const std::vector<std::span<const uint8_t>> other{b};
  EXPECT_EQ(reuse.find(name("ns1.example.org."), t::A, 3600, other, *theirs[0].key), nullptr);  // data changed
}

TEST(SignatureSpread, ZonesSignedTogetherFallDueOverMoreThanHalfTheRefreshWindow) {
  // Issue 16: 100 zones signed at the same moment.
  const SigningPolicy policy;
  std::vector<ZoneToSign> zones;
  const auto keys = csk();
  for (int i = 0; i < 100; ++i) {
    const std::string o = "z" + std::to_string(i) + ".example.";
    const std::string text = o + " 3600 IN SOA ns1." + o + " h." + o + " 1 2 3 4 5\n" + o + " 3600 IN NS ns1." + o +
                             "\nns1." + o + " 3600 IN A 192.0.2.1\nmail." + o + " 3600 IN A 192.0.2.2\n";
    zones.push_back(ZoneToSign{name(o), test::records_from_text(o, text), keys});
  }
  auto results = sign_zones(zones, policy, kT0, 2);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (auto& r : results) {
    ASSERT_TRUE(r);
    const int64_t e = *earliest_expiration(r->records, kT0);
    EXPECT_LE(e, kT0 + policy.signature_validity);
    EXPECT_GT(e - kT0, policy.signature_validity - policy.refresh_before * 5 / 4);
    lo = std::min(lo, e);
    hi = std::max(hi, e);
  }
  EXPECT_GT(hi - lo, policy.refresh_before / 2);
  // A fresh signature is never due at once, however short the validity.
  SigningPolicy tight;
  tight.signature_validity = 7200;
  tight.refresh_before = 3600;
  for (int i = 0; i < 50; ++i) {
    const auto times = rrset_signature_times(tight, kT0, name("z" + std::to_string(i) + ".example."),
                                             name("a.example."), t::A);
    EXPECT_GT(static_cast<int64_t>(times.expiration), kT0 + reuse_margin(tight));
  }
}

}  // namespace
}  // namespace mailns::dnssec

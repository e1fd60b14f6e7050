// NSEC3 hashing against RFC 5155 Appendix A, base32hex, type bitmaps, and the
// shape of the NSEC and NSEC3 chains (which names are in them, bitmaps at
// delegations, empty non-terminals, glue left out).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "dnssec/denial.hpp"
#include "dnssec/zone_layout.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::name;

TEST(Nsec3Hash, Rfc5155AppendixA) {
  const std::vector<uint8_t> salt = {0xaa, 0xbb, 0xcc, 0xdd};
  const std::pair<const char*, const char*> cases[] = {
      {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},  {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
      {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"}, {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
      {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"}, {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
      {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"}, {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
      {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"}, {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
      {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"}, {"A.EXAMPLE.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
  };
  for (const auto& [n, want] : cases) EXPECT_EQ(base32hex_encode(nsec3_hash(name(n), salt, 12)), want) << n;
}

TEST(Base32Hex, RoundTripAndRejects) {
  // RFC 4648 10 test vectors (extended hex alphabet, lower case, no padding).
  EXPECT_EQ(base32hex_encode(std::vector<uint8_t>{}), "");
  const std::string foobar = "foobar";
  const std::vector<uint8_t> bytes(foobar.begin(), foobar.end());
  EXPECT_EQ(base32hex_encode(std::span(bytes).first(1)), "co");
  EXPECT_EQ(base32hex_encode(std::span(bytes).first(3)), "cpnmu");
  EXPECT_EQ(base32hex_encode(bytes), "cpnmuoj1e8");
  for (size_t n = 0; n <= bytes.size(); ++n) {
    auto d = base32hex_decode(base32hex_encode(std::span(bytes).first(n)));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n)));
  }
  EXPECT_EQ(*base32hex_decode("CPNMUOJ1E8"), bytes);
  EXPECT_FALSE(base32hex_decode("cpnmuoj1e8=="));  // padding
  EXPECT_FALSE(base32hex_decode("w0"));            // outside the alphabet
  EXPECT_FALSE(base32hex_decode("cp"));            // non-zero trailing bits
  EXPECT_FALSE(base32hex_decode("c"));             // not a whole octet
}

TEST(TypeBitmap, Rfc4034Example) {
  // RFC 4034 4.3: A MX RRSIG NSEC TYPE1234.
  const uint16_t types[] = {1, 15, 46, 47, 1234};
  std::vector<uint8_t> want = {0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b};
  want.insert(want.end(), 26, 0x00);
  want.push_back(0x20);
  EXPECT_EQ(type_bitmap(types), want);
  EXPECT_TRUE(type_bitmap({}).empty());
}

constexpr const char* kZone = R"(
example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300
example.org. 3600 IN NS ns1.example.org.
example.org. 3600 IN MX 10 mail.example.org.
ns1.example.org. 3600 IN A 192.0.2.53
mail.example.org. 3600 IN A 192.0.2.10
_25._tcp.mail.example.org. 3600 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
sub.example.org. 3600 IN NS ns.sub.example.org.
sub.example.org. 3600 IN DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
sub.example.org. 3600 IN A 192.0.2.1
ns.sub.example.org. 3600 IN A 192.0.2.77
deep.glue.sub.example.org. 3600 IN A 192.0.2.78
a.b.insecure.example.org. 3600 IN NS ns1.example.org.
)";

std::map<std::string, NameKind> kinds(const ZoneLayout& l) {
  std::map<std::string, NameKind> m;
  for (const auto& n : l.names()) m[n.name.to_text()] = n.kind;
  return m;
}

TEST(ZoneLayout, ClassifiesNamesAndFindsEmptyNonTerminals) {
  const auto recs = test::records_from_text("example.org.", kZone);
  const ZoneLayout l(name("example.org."), recs);
  auto k = kinds(l);
  EXPECT_EQ(k["example.org."], NameKind::kApex);
  EXPECT_EQ(k["mail.example.org."], NameKind::kAuthoritative);
  EXPECT_EQ(k["_tcp.mail.example.org."], NameKind::kEmptyNonTerminal);
  EXPECT_EQ(k["sub.example.org."], NameKind::kDelegation);
  EXPECT_EQ(k["ns.sub.example.org."], NameKind::kNonAuthoritative);
  EXPECT_EQ(k["deep.glue.sub.example.org."], NameKind::kNonAuthoritative);
  EXPECT_EQ(k.count("glue.sub.example.org."), 0u) << "no empty non-terminal below a cut";
  EXPECT_EQ(k["a.b.insecure.example.org."], NameKind::kDelegation);
  EXPECT_EQ(k["b.insecure.example.org."], NameKind::kEmptyNonTerminal);
  EXPECT_EQ(k["insecure.example.org."], NameKind::kEmptyNonTerminal);
  EXPECT_EQ(l.negative_ttl(), 300u);
  // Canonical order.
  for (size_t i = 1; i < l.names().size(); ++i) EXPECT_LT(l.names()[i - 1].name, l.names()[i].name);
}

TEST(ZoneLayout, NamesBelowADnameAreOccludedAndOutOfZoneDataIsSkipped) {
  auto recs = test::records_from_text("example.org.", std::string(kZone) +
                                                          "old.example.org. 3600 IN DNAME example.net.\n"
                                                          "www.old.example.org. 3600 IN A 192.0.2.9\n");
  recs.push_back(zone::Record{name("www.example.net."), zone::rrtype::A, 1, 60, {192, 0, 2, 1}});
  const ZoneLayout l(name("example.org."), recs);
  auto k = kinds(l);
  EXPECT_EQ(k["old.example.org."], NameKind::kAuthoritative);
  EXPECT_EQ(k["www.old.example.org."], NameKind::kNonAuthoritative);  // RFC 6672 2.3
  EXPECT_EQ(l.skipped(), 1u);
  EXPECT_EQ(k.count("www.example.net."), 0u);
}

TEST(NsecChain, CoversAuthoritativeNamesWithDelegationBitmaps) {
  const auto recs = test::records_from_text("example.org.", kZone);
  const ZoneLayout l(name("example.org."), recs);
  const auto chain = build_nsec_chain(l, 300);
  std::map<std::string, std::string> text;
  for (const auto& r : chain) {
    EXPECT_EQ(r.ttl, 300u);
    text[r.owner.to_text()] = zone::rdata_to_text(r.type, r.rdata);
  }
  EXPECT_EQ(text.size(), 6u);  // apex, a.b.insecure, mail, _25._tcp.mail, ns1, sub
  EXPECT_EQ(text["example.org."], "a.b.insecure.example.org. NS SOA MX RRSIG NSEC");
  EXPECT_EQ(text["sub.example.org."], "example.org. NS DS RRSIG NSEC");  // no A: glue at the cut
  EXPECT_EQ(text["a.b.insecure.example.org."], "mail.example.org. NS RRSIG NSEC");
  EXPECT_EQ(text.count("ns.sub.example.org."), 0u);
  EXPECT_EQ(text.count("_tcp.mail.example.org."), 0u);
}

TEST(Nsec3Chain, HashesAuthoritativeNamesAndEmptyNonTerminals) {
  const auto recs = test::records_from_text("example.org.", kZone);
  const ZoneLayout l(name("example.org."), recs);
  auto chain = build_nsec3_chain(l, Nsec3Params{}, 300);
  ASSERT_TRUE(chain.ok()) << chain.error();
  // apex, mail, _tcp.mail (ENT), _25._tcp.mail, ns1, sub, insecure (ENT),
  // b.insecure (ENT), a.b.insecure
  EXPECT_EQ(chain->size(), 9u);
  std::map<std::string, std::string> by_owner;
  for (const auto& r : *chain) by_owner[r.owner.to_text()] = zone::rdata_to_text(r.type, r.rdata);
  auto hashed = [&](const char* n) {
    return base32hex_encode(nsec3_hash(name(n), {}, 0)) + ".example.org.";
  };
  // "1 0 0 - <next> types...": the fields after the fifth.
  auto fields = [](const std::string& t) {
    std::vector<std::string> f;
    std::istringstream in(t);
    for (std::string w; in >> w;) f.push_back(w);
    return f;
  };
  auto types_of = [&](const char* n) {
    const auto f = fields(by_owner[hashed(n)]);
    std::string out;
    for (size_t i = 5; i < f.size(); ++i) out += (out.empty() ? "" : " ") + f[i];
    return out;
  };
  EXPECT_EQ(types_of("example.org."), "NS SOA MX RRSIG NSEC3PARAM");
  EXPECT_EQ(types_of("_tcp.mail.example.org."), "");
  EXPECT_EQ(types_of("sub.example.org."), "NS DS RRSIG");
  EXPECT_EQ(types_of("a.b.insecure.example.org."), "NS");  // unsigned delegation: no RRSIG
  // The chain is closed: each next hash is another owner's hash.
  std::vector<std::string> owners, nexts;
  for (const auto& [o, t] : by_owner) {
    owners.push_back(o.substr(0, 32));
    const auto f = fields(t);
    ASSERT_GE(f.size(), 5u) << t;
    EXPECT_EQ(f[0] + f[1] + f[2] + f[3], "100-") << "SHA-1, no opt-out, 0 iterations, no salt: " << t;
    nexts.push_back(f[4]);
  }
  std::sort(nexts.begin(), nexts.end());
  EXPECT_EQ(owners, nexts);
}

TEST(Nsec3Param, RdataFields) {
  EXPECT_EQ(zone::rdata_to_text(zone::rrtype::NSEC3PARAM, nsec3param_rdata({})), "1 0 0 -");
  EXPECT_EQ(zone::rdata_to_text(zone::rrtype::NSEC3PARAM, nsec3param_rdata({12, {0xaa, 0xbb, 0xcc, 0xdd}})),
            "1 0 12 aabbccdd");
}

}  // namespace
}  // namespace mailns::dnssec

#include "zone/rr_text.hpp"

#include <gtest/gtest.h>

#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

const DnsName kOrigin = *DnsName::from_text("example.org");

// text -> wire -> text -> wire must be stable for every type we serve.
class RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTrip, TextWireText) {
  std::string err;
  auto r1 = record_from_text(GetParam(), kOrigin, 3600, &err);
  ASSERT_TRUE(r1) << err;
  const std::string text = record_to_text(r1->owner, r1->type, r1->ttl, r1->rdata);
  auto r2 = record_from_text(text, kOrigin, 3600, &err);
  ASSERT_TRUE(r2) << err << " from " << text;
  EXPECT_EQ(r1->owner, r2->owner);
  EXPECT_EQ(r1->type, r2->type);
  EXPECT_EQ(r1->ttl, r2->ttl);
  EXPECT_EQ(r1->rdata, r2->rdata) << text;
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, RoundTrip,
    ::testing::Values(
        "www 300 IN A 192.0.2.80", "www 300 IN AAAA 2001:db8::80", "@ 300 IN NS ns1.example.org.",
        "alias 300 IN CNAME mail", "@ 300 IN SOA ns1 hostmaster 2026112601 7200 3600 1209600 300",
        "@ 300 IN MX 10 mail.example.org.", "@ 300 IN TXT \"v=spf1 mx -all\"",
        "@ 300 IN TXT \"part one\" \"part two\" \"with \\\"quotes\\\"\"",
        "_imaps._tcp 300 IN SRV 0 1 993 mail.example.org.", "@ 300 IN CAA 0 issue \"letsencrypt.org\"",
        "@ 300 IN CAA 128 iodef \"mailto:postmaster@example.org\"",
        "_25._tcp.mail 300 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
        "10.2.0.192.in-addr.arpa. 300 IN PTR mail.example.org.",
        "sub 300 IN DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
        "@ 300 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
        "@ 300 IN CDS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
        "@ 300 IN CDNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
        "@ 300 IN RRSIG SOA 13 2 300 20261210000000 20261126000000 12345 example.org. "
        "dGVzdHNpZ25hdHVyZXRlc3RzaWduYXR1cmU=",
        "@ 300 IN NSEC mail.example.org. A NS SOA MX TXT RRSIG NSEC DNSKEY",
        "2t7b4g4vsa5smi47k61mv5bv1a22bojr 300 IN NSEC3 1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJS A RRSIG",
        "2t7b4g4vsa5smi47k61mv5bv1a22bojr 300 IN NSEC3 1 1 10 aabbccdd 2T7B4G4VSA5SMI47K61MV5BV1A22BOJS MX",
        "@ 0 IN NSEC3PARAM 1 0 0 -", "svc 300 IN SVCB 1 svc.example.net. alpn=h2,h3 port=8443",
        "@ 300 IN HTTPS 1 . alpn=h2 ipv4hint=192.0.2.1", "x 300 IN TYPE65000 \\# 3 abcdef",
        "x 300 IN TYPE65001 \\# 0"));

TEST(RrText, LongTxtIsSplitIn255OctetStrings) {
  // A DKIM RSA key is longer than one character-string.
  const std::string key(400, 'A');
  std::string err;
  auto r = record_from_text("k._domainkey 300 IN TXT \"" + key.substr(0, 255) + "\" \"" + key.substr(255) + "\"",
                            kOrigin, 300, &err);
  ASSERT_TRUE(r) << err;
  ASSERT_EQ(r->rdata.size(), 400u + 2);
  EXPECT_EQ(r->rdata[0], 255);
  EXPECT_EQ(r->rdata[256], 145);
  // A single string over 255 octets is a syntax error, not a silent cut.
  EXPECT_FALSE(record_from_text("k 300 IN TXT \"" + key + "\"", kOrigin, 300, &err));
}

TEST(RrText, UnknownTypeIsPrintedGeneric) {
  auto r = record_from_text("x 300 IN TYPE65000 \\# 3 abcdef", kOrigin, 300, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(record_to_text(r->owner, r->type, r->ttl, r->rdata), "x.example.org.\t300\tIN\tTYPE65000\t\\# 3 abcdef");
}

TEST(RrText, RejectsGarbage) {
  std::string err;
  EXPECT_FALSE(record_from_text("www 300 IN A 300.1.1.1", kOrigin, 300, &err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(record_from_text("www 300 IN MX mail", kOrigin, 300, &err));
}

TEST(RrType, Mnemonics) {
  EXPECT_EQ(type_to_text(rrtype::TLSA), "TLSA");
  EXPECT_EQ(type_to_text(65000), "TYPE65000");
  EXPECT_EQ(type_from_text("mx"), rrtype::MX);
  EXPECT_EQ(type_from_text("TYPE65000"), 65000);
  EXPECT_FALSE(type_from_text("NOPE"));
  EXPECT_FALSE(type_from_text("TYPE70000"));
}

TEST(RrType, RdataNamesAndCompressibility) {
  auto mx = record_from_text("@ 300 IN MX 10 mail", kOrigin, 300, nullptr);
  RdataName n[2];
  ASSERT_EQ(rdata_names(rrtype::MX, mx->rdata, n), 1);
  EXPECT_EQ(n[0].offset, 2);
  EXPECT_TRUE(n[0].compressible);
  auto srv = record_from_text("s 300 IN SRV 0 1 993 mail", kOrigin, 300, nullptr);
  ASSERT_EQ(rdata_names(rrtype::SRV, srv->rdata, n), 1);
  EXPECT_FALSE(n[0].compressible);  // RFC 2782: no compression in SRV
  const uint8_t bad_a[] = {1, 2, 3};
  EXPECT_EQ(rdata_names(rrtype::A, bad_a, n), -1);
}

}  // namespace
}  // namespace mailns::zone

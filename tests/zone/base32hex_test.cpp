// base32hex (RFC 4648 7) as NSEC3 owner labels use it, and the zone builder's
// indexing of NSEC3 owners by the hash their label decodes to.
#include "zone/base32hex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {
namespace {

std::vector<uint8_t> octets(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base32Hex, Rfc4648Vectors) {
  // RFC 4648 10, extended hex alphabet, lower case, padding left out.
  const std::pair<const char*, const char*> cases[] = {{"", ""},           {"f", "co"},          {"fo", "cpng"},
                                                       {"foo", "cpnmu"},   {"foob", "cpnmuog"},  {"fooba", "cpnmuoj1"},
                                                       {"foobar", "cpnmuoj1e8"}};
  for (const auto& [plain, coded] : cases) {
    EXPECT_EQ(base32hex_encode(octets(plain)), coded) << plain;
    const auto back = base32hex_decode(coded);
    ASSERT_TRUE(back) << coded;
    EXPECT_EQ(*back, octets(plain)) << coded;
  }
}

TEST(Base32Hex, RoundTripsEveryOctetValueAndLength) {
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  for (size_t n = 0; n <= 25; ++n) {
    const std::vector<uint8_t> part(all.end() - static_cast<ptrdiff_t>(n), all.end());
    EXPECT_EQ(base32hex_decode(base32hex_encode(part)), part) << n;
  }
  EXPECT_EQ(base32hex_decode(base32hex_encode(all)), all);
}

TEST(Base32Hex, DecodesEitherCase) {
  EXPECT_EQ(base32hex_decode("CPNMUOJ1E8"), octets("foobar"));
  EXPECT_EQ(base32hex_decode("CpNmUoJ1e8"), octets("foobar"));
  EXPECT_EQ(base32hex_decode("VVVVVVVV"), (std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff, 0xff}));
}

TEST(Base32Hex, RejectsWhatNoOctetsEncodeTo) {
  EXPECT_FALSE(base32hex_decode("cpnmuoj1e8=="));  // padding
  EXPECT_FALSE(base32hex_decode("cpnmw"));         // 'w' is past the alphabet
  EXPECT_FALSE(base32hex_decode("cpn-muo"));
  EXPECT_FALSE(base32hex_decode("cpnmuo j1"));
  EXPECT_FALSE(base32hex_decode("c"));             // less than an octet
  EXPECT_FALSE(base32hex_decode("cpn"));           // 15 bits: a whole character left over
  EXPECT_FALSE(base32hex_decode("cp"));            // 10 bits: the two left over are not zero
}

// A zone whose NSEC3 owners are indexed by hash (denial mode NSEC3).
std::string nsec3_zone(const std::string& owner_label) {
  return "$ORIGIN example.\n$TTL 3600\n"
         "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
         "@ NS ns1\n"
         "ns1 A 192.0.2.53\n"
         "@ NSEC3PARAM 1 0 0 -\n" +
         owner_label + " NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A RRSIG\n";
}

TEST(Base32Hex, ZoneIndexesNsec3OwnersByTheirHash) {
  auto z = test::zone_from_text("example", nsec3_zone("2T7B4G4VSA5SMI47K61MV5BV1A22BOJR"));
  ASSERT_TRUE(z);
  EXPECT_EQ(z->denial(), Denial::kNsec3);
  const auto hash = base32hex_decode("2t7b4g4vsa5smi47k61mv5bv1a22bojr");
  ASSERT_TRUE(hash && hash->size() == 20);
  Nsec3Hash h{};
  std::copy(hash->begin(), hash->end(), h.begin());
  EXPECT_NE(z->nsec3_match(h), nullptr);
}

TEST(Base32Hex, ZoneIgnoresNsec3OwnerLabelsThatAreNotAHash) {
  // 31 characters (19 octets), 33 (20 octets and a character left over) and
  // 34 (21 octets): none is the base32hex of a SHA-1 hash.
  for (const char* label : {"2t7b4g4vsa5smi47k61mv5bv1a22boj", "2t7b4g4vsa5smi47k61mv5bv1a22bojr0",
                            "2t7b4g4vsa5smi47k61mv5bv1a22bojr00", "2t7b4g4vsa5smi47k61mv5bv1a22bojw"}) {
    auto res = load_zone_text(nsec3_zone(label), *DnsName::from_text("example"), "example");
    ASSERT_TRUE(res.zone) << label;
    size_t count = 0;
    res.zone->for_each_nsec3_node([&](const Node&) { ++count; });
    EXPECT_EQ(count, 0u) << label;
    EXPECT_TRUE(std::any_of(res.warnings.begin(), res.warnings.end(),
                            [](const std::string& w) { return w.find("not a base32hex hash") != std::string::npos; }))
        << label;
  }
}

}  // namespace
}  // namespace mailns::zone

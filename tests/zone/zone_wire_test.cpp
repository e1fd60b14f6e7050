// zone/zone_wire: the zone archive's wire form. A zone read back is the
// zone written, and damaged bytes are refused as a whole.
#include "zone/zone_wire.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "zone/record_stream.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

// Signer output as well (RRSIG, NSEC3PARAM, NSEC3): the records are not
// checked against keys here, only carried.
constexpr const char* kSignedZone = R"(
$ORIGIN example.org.
$TTL 3600
@ IN SOA ns1 hostmaster 2026112601 7200 3600 1209600 300
@ 3600 IN RRSIG SOA 13 2 3600 20261231000000 20261101000000 12345 example.org. AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==
@ NS ns1
@ NS ns2.example.net.
@ MX 10 mail
@ TXT "v=spf1 mx -all"
@ NSEC3PARAM 1 0 0 -
ns1 A 192.0.2.53
mail A 192.0.2.10
mail AAAA 2001:db8::10
_25._tcp.mail TLSA 3 1 1 a7a4b3b68fe36d89a6515cc95fcc5ee716e3e5a7fc74cb1683ce160b55af4a43
www CNAME mail
_imaps._tcp SRV 0 1 993 mail
q04jkcevqvmu85r014c7dkba38o0ji5r 300 IN NSEC3 1 0 0 - q04jkcevqvmu85r014c7dkba38o0ji5s A RRSIG
)";

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

DnsName origin() { return *DnsName::from_text("example.org."); }

TEST(ZoneWire, AZoneReadBackIsTheZoneWritten) {
  for (const char* text : {kSignedZone, test::kMailZone}) {
    auto zone = test::zone_from_text("example.org.", text);
    ASSERT_TRUE(zone);
    const std::string wire = encode_zone(*zone);
    EXPECT_TRUE(is_encoded_zone(wire));
    auto back = decode_zone(bytes_of(wire), origin(), "archive");
    ASSERT_TRUE(back.zone) << (back.errors.empty() ? "" : back.errors.front());
    EXPECT_EQ(export_zone(*back.zone), export_zone(*zone));
    EXPECT_EQ(back.zone->record_count(), zone->record_count());
    EXPECT_EQ(encode_zone(*back.zone), wire);
  }
  EXPECT_FALSE(is_encoded_zone(export_zone(*test::zone_from_text("example.org.", test::kMailZone))));
}

TEST(ZoneWire, DamagedBytesAreRefusedAsAWhole) {
  const std::string wire = encode_zone(*test::zone_from_text("example.org.", kSignedZone));
  for (size_t n = 0; n < wire.size(); ++n) {
    auto r = decode_zone(bytes_of(wire.substr(0, n)), origin(), "archive");
    EXPECT_FALSE(r.zone) << "truncated to " << n;
    EXPECT_FALSE(r.errors.empty());
  }
  auto longer = decode_zone(bytes_of(wire + '\0'), origin(), "archive");
  ASSERT_FALSE(longer.zone);
  EXPECT_EQ(longer.errors.front(), "archive: octets after the last record");
  auto other = decode_zone(bytes_of(wire), *DnsName::from_text("example.net."), "archive");
  ASSERT_FALSE(other.zone);
  EXPECT_EQ(other.errors.front(), "archive: holds zone example.org., not example.net.");
}

// Hand-made files: one record after the origin.
std::string file_with(const DnsName& owner, uint16_t type, std::vector<uint8_t> rdata) {
  std::string out = "MLNSZON1";
  const DnsName apex = origin();
  const auto o = apex.wire();
  out.push_back(static_cast<char>(o.size()));
  out.append(reinterpret_cast<const char*>(o.data()), o.size());
  put_u32(out, 1);
  put_record(out, owner, type, 3600, rdata);
  return out;
}

TEST(ZoneWire, RdataMalformedForItsTypeAndMetaTypesAreRefused) {
  // An MX whose exchange name runs past its RDATA.
  auto mx = decode_zone(bytes_of(file_with(origin(), rrtype::MX, {0, 10, 4, 'm', 'a'})), origin(), "archive");
  ASSERT_FALSE(mx.zone);
  EXPECT_NE(mx.errors.front().find("RDATA malformed for its type"), std::string::npos) << mx.errors.front();
  auto any = decode_zone(bytes_of(file_with(origin(), rrtype::ANY, {})), origin(), "archive");
  ASSERT_FALSE(any.zone);
  EXPECT_NE(any.errors.front().find("meta type"), std::string::npos) << any.errors.front();
  // Well-formed, but no SOA: what a master file without one gets.
  auto a = decode_zone(bytes_of(file_with(origin(), rrtype::A, {192, 0, 2, 1})), origin(), "archive");
  EXPECT_FALSE(a.zone);
  EXPECT_FALSE(a.errors.empty());
}

}  // namespace
}  // namespace mailns::zone

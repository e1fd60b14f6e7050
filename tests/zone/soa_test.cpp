// soa_minimum: MINIMUM is read from the end of the RDATA, whatever the names
// before it; RDATA too short for the five fixed fields has none.
#include "zone/soa.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "zone/rr_text.hpp"

namespace mailns::zone {
namespace {

TEST(SoaMinimum, ReadsTheLastFieldAfterTheNames) {
  const DnsName origin = *DnsName::from_text("example.org");
  std::string err;
  auto soa = record_from_text("@ 3600 IN SOA ns1.example.org. hostmaster.example.org. 2026112601 7200 3600 "
                              "1209600 4294967295",
                              origin, 3600, &err);
  ASSERT_TRUE(soa) << err;
  EXPECT_EQ(soa_minimum(soa->rdata), 4294967295u);
  soa = record_from_text("@ 3600 IN SOA . . 1 2 3 4 300", origin, 3600, &err);
  ASSERT_TRUE(soa) << err;
  EXPECT_EQ(soa_minimum(soa->rdata), 300u);
}

TEST(SoaMinimum, NeedsTheFiveFixedFields) {
  std::vector<uint8_t> rd(20, 0);
  rd[16] = 0x01;
  rd[19] = 0x2c;
  EXPECT_EQ(soa_minimum(rd), 0x0100002Cu);
  rd.pop_back();
  EXPECT_EQ(soa_minimum(rd), std::nullopt);
  EXPECT_EQ(soa_minimum({}), std::nullopt);
}

}  // namespace
}  // namespace mailns::zone

// SOA serial arithmetic (zone/soa_serial): YYYYMMDDnn serials, RFC 1982
// comparison, and reading and rewriting the serial in a record list.
#include "zone/soa_serial.hpp"

#include <gtest/gtest.h>

#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

TEST(SoaSerialTest, TodayOrNext) {
  const int64_t t = 1795000000;  // 2026-11-18 UTC
  EXPECT_EQ(first_serial_of_day(t), 2026111801u);
  EXPECT_EQ(next_serial(7, t), 2026111801u);
  EXPECT_EQ(next_serial(2026111801, t), 2026111802u);
  EXPECT_EQ(next_serial(2026111899, t), 2026111900u);  // 100 changes in a day: borrows from tomorrow
  EXPECT_EQ(next_serial(2030010101, t), 2030010102u);  // ahead of the date: keep counting
  EXPECT_EQ(next_serial(4294967295u, t), 2026111801u);  // 2^32-1 is "before" today's in RFC 1982
  EXPECT_TRUE(serial_greater(1, 4294967295u));
  EXPECT_FALSE(serial_greater(5, 5));
}

TEST(SoaSerialTest, ReadAndWriteInRecords) {
  auto origin = *DnsName::from_text("example.net");
  std::vector<Record> recs;
  Record soa{origin, rrtype::SOA, 1, 3600, std::vector<uint8_t>(2 + 20, 0)};
  soa.rdata[0] = 0;  // root MNAME
  soa.rdata[1] = 0;  // root RNAME
  recs.push_back(soa);
  EXPECT_EQ(soa_serial(recs, origin), 0u);
  EXPECT_TRUE(set_soa_serial(recs, origin, 2026111805));
  EXPECT_EQ(soa_serial(recs, origin), 2026111805u);
  EXPECT_FALSE(set_soa_serial(recs, *DnsName::from_text("other.net"), 1));
}

}  // namespace
}  // namespace mailns::zone

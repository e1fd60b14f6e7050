// Declaration dates (synth/date_time): YYYY-MM-DD at midnight UTC and RFC
// 3339 date-times with Z or an offset; impossible dates and stray text are
// rejected.
#include "synth/date_time.hpp"

#include <gtest/gtest.h>

namespace mailns::synth {
namespace {

TEST(DateTimeTest, DateIsMidnightUtc) {
  EXPECT_EQ(parse_date_time("1970-01-01"), 0);
  EXPECT_EQ(parse_date_time("2026-12-01"), 1796083200);
  EXPECT_EQ(parse_date_time("2000-02-29"), 951782400);  // leap year (divisible by 400)
}

TEST(DateTimeTest, Rfc3339DateTimes) {
  EXPECT_EQ(parse_date_time("2026-12-01T09:30:00Z"), 1796083200 + 9 * 3600 + 30 * 60);
  EXPECT_EQ(parse_date_time("2026-12-01t09:30:00z"), 1796083200 + 9 * 3600 + 30 * 60);
  EXPECT_EQ(parse_date_time("2026-12-01 09:30:00Z"), 1796083200 + 9 * 3600 + 30 * 60);  // RFC 3339 5.6 NOTE
  EXPECT_EQ(parse_date_time("2026-12-01T09:30:00.250Z"), 1796083200 + 9 * 3600 + 30 * 60);
  EXPECT_EQ(parse_date_time("2026-12-01T11:30:00+02:00"), 1796083200 + 9 * 3600 + 30 * 60);
  EXPECT_EQ(parse_date_time("2026-11-30T23:30:00-10:00"), 1796083200 + 9 * 3600 + 30 * 60);
}

TEST(DateTimeTest, RejectsWhatIsNotADate) {
  for (const char* bad : {"", "2026", "2026-1-5", "2026-13-01", "2026-00-10", "2026-02-29", "2026-04-31",
                          "2026-12-01T", "2026-12-01T09:30Z", "2026-12-01T24:00:00Z", "2026-12-01T09:30:00",
                          "2026-12-01T09:30:00+0200", "2026-12-01T09:30:00Z ", "2026-12-01x", "tomorrow"})
    EXPECT_FALSE(parse_date_time(bad)) << bad;
}

}  // namespace
}  // namespace mailns::synth

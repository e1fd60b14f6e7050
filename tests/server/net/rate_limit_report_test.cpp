// RateLimitReport: one line at most a second, quiet while nothing is limited.
#include "server/net/rate_limit_report.hpp"

#include <gtest/gtest.h>

namespace mailns::server {
namespace {

TEST(RateLimitReport, OneLineASecondWithTheChangeByKind) {
  RateLimitReport report;
  NetTotals t;
  EXPECT_EQ(report.update(t, 100), "");  // nothing limited
  t.rate_dropped[0] = 30;
  t.rate_slipped[0] = 30;
  t.rate_dropped[2] = 4;
  EXPECT_EQ(report.update(t, 100),
            "rate limit: 34 responses dropped and 30 slipped (sent empty with TC) in the last 1 s "
            "(positive 60, nxdomain 4)");
  t.rate_dropped[0] = 50;
  EXPECT_EQ(report.update(t, 100), "") << "at most one line a second";
  EXPECT_EQ(report.update(t, 101), "rate limit: 20 responses dropped and 0 slipped (sent empty with TC) in the "
                                   "last 1 s (positive 20)");
  EXPECT_EQ(report.update(t, 105), "") << "quiet when nothing changed";
}

}  // namespace
}  // namespace mailns::server

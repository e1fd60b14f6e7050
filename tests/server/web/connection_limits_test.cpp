// The endpoint's connection limits (server/web/connection_limits) and the
// log budget for bad clients (server/web/log_budget).
#include "server/web/connection_limits.hpp"

#include <gtest/gtest.h>

#include "server/web/log_budget.hpp"

namespace mailns::server {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(ConnectionLimitsTest, PerAddressThenTotal) {
  ConnectionLimits limits(3, 2);
  using V = ConnectionLimits::Verdict;
  EXPECT_EQ(limits.try_acquire(ip("192.0.2.1")), V::kAccepted);
  EXPECT_EQ(limits.try_acquire(ip("192.0.2.1")), V::kAccepted);
  EXPECT_EQ(limits.try_acquire(ip("192.0.2.1")), V::kAddressFull);
  EXPECT_EQ(limits.try_acquire(ip("2001:db8::1")), V::kAccepted);
  EXPECT_EQ(limits.try_acquire(ip("192.0.2.2")), V::kServerFull);
  limits.release(ip("192.0.2.1"));
  EXPECT_EQ(limits.open(), 2u);
  EXPECT_EQ(limits.try_acquire(ip("192.0.2.2")), V::kAccepted);
}

TEST(ConnectionLimitsTest, ReleaseOfUnknownAddressIsIgnored) {
  ConnectionLimits limits(1, 1);
  limits.release(ip("192.0.2.9"));
  EXPECT_EQ(limits.open(), 0u);
  EXPECT_EQ(limits.try_acquire(ip("192.0.2.9")), ConnectionLimits::Verdict::kAccepted);
}

TEST(LogBudgetTest, AFewLinesPerSecondAndTheDroppedCount) {
  LogBudget budget(2);
  const auto t0 = LogBudget::Clock::now();
  uint64_t dropped = 99;
  EXPECT_TRUE(budget.allow(&dropped, t0));
  EXPECT_EQ(dropped, 0u);
  EXPECT_TRUE(budget.allow(&dropped, t0));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(budget.allow(&dropped, t0));
  EXPECT_TRUE(budget.allow(&dropped, t0 + std::chrono::milliseconds(1001)));
  EXPECT_EQ(dropped, 5u);
}

}  // namespace
}  // namespace mailns::server

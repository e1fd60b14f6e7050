// TcpConnectionLimit (per-address slots), TcpDeadline (idle and I/O
// deadlines) and TcpIdleList (eviction order), without sockets.
#include <gtest/gtest.h>

#include "server/net/tcp_connection_limit.hpp"
#include "server/net/tcp_deadline.hpp"
#include "server/net/tcp_idle_list.hpp"

namespace mailns::server {
namespace {

using std::chrono::seconds;
using Phase = TcpDeadline::Phase;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(TcpConnectionLimit, PerAddressSlotsAreCountedPerAddress) {
  TcpConnectionLimit limit(256, 2);
  EXPECT_TRUE(limit.try_acquire_address(ip("192.0.2.1")));
  EXPECT_TRUE(limit.try_acquire_address(ip("192.0.2.1")));
  EXPECT_FALSE(limit.try_acquire_address(ip("192.0.2.1")));
  EXPECT_TRUE(limit.try_acquire_address(ip("192.0.2.2")));  // a /32 each
  EXPECT_TRUE(limit.try_acquire_address(ip("2001:db8::1")));
  EXPECT_TRUE(limit.try_acquire_address(ip("2001:db8::1")));
  EXPECT_FALSE(limit.try_acquire_address(ip("2001:db8::1")));
  EXPECT_TRUE(limit.try_acquire_address(ip("2001:db8::2")));  // a /128 each
  EXPECT_EQ(limit.open_from(ip("192.0.2.1")), 2u);
  limit.release_address(ip("192.0.2.1"));
  EXPECT_EQ(limit.open_from(ip("192.0.2.1")), 1u);
  EXPECT_TRUE(limit.try_acquire_address(ip("192.0.2.1")));
  limit.release_address(ip("192.0.2.2"));
  EXPECT_EQ(limit.open_from(ip("192.0.2.2")), 0u);
  limit.release_address(ip("192.0.2.9"));  // never taken: no effect
  EXPECT_EQ(limit.open_from(ip("192.0.2.9")), 0u);
}

TEST(TcpConnectionLimit, TotalIsCapped) {
  TcpConnectionLimit limit(2, 32);
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_FALSE(limit.try_acquire());
  limit.release();
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_EQ(limit.open(), 2u);
}

TEST(TcpDeadline, IdleThenMessageUsesTheIoTimeoutFromTheFirstByte) {
  const auto t0 = TcpDeadline::Clock::time_point{} + seconds(100);
  TcpDeadline d(seconds(10), seconds(2), t0);
  EXPECT_EQ(d.deadline(), t0 + seconds(10));
  d.enter(Phase::kMessage, t0 + seconds(5));
  EXPECT_EQ(d.deadline(), t0 + seconds(7));
  // More bytes of the same message (dribbling) extend nothing.
  d.enter(Phase::kMessage, t0 + seconds(6));
  d.progress(t0 + seconds(6));
  EXPECT_EQ(d.deadline(), t0 + seconds(7));
}

TEST(TcpDeadline, AnsweredMessageRestartsTheIdleTimeout) {
  const auto t0 = TcpDeadline::Clock::time_point{} + seconds(100);
  TcpDeadline d(seconds(10), seconds(2), t0);
  d.enter(Phase::kMessage, t0 + seconds(1));
  d.enter(Phase::kBusy, t0 + seconds(2));
  EXPECT_EQ(d.deadline(), t0 + seconds(12));
  d.enter(Phase::kIdle, t0 + seconds(3));
  EXPECT_EQ(d.deadline(), t0 + seconds(13));
  EXPECT_EQ(d.since(), t0 + seconds(3));
  d.enter(Phase::kIdle, t0 + seconds(8));  // staying idle does not extend it
  EXPECT_EQ(d.deadline(), t0 + seconds(13));
}

TEST(TcpDeadline, SlowReaderKeepsItsConnectionWhileWritesProgress) {
  const auto t0 = TcpDeadline::Clock::time_point{} + seconds(100);
  TcpDeadline d(seconds(10), seconds(2), t0);
  d.enter(Phase::kBusy, t0);
  for (int i = 1; i <= 5; ++i) d.progress(t0 + seconds(9 * i));  // a write completes every 9 s
  EXPECT_EQ(d.deadline(), t0 + seconds(55));
}

struct Entry final : TcpIdleEntry {
  int evicted = 0;
  void evict() override { ++evicted; }
};

TEST(TcpIdleList, OldestIdleFirst) {
  TcpIdleList list;
  Entry a, b, c;
  EXPECT_EQ(list.oldest(), nullptr);
  list.push_back(a);
  list.push_back(b);
  list.push_back(c);
  EXPECT_EQ(list.oldest(), &a);
  list.remove(a);  // a got a query
  EXPECT_FALSE(a.linked());
  EXPECT_EQ(list.oldest(), &b);
  list.push_back(a);  // idle again: now the most recent
  list.remove(b);
  list.remove(b);  // twice is harmless
  EXPECT_EQ(list.oldest(), &c);
  list.remove(c);
  EXPECT_EQ(list.oldest(), &a);
  list.remove(a);
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace mailns::server

// Response rate limiting: the token buckets of ResponseRateLimiter and
// their use by handle_query (UDP only, a valid server cookie exempt).
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"
#include "zone/handle_query.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

using namespace test;

const std::vector<uint8_t> kA = {192, 0, 2, 1};
const std::vector<uint8_t> kName = {3, 'o', 'r', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e'};
constexpr uint32_t kNow = 1'800'000'000;

struct Tally {
  int sent = 0, dropped = 0, slipped = 0;
};

Tally run(ResponseRateLimiter& l, const std::vector<uint8_t>& address, int n, uint32_t now,
          ResponseKind kind = ResponseKind::kPositive, const std::vector<uint8_t>& name = kName) {
  Tally t;
  for (int i = 0; i < n; ++i) {
    switch (l.account(address, kind, 15, name, now)) {
      case RateDecision::kSend: ++t.sent; break;
      case RateDecision::kDrop: ++t.dropped; break;
      case RateDecision::kSlip: ++t.slipped; break;
    }
  }
  return t;
}

TEST(RateLimiter, RateThenEverySlipthIsSlippedAndRefillsEachSecond) {
  ResponseRateLimiter l({.responses_per_second = 5, .slip = 2}, 5);
  Tally t = run(l, kA, 25, kNow);
  EXPECT_EQ(t.sent, 5);
  EXPECT_EQ(t.slipped, 10);
  EXPECT_EQ(t.dropped, 10);
  t = run(l, kA, 25, kNow + 1);
  EXPECT_EQ(t.sent, 5);
  t = run(l, kA, 25, kNow + 100);  // never more than one second's worth
  EXPECT_EQ(t.sent, 5);
  EXPECT_EQ(l.stats().slipped[0].load() + l.stats().dropped[0].load(), 60u);
}

TEST(RateLimiter, SlipZeroDropsAllSlipOneSlipsAll) {
  ResponseRateLimiter none({.responses_per_second = 1, .slip = 0}, 1);
  EXPECT_EQ(run(none, kA, 11, kNow).dropped, 10);
  ResponseRateLimiter all({.responses_per_second = 1, .slip = 1}, 1);
  EXPECT_EQ(run(all, kA, 11, kNow).slipped, 10);
}

TEST(RateLimiter, BucketsByNetworkKindAndName) {
  ResponseRateLimiter l({.responses_per_second = 3, .slip = 2, .ipv4_prefix = 24, .ipv6_prefix = 56}, 3);
  EXPECT_EQ(run(l, kA, 10, kNow).sent, 3);
  EXPECT_EQ(run(l, {192, 0, 2, 200}, 10, kNow).sent, 0) << "same /24";
  EXPECT_EQ(run(l, {192, 0, 3, 1}, 10, kNow).sent, 3) << "another /24";
  EXPECT_EQ(run(l, kA, 10, kNow, ResponseKind::kNxDomain).sent, 3) << "another kind";
  EXPECT_EQ(run(l, kA, 10, kNow, ResponseKind::kPositive, {3, 'c', 'o', 'm'}).sent, 3) << "another name";
  std::vector<uint8_t> v6(16, 0x20);
  EXPECT_EQ(run(l, v6, 10, kNow).sent, 3);
  v6[7] ^= 0xFF;  // below /56
  EXPECT_EQ(run(l, v6, 10, kNow).sent, 0) << "same /56";
  v6[6] ^= 0xFF;
  EXPECT_EQ(run(l, v6, 10, kNow).sent, 3) << "another /56";
}

TEST(RateLimiter, TableStaysBoundedUnderManySources) {
  ResponseRateLimiter l({.responses_per_second = 2, .slip = 2}, 2, 64);
  for (int i = 0; i < 100000; ++i) {
    const std::vector<uint8_t> a = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                    static_cast<uint8_t>(i)};
    l.account(a, ResponseKind::kPositive, 1, kName, kNow);
  }
  // A bucket pushed out starts again full: limiting is never stricter than asked.
  EXPECT_EQ(run(l, kA, 2, kNow).sent, 2);
}

class RateLimitedQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    snap_ = snapshot_of({zone_from_text("example.org", kMailZone)});
    secrets_.current.bytes = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 1, 2, 3};
  }

  std::vector<uint8_t> ask(const std::vector<uint8_t>& q, Transport t = Transport::kUdp,
                           QueryOutcome* outcome = nullptr) {
    QueryEnv env{kA, kNow, &secrets_, &limiter_};
    std::vector<uint8_t> out(65535);
    out.resize(handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), *snap_, t, &env));
    if (outcome) *outcome = env.outcome;
    return out;
  }

  std::shared_ptr<Snapshot> snap_;
  CookieSecrets secrets_;
  ResponseRateLimiter limiter_{{.responses_per_second = 4, .slip = 2}, 4};
};

TEST_F(RateLimitedQueries, UdpFloodIsLimitedSlippedAnswersAreEmptyAndTruncated) {
  const auto q = make_query("example.org", rrtype::MX, {.edns = true});
  int full = 0, slipped = 0, dropped = 0;
  for (int i = 0; i < 20; ++i) {
    QueryOutcome o;
    const auto r = ask(q, Transport::kUdp, &o);
    if (o == QueryOutcome::kRateDropped) {
      EXPECT_TRUE(r.empty());
      ++dropped;
    } else if (o == QueryOutcome::kRateSlipped) {
      ASSERT_GE(r.size(), 12u);
      EXPECT_TRUE(r[2] & 0x02) << "TC";
      EXPECT_EQ(r[6] << 8 | r[7], 0) << "no answer";
      EXPECT_LT(r.size(), q.size() + 12) << "no bigger than the query plus an OPT";
      ++slipped;
    } else {
      EXPECT_EQ(r[6] << 8 | r[7], 1);  // the MX
      ++full;
    }
  }
  EXPECT_EQ(full, 4);
  EXPECT_EQ(slipped, 8);
  EXPECT_EQ(dropped, 8);
}

TEST_F(RateLimitedQueries, RandomNamesShareTheirZonesNxdomainBucket) {
  int full = 0;
  for (int i = 0; i < 20; ++i) {
    const auto r = ask(make_query("r" + std::to_string(i) + ".example.org", rrtype::A));
    if (!r.empty() && (r[3] & 0xF) == 3 && !(r[2] & 0x02)) ++full;
  }
  EXPECT_EQ(full, 4);
}

TEST_F(RateLimitedQueries, TcpAndValidCookiesAreNeverLimited) {
  const auto q = make_query("example.org", rrtype::MX);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ask(q, Transport::kTcp)[7], 1) << i;
  // Learn a cookie (this response is charged), then flood with it.
  const std::vector<uint8_t> client = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  const auto first = ask(make_query("mail.example.org", rrtype::A, {.edns = true, .options = client}));
  const auto opts = response_opt_options(first);
  ASSERT_EQ(opts.size(), 4 + kCookieReplySize);
  const auto with_cookie = make_query("mail.example.org", rrtype::A, {.edns = true, .options = opts});
  for (int i = 0; i < 20; ++i) {
    QueryOutcome o;
    const auto r = ask(with_cookie, Transport::kUdp, &o);
    EXPECT_EQ(o, QueryOutcome::kAnswered) << i;
    EXPECT_FALSE(r[2] & 0x02) << i;
  }
  // The client cookie alone proves nothing: limited.
  int limited = 0;
  for (int i = 0; i < 20; ++i) {
    QueryOutcome o;
    ask(make_query("mail.example.org", rrtype::A, {.edns = true, .options = client}), Transport::kUdp, &o);
    limited += o != QueryOutcome::kAnswered;
  }
  EXPECT_GE(limited, 16);
}

}  // namespace
}  // namespace mailns::zone

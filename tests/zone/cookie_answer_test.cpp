// DNS cookies in handle_query (RFC 7873 5.2, 5.4): which responses carry
// one, FORMERR for a malformed option, BADCOOKIE for a cookie-only request
// without a valid server cookie, and nothing when cookies are off.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"
#include "zone/handle_query.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

using namespace test;

const std::vector<uint8_t> kClient = {1, 2, 3, 4, 5, 6, 7, 8};
const std::vector<uint8_t> kAddress = {127, 0, 0, 1};
constexpr uint32_t kNow = 1'800'000'000;

std::vector<uint8_t> cookie_option(const std::vector<uint8_t>& value) {
  std::vector<uint8_t> v = {0, 10, 0, static_cast<uint8_t>(value.size())};
  v.insert(v.end(), value.begin(), value.end());
  return v;
}

class CookieAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snap_ = snapshot_of({zone_from_text("example.org", kMailZone)});
    secrets_.current.bytes = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
  }

  std::vector<uint8_t> ask(const std::vector<uint8_t>& q, bool cookies = true, Transport t = Transport::kUdp) {
    QueryEnv env{kAddress, kNow, cookies ? &secrets_ : nullptr, nullptr};
    std::vector<uint8_t> out(65535);
    out.resize(handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), *snap_, t, &env));
    return out;
  }

  std::vector<uint8_t> ask_with_cookie(const std::string& name, const std::vector<uint8_t>& cookie, bool cookies = true,
                                       Transport t = Transport::kUdp) {
    return ask(make_query(name, rrtype::MX, {.edns = true, .options = cookie_option(cookie)}), cookies, t);
  }

  // The COOKIE option's value in a response, empty without one.
  static std::vector<uint8_t> returned_cookie(const std::vector<uint8_t>& r) {
    const auto o = response_opt_options(r);
    for (size_t at = 0; at + 4 <= o.size(); at += 4 + (o[at + 2] << 8 | o[at + 3]))
      if ((o[at] << 8 | o[at + 1]) == 10) return {o.begin() + at + 4, o.begin() + at + 4 + (o[at + 2] << 8 | o[at + 3])};
    return {};
  }

  std::shared_ptr<Snapshot> snap_;
  CookieSecrets secrets_;
};

int rcode_of(const std::vector<uint8_t>& r) { return r[3] & 0xF; }
int ancount_of(const std::vector<uint8_t>& r) { return r[6] << 8 | r[7]; }

TEST_F(CookieAnswerTest, ClientCookieGetsAServerCookieOnEveryPath) {
  for (const char* name : {"example.org", "nope.example.org"}) {  // prepared MX; resolved NXDOMAIN
    for (Transport t : {Transport::kUdp, Transport::kTcp}) {
      const auto r = ask_with_cookie(name, kClient, true, t);
      const auto c = returned_cookie(r);
      ASSERT_EQ(c.size(), kCookieReplySize) << name;
      EXPECT_TRUE(std::equal(kClient.begin(), kClient.end(), c.begin())) << name;
      EXPECT_EQ(c[8], 1) << "version 1";
      std::array<uint8_t, kServerCookieSize> expected;
      ASSERT_TRUE(make_server_cookie(std::span<const uint8_t, 8>(kClient.data(), 8), kNow, kAddress,
                                     secrets_.current, expected));
      EXPECT_TRUE(std::equal(expected.begin(), expected.end(), c.begin() + 8)) << name;
    }
  }
  EXPECT_EQ(ancount_of(ask_with_cookie("example.org", kClient)), 1);  // answered normally (one MX)
}

TEST_F(CookieAnswerTest, ValidCookieIsEchoedForgedOneReplaced) {
  const auto learned = returned_cookie(ask_with_cookie("example.org", kClient));
  EXPECT_EQ(returned_cookie(ask_with_cookie("example.org", learned)), learned);
  auto forged = learned;
  forged[20] ^= 0x40;
  const auto r = ask_with_cookie("example.org", forged);
  EXPECT_EQ(rcode_of(r), 0);
  EXPECT_EQ(ancount_of(r), 1);
  EXPECT_EQ(returned_cookie(r), learned) << "a fresh cookie, made now";
}

TEST_F(CookieAnswerTest, MalformedCookieIsFormErr) {
  for (size_t n : {0, 5, 7, 9, 15, 41}) {
    const auto r = ask_with_cookie("example.org", std::vector<uint8_t>(n, 0xAA));
    EXPECT_EQ(rcode_of(r), 1) << n;
    EXPECT_EQ(ancount_of(r), 0) << n;
    EXPECT_TRUE(returned_cookie(r).empty()) << n;
  }
  // Cookies off: the option is not ours to judge (RFC 7873 5.2.1).
  EXPECT_EQ(rcode_of(ask_with_cookie("example.org", std::vector<uint8_t>(5, 0xAA), false)), 0);
}

TEST_F(CookieAnswerTest, CookiesOffSendNone) {
  EXPECT_TRUE(returned_cookie(ask_with_cookie("example.org", kClient, false)).empty());
}

// RFC 7873 5.4: QDCOUNT 0 with a COOKIE asks for a server cookie.
TEST_F(CookieAnswerTest, CookieOnlyRequest) {
  auto q = make_query("example.org", rrtype::MX, {.edns = true, .options = cookie_option(kClient)});
  // Drop the question: header, then the OPT right after it.
  const size_t qlen = 13 + 4;  // \7example\3org\0 + type + class
  q.erase(q.begin() + 12, q.begin() + 12 + static_cast<std::ptrdiff_t>(qlen));
  q[5] = 0;
  const auto r = ask(q);
  ASSERT_GE(r.size(), 12u);
  EXPECT_EQ(rcode_of(r), 23 & 0xF);  // BADCOOKIE: 23, low bits in the header
  const auto opt = r.end() - static_cast<std::ptrdiff_t>(11 + 4 + kCookieReplySize);
  EXPECT_EQ(opt[5], 23 >> 4) << "EXTENDED-RCODE";
  const auto learned = returned_cookie(r);
  ASSERT_EQ(learned.size(), kCookieReplySize);
  auto again = q;
  again.resize(again.size() - 4 - kClient.size());
  const auto value = cookie_option(learned);
  again.insert(again.end(), value.begin(), value.end());
  again[again.size() - value.size() - 1] = static_cast<uint8_t>(value.size());  // OPT RDLENGTH
  const auto ok = ask(again);
  EXPECT_EQ(rcode_of(ok), 0);
  EXPECT_EQ(returned_cookie(ok), learned);
  // Without cookies (or without a COOKIE) it stays a FORMERR.
  EXPECT_EQ(rcode_of(ask(q, false)), 1);
}

}  // namespace
}  // namespace mailns::zone

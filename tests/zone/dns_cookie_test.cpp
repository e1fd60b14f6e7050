// Server cookies (RFC 9018): the published examples of its Appendix A, and
// what a server makes of the cookies it is sent (RFC 7873 5.2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "zone/dns_cookie.hpp"

namespace mailns::zone {
namespace {

std::vector<uint8_t> hex(const std::string& h) {
  std::vector<uint8_t> v;
  for (size_t i = 0; i + 1 < h.size(); i += 2) v.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return v;
}

CookieSecret secret_of(const std::string& h) {
  CookieSecret s;
  const auto v = hex(h);
  std::copy(v.begin(), v.end(), s.bytes.begin());
  return s;
}

CookieSecrets only(const CookieSecret& s) {
  CookieSecrets c;
  c.current = s;
  return c;
}

const CookieSecret kRfcSecret = secret_of("e5e973e5a6b2a43f48e7dc849e37bfcf");
const std::vector<uint8_t> kRfcClientIp = {198, 51, 100, 100};
constexpr uint32_t kA1Time = 1559731985;

std::vector<uint8_t> answer(const std::vector<uint8_t>& received, const std::vector<uint8_t>& ip, uint32_t now,
                            const CookieSecrets& secrets, CookieVerdict* verdict = nullptr) {
  std::array<uint8_t, kCookieReplySize> reply{};
  const CookieAnswer a = answer_cookie(received, ip, now, secrets, reply);
  EXPECT_TRUE(a.has_reply);
  if (verdict) *verdict = a.verdict;
  return {reply.begin(), reply.end()};
}

TEST(DnsCookie, Rfc9018A1LearningANewServerCookie) {
  CookieVerdict v;
  EXPECT_EQ(answer(hex("2464c4abcf10c957"), kRfcClientIp, kA1Time, only(kRfcSecret), &v),
            hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480"));
  EXPECT_EQ(v, CookieVerdict::kClientOnly);
}

TEST(DnsCookie, Rfc9018A2RenewedAfterHalfAnHour) {
  CookieVerdict v;
  EXPECT_EQ(answer(hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480"), kRfcClientIp, 1559734385, only(kRfcSecret), &v),
            hex("2464c4abcf10c957010000005cf7a871d4a564a1442aca77"));
  EXPECT_EQ(v, CookieVerdict::kValid);
}

TEST(DnsCookie, ValidAndYoungIsEchoed) {
  const auto cookie = hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
  CookieVerdict v;
  EXPECT_EQ(answer(cookie, kRfcClientIp, kA1Time + 600, only(kRfcSecret), &v), cookie);
  EXPECT_EQ(v, CookieVerdict::kValid);
}

TEST(DnsCookie, InvalidCookiesGetAFreshOne) {
  const auto good = hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
  struct Case {
    const char* why;
    std::vector<uint8_t> cookie;
    std::vector<uint8_t> ip;
    uint32_t now;
  };
  auto forged = good;
  forged[23] ^= 1;
  auto version2 = good;
  version2[8] = 2;
  std::vector<uint8_t> long_server = good;
  long_server.insert(long_server.end(), {1, 2, 3, 4});
  const Case cases[] = {
      {"forged hash", forged, kRfcClientIp, kA1Time},
      {"another client address", good, {198, 51, 100, 101}, kA1Time},
      {"older than an hour", good, kRfcClientIp, kA1Time + 3601},
      {"from the future", good, kRfcClientIp, kA1Time - 301},
      {"unknown version", version2, kRfcClientIp, kA1Time},
      {"not 16 octets", long_server, kRfcClientIp, kA1Time},
  };
  for (const Case& c : cases) {
    CookieVerdict v;
    const auto reply = answer(c.cookie, c.ip, c.now, only(kRfcSecret), &v);
    EXPECT_EQ(v, CookieVerdict::kInvalid) << c.why;
    // A fresh cookie: made now, for this address, verifiable at once.
    CookieVerdict again;
    EXPECT_EQ(answer(reply, c.ip, c.now, only(kRfcSecret), &again), reply) << c.why;
    EXPECT_EQ(again, CookieVerdict::kValid) << c.why;
  }
}

TEST(DnsCookie, PreviousSecretStillAcceptedAfterRotation) {
  const auto made = hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
  const CookieSecret next = secret_of("00112233445566778899aabbccddeeff");
  CookieVerdict v;
  answer(made, kRfcClientIp, kA1Time + 10, {next, kRfcSecret, true}, &v);
  EXPECT_EQ(v, CookieVerdict::kValid);
  answer(made, kRfcClientIp, kA1Time + 10, only(next), &v);
  EXPECT_EQ(v, CookieVerdict::kInvalid);
}

TEST(DnsCookie, Ipv6AddressIsPartOfTheHash) {
  std::vector<uint8_t> v6(16, 0);
  v6[0] = 0x20;
  v6[1] = 0x01;
  v6[15] = 1;
  const auto reply = answer(hex("2464c4abcf10c957"), v6, kA1Time, only(kRfcSecret));
  auto other = v6;
  other[15] = 2;
  CookieVerdict v;
  answer(reply, v6, kA1Time, only(kRfcSecret), &v);
  EXPECT_EQ(v, CookieVerdict::kValid);
  answer(reply, other, kA1Time, only(kRfcSecret), &v);
  EXPECT_EQ(v, CookieVerdict::kInvalid);
}

TEST(DnsCookie, LengthRules) {
  for (size_t n = 0; n <= 48; ++n) EXPECT_EQ(cookie_length_ok(n), n == 8 || (n >= 16 && n <= 40)) << n;
}

}  // namespace
}  // namespace mailns::zone

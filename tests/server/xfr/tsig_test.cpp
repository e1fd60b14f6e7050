// TSIG (RFC 8945): our signatures checked by ldns, ldns's checked by us,
// multi-message chaining, and each error in the order RFC 8945 5.2 checks.
#include "server/xfr/tsig.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <ctime>

#include "xfr_test_util.hpp"

namespace mailns::server {
namespace {

using namespace testing;

constexpr uint16_t kSOA = 6;

TEST(Tsig, OurRequestSignatureVerifiesWithLdnsAndOurs) {
  for (auto alg : {TsigAlgorithm::kHmacSha256, TsigAlgorithm::kHmacSha512}) {
    const TsigKey key = make_key("xfr-key", alg);
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    std::vector<uint8_t> mac;
    const auto q = sign_request(build_query(4242, "example.org", kSOA), key, now, &mac);
    EXPECT_EQ(mac.size(), tsig_mac_size(alg));
    EXPECT_TRUE(ldns_verifies(q, "xfr-key.", kSecretB64, {}, false)) << tsig_algorithm_word(alg);

    TsigRecord rec;
    ASSERT_EQ(find_tsig(q, rec), TsigFind::kFound);
    EXPECT_EQ(rec.time_signed, now);
    EXPECT_EQ(rec.fudge, kTsigFudge);
    EXPECT_EQ(rec.original_id, 4242);
    const std::vector<TsigKey> keys{key};
    const TsigCheck c = verify_tsig(q, rec, keys, {}, static_cast<int64_t>(now));
    EXPECT_EQ(c.status, TsigStatus::kOk);
    EXPECT_EQ(c.key, &keys[0]);
  }
}

TEST(Tsig, LdnsSignedRequestVerifiesWithOurs) {
  ldns_pkt* p = nullptr;
  ASSERT_EQ(ldns_pkt_query_new_frm_str(&p, "example.org.", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0), LDNS_STATUS_OK);
  ldns_pkt_set_id(p, 777);
  ASSERT_EQ(ldns_pkt_tsig_sign(p, "xfr-key.", kSecretB64, 300, "hmac-sha256.", nullptr), LDNS_STATUS_OK);
  uint8_t* wire = nullptr;
  size_t len = 0;
  ASSERT_EQ(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
  const std::vector<uint8_t> msg(wire, wire + len);
  free(wire);
  ldns_pkt_free(p);
  TsigRecord rec;
  ASSERT_EQ(find_tsig(msg, rec), TsigFind::kFound);
  const std::vector<TsigKey> keys{make_key()};
  EXPECT_EQ(verify_tsig(msg, rec, keys, {}, std::time(nullptr)).status, TsigStatus::kOk);
  // Key names compare case-insensitively.
  const std::vector<TsigKey> upper{make_key("XFR-Key")};
  EXPECT_EQ(verify_tsig(msg, rec, upper, {}, std::time(nullptr)).status, TsigStatus::kOk);
}

TEST(Tsig, ErrorsInTheOrderOfRfc8945) {
  const TsigKey key = make_key();
  const int64_t now = 1'800'000'000;
  const auto q = sign_request(build_query(1, "example.org", kSOA), key, static_cast<uint64_t>(now));
  TsigRecord rec;
  ASSERT_EQ(find_tsig(q, rec), TsigFind::kFound);

  // Unknown key, or the right name with another algorithm: BADKEY.
  const std::vector<TsigKey> other{make_key("other-key")};
  EXPECT_EQ(verify_tsig(q, rec, other, {}, now).status, TsigStatus::kBadKey);
  const std::vector<TsigKey> sha512{make_key("xfr-key", TsigAlgorithm::kHmacSha512)};
  EXPECT_EQ(verify_tsig(q, rec, sha512, {}, now).status, TsigStatus::kBadKey);
  // Another secret: BADSIG.
  const std::vector<TsigKey> wrong{make_key("xfr-key", TsigAlgorithm::kHmacSha256, "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlcg==")};
  EXPECT_EQ(verify_tsig(q, rec, wrong, {}, now).status, TsigStatus::kBadSig);
  // Right key, clocks 301 s apart (fudge 300): BADTIME, after the MAC check.
  const std::vector<TsigKey> keys{key};
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, now + 300).status, TsigStatus::kOk);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, now - 300).status, TsigStatus::kOk);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, now + 301).status, TsigStatus::kBadTime);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, now - 301).status, TsigStatus::kBadTime);
  EXPECT_EQ(verify_tsig(q, rec, wrong, {}, now + 301).status, TsigStatus::kBadSig);
  // A modified message: BADSIG.
  auto changed = q;
  changed[13] ^= 0x20;  // the case of the first qname octet
  TsigRecord rec2;
  ASSERT_EQ(find_tsig(changed, rec2), TsigFind::kFound);
  EXPECT_EQ(verify_tsig(changed, rec2, keys, {}, now).status, TsigStatus::kBadSig);
  // A truncated MAC (16 of 32 octets): BADTRUNC after the MAC is checked;
  // below half the hash: malformed.
  TsigRecord trunc = rec;
  trunc.mac = rec.mac.first(16);
  EXPECT_EQ(verify_tsig(q, trunc, keys, {}, now).status, TsigStatus::kBadTrunc);
  trunc.mac = rec.mac.first(12);
  EXPECT_EQ(verify_tsig(q, trunc, keys, {}, now).status, TsigStatus::kFormErr);
}

// A request ldns signs now with the fudge it is given (ours always signs with 300).
std::vector<uint8_t> ldns_signed_request(uint16_t fudge) {
  ldns_pkt* p = nullptr;
  EXPECT_EQ(ldns_pkt_query_new_frm_str(&p, "example.org.", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0), LDNS_STATUS_OK);
  ldns_pkt_set_id(p, 778);
  EXPECT_EQ(ldns_pkt_tsig_sign(p, "xfr-key.", kSecretB64, fudge, "hmac-sha256.", nullptr), LDNS_STATUS_OK);
  uint8_t* wire = nullptr;
  size_t len = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
  std::vector<uint8_t> msg(wire, wire + len);
  free(wire);
  ldns_pkt_free(p);
  return msg;
}

// Issue 15: a request's own fudge of 65535 s would let a captured request be
// replayed for 18 hours; the window is min(request's fudge, tsig_max_fudge).
TEST(Tsig, ReplayOutsideTheConfiguredWindowIsBadTime) {
  const int64_t signed_at = std::time(nullptr);
  const auto q = ldns_signed_request(65535);
  TsigRecord rec;
  ASSERT_EQ(find_tsig(q, rec), TsigFind::kFound);
  ASSERT_EQ(rec.fudge, 65535);
  const std::vector<TsigKey> keys{make_key()};
  // Default maximum 300 s.
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, signed_at + 299).status, TsigStatus::kOk);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, signed_at + 3600).status, TsigStatus::kBadTime);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, signed_at + 65000).status, TsigStatus::kBadTime);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, signed_at - 3600).status, TsigStatus::kBadTime);
  // A configured maximum.
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, signed_at + 60, 30).status, TsigStatus::kBadTime);
  EXPECT_EQ(verify_tsig(q, rec, keys, {}, signed_at + 1000, 3600).status, TsigStatus::kOk);
  // A request's fudge smaller than ours is the window.
  const auto narrow = ldns_signed_request(10);
  TsigRecord rec2;
  ASSERT_EQ(find_tsig(narrow, rec2), TsigFind::kFound);
  EXPECT_EQ(verify_tsig(narrow, rec2, keys, {}, signed_at + 5).status, TsigStatus::kOk);
  EXPECT_EQ(verify_tsig(narrow, rec2, keys, {}, signed_at + 60).status, TsigStatus::kBadTime);
}

TEST(Tsig, FindTsigRejectsMisplacedRecords) {
  const TsigKey key = make_key();
  auto q = sign_request(build_query(1, "example.org", kSOA), key, 1000);
  TsigRecord rec;
  EXPECT_EQ(find_tsig(build_query(1, "example.org", kSOA), rec), TsigFind::kAbsent);
  // Trailing garbage after the TSIG record.
  auto extra = q;
  extra.push_back(0);
  EXPECT_EQ(find_tsig(extra, rec), TsigFind::kMalformed);
  // A TSIG record that claims more RDATA than there is.
  auto cut = q;
  cut.resize(cut.size() - 3);
  EXPECT_EQ(find_tsig(cut, rec), TsigFind::kMalformed);
}

TEST(Tsig, ResponseChainVerifiesWithLdns) {
  // A request signed by ldns, three response messages signed by us: the
  // first chains the request MAC with every variable, the later ones the
  // previous MAC with the timers only (RFC 8945 5.3.1).
  const TsigKey key = make_key();
  std::vector<uint8_t> request_mac;
  const auto q = sign_request(build_query(99, "example.org", 252), key, std::time(nullptr), &request_mac);
  TsigSigner signer(key, request_mac, 99);
  std::vector<uint8_t> prior = request_mac;
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> msg(12 + 512, 0);
    msg[0] = 0;
    msg[1] = 99;
    msg[2] = 0x84;  // QR AA
    const size_t n = signer.sign(msg, 12, std::time(nullptr));
    ASSERT_GT(n, 12u);
    msg.resize(n);
    EXPECT_TRUE(ldns_verifies(msg, "xfr-key.", kSecretB64, prior, i > 0)) << "message " << i;
    // Ours agrees on the first (full variables).
    if (i == 0) {
      TsigRecord rec;
      ASSERT_EQ(find_tsig(msg, rec), TsigFind::kFound);
      const std::vector<TsigKey> keys{key};
      EXPECT_EQ(verify_tsig(msg, rec, keys, request_mac, std::time(nullptr)).status, TsigStatus::kOk);
    }
    prior = mac_of(msg);
  }
}

TEST(Tsig, SignRefusesWhenThereIsNoRoom) {
  TsigSigner s(make_key(), {}, 1);
  std::vector<uint8_t> msg(12 + 20, 0);
  EXPECT_EQ(s.sign(msg, 12, 1000), 0u);
  EXPECT_GT(s.overhead(), 20u);
}

}  // namespace
}  // namespace mailns::server

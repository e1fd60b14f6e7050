// dnssec/p256_signer: what it signs verifies with OpenSSL's own verifier
// (r || s read back into DER), each signature has a fresh nonce, and a key
// that is not P-256 leaves it unusable, with nothing written.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <array>
#include <set>

#include "dnssec/p256_signer.hpp"

namespace mailns::dnssec {
namespace {

bool verifies(EVP_PKEY* key, const std::array<uint8_t, 32>& digest, const std::array<uint8_t, 64>& rs) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(rs.data(), 32, nullptr), BN_bin2bn(rs.data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  const bool ok = len > 0 && ctx && EVP_PKEY_verify_init(ctx) == 1 &&
                  EVP_PKEY_verify(ctx, der, static_cast<size_t>(len), digest.data(), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

TEST(P256Signer, SignaturesVerifyAndNoncesAreFresh) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  P256Signer signer(key);
#ifdef OPENSSL_NO_DEPRECATED_3_0
  EXPECT_FALSE(signer.usable());
  GTEST_SKIP() << "OpenSSL without its deprecated EC_KEY calls: SignContext signs through EVP_PKEY_sign";
#endif
  ASSERT_TRUE(signer.usable());
  std::set<std::array<uint8_t, 64>> seen;
  for (int i = 0; i < 500; ++i) {
    std::array<uint8_t, 32> digest{};
    digest[0] = static_cast<uint8_t>(i);
    digest[31] = static_cast<uint8_t>(i >> 8);
    std::array<uint8_t, 64> rs{};
    ASSERT_TRUE(signer.sign(digest, rs)) << i;
    EXPECT_TRUE(verifies(key, digest, rs)) << i;
    digest[1] = 1;  // a digest that was not signed does not verify
    EXPECT_FALSE(verifies(key, digest, rs)) << i;
  }
  const std::array<uint8_t, 32> same{7};
  for (int i = 0; i < 20; ++i) {
    std::array<uint8_t, 64> rs{};
    ASSERT_TRUE(signer.sign(same, rs));
    EXPECT_TRUE(seen.insert(rs).second) << "the same signature twice: a nonce was reused";
  }
  P256Signer moved(std::move(signer));
  EXPECT_TRUE(moved.usable());
  EXPECT_FALSE(signer.usable());  // NOLINT(bugprone-use-after-move): moved from is empty
  EVP_PKEY_free(key);
}

TEST(P256Signer, AnotherKindOfKeyIsNotUsable) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(key, nullptr);
  P256Signer signer(key);
  EXPECT_FALSE(signer.usable());
  std::array<uint8_t, 64> rs{};
  rs[0] = 0xAA;
  EXPECT_FALSE(signer.sign(std::array<uint8_t, 32>{}, rs));
  EXPECT_EQ(rs[0], 0xAA);
  EVP_PKEY_free(key);
}

}  // namespace
}  // namespace mailns::dnssec

// dnssec/ecdsa_signature: OpenSSL's DER ECDSA signatures to RFC 6605 r || s,
// against OpenSSL's own decoding, and the encodings it must refuse.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <array>
#include <vector>

#include "dnssec/ecdsa_signature.hpp"

namespace mailns::dnssec {
namespace {

std::vector<uint8_t> der_of(std::vector<uint8_t> r, std::vector<uint8_t> s) {
  std::vector<uint8_t> out{0x30, 0, 0x02, static_cast<uint8_t>(r.size())};
  out.insert(out.end(), r.begin(), r.end());
  out.push_back(0x02);
  out.push_back(static_cast<uint8_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
  out[1] = static_cast<uint8_t>(out.size() - 2);
  return out;
}

bool convert(const std::vector<uint8_t>& der, std::array<uint8_t, 64>& out) {
  return p256_signature_from_der(der, out);
}

TEST(EcdsaSignature, MatchesOpenSslOnItsOwnSignatures) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  int short_r = 0;
  for (int i = 0; i < 2000; ++i) {
    std::array<uint8_t, 32> md{};
    md[0] = static_cast<uint8_t>(i);
    md[1] = static_cast<uint8_t>(i >> 8);
    std::array<uint8_t, 80> der{};
    size_t len = der.size();
    ASSERT_EQ(EVP_PKEY_sign(ctx, der.data(), &len, md.data(), md.size()), 1);
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    ASSERT_NE(sig, nullptr);
    std::array<uint8_t, 64> want{};
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig, &r, &s);
    ASSERT_EQ(BN_bn2binpad(r, want.data(), 32), 32);
    ASSERT_EQ(BN_bn2binpad(s, want.data() + 32, 32), 32);
    short_r += BN_num_bytes(r) < 32 ? 1 : 0;
    ECDSA_SIG_free(sig);
    std::array<uint8_t, 64> got{};
    ASSERT_TRUE(p256_signature_from_der(std::span<const uint8_t>(der.data(), len), got)) << i;
    EXPECT_EQ(got, want) << i;
  }
  EXPECT_GT(short_r, 0);  // 1 in 256 has a leading zero octet: padding was exercised
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
}

TEST(EcdsaSignature, PadsShortIntegersAndDropsTheSignOctet) {
  std::vector<uint8_t> r33(33, 0xab);
  r33[0] = 0x00;  // 0xab... needs a leading zero to stay positive
  std::array<uint8_t, 64> out{};
  ASSERT_TRUE(convert(der_of(r33, {0x01}), out));
  for (int i = 0; i < 32; ++i) EXPECT_EQ(out[i], 0xab);
  for (int i = 32; i < 63; ++i) EXPECT_EQ(out[i], 0x00);
  EXPECT_EQ(out[63], 0x01);
  ASSERT_TRUE(convert(der_of({0x00}, {0x7f}), out));  // zero is one octet 00
  EXPECT_EQ(out[31], 0x00);
  EXPECT_EQ(out[63], 0x7f);
}

TEST(EcdsaSignature, RefusesAnythingButStrictDerOfTwoSmallIntegers) {
  const std::vector<uint8_t> good = der_of({0x01}, {0x02});
  std::array<uint8_t, 64> out{};
  out.fill(0x5a);
  const std::vector<std::vector<uint8_t>> bad = {
      {},
      {0x30},
      {0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},        // not a SEQUENCE
      {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},        // SEQUENCE length past the end
      {0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},        // bytes after the SEQUENCE
      {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},  // long-form length
      {0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x02},        // OCTET STRING, not INTEGER
      {0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x02},              // empty INTEGER
      {0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02},        // negative
      {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02},  // padded, not shortest
      {0x30, 0x03, 0x02, 0x01, 0x01},                          // one INTEGER only
      {0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x03},  // three
      {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x03, 0x02},        // INTEGER past the end
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_FALSE(convert(bad[i], out)) << i;
    EXPECT_EQ(out[0], 0x5a) << "out changed by a refused input " << i;
  }
  std::vector<uint8_t> r34(34, 0x11);
  r34[0] = 0x00;
  EXPECT_FALSE(convert(der_of(r34, {0x01}), out));  // 33 significant octets
  std::vector<uint8_t> r33(33, 0x11);
  EXPECT_FALSE(convert(der_of(r33, {0x01}), out));  // 33 significant octets
  EXPECT_TRUE(convert(good, out));
}

}  // namespace
}  // namespace mailns::dnssec

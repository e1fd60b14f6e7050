// Keys: DNSKEY RDATA, key tags, DS digests and signatures against the RFC
// example keys (RFC 6605 6.1, RFC 8080 6.1 with erratum 4935, RFC 5702 6.1),
// generation for each algorithm, PEM round trips and atomic 0600 files.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "dnssec/ds.hpp"
#include "dnssec/p256_pkcs8.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/signing_key.hpp"
#include "test_util.hpp"
#include "zone/rr_text.hpp"

namespace mailns::dnssec {
namespace {

using test::name;

// The RFC private keys converted to PKCS#8 PEM.
// RFC 6605 6.1: PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=
constexpr const char* kRfc6605P256 = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGU6SnQ/Ou+xC5Rum
uIUIuJZteXT2z0O/ok1s38Et6mShRANCAAQaiMiGFdQ3+7i/nhlCoZKfKFYnBq5s
K9OZ57G/ttHp51uStKpCkXrhxhtwHvA1w/574wCcuv5aL3ExbJAtzw0A
-----END PRIVATE KEY-----
)";
// RFC 8080 6.1, first key: PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=
constexpr const char* kRfc8080Ed25519a = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDgyMjYwMzg0NjI4MDgwMTIyNjQ1MTkwMjA0MTQyMjYy
-----END PRIVATE KEY-----
)";
// RFC 8080 6.1, second key: PrivateKey: DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY=
constexpr const char* kRfc8080Ed25519b = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIA0khd6NLNH/hJVs4/RPzrMcPIS6ZOeXIZJsdC2DeVom
-----END PRIVATE KEY-----
)";
// RFC 5702 6.1: the 512-bit RSA/SHA-256 example key.
constexpr const char* kRfc5702Rsa = R"(-----BEGIN PRIVATE KEY-----
MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAwVwaxrHF2CK64aYK
RUibLiH30KpPuPBjel7E8ZydQW1HYWHfoGmidzC2RnhwCC293hCzw+TFR2nqn8OV
SY5t2QIDAQABAkBRHjjFfrMHd5p7K9NHOayQcAOs8KY9aevx3Gw3CIMYfOswos36
L8cBqb73sfEgpVY0MfZtr0x/VIDzG711wdkBAiEA4c8IvFu1AVXGWeFLLFh5vs7f
bdzdC6U82fduE6KkSWkCIQDbNmkETxldWcvvhCMbjMg2UN8f4Q4S2MkndG1pgO6C
8QIgG2xAPFfK0KGxGANDVNxd1K1c9wOmmJ51mGbzKFFNMFkCIBmMT9T2uwgMLR5v
EgBl+feKmVaHzjIYHemBQjcnlaShAiEAicQdNRjlZGPmuJm2TIadubcO8X7V4y07
aVhX464tx8Q=
-----END PRIVATE KEY-----
)";

std::string rdata_text(uint16_t type, std::span<const uint8_t> rd) { return zone::rdata_to_text(type, rd); }

SigningKey load(const char* pem, uint16_t flags) {
  auto k = SigningKey::from_pem(pem, flags);
  EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error());
  return std::move(k).value();
}

TEST(SigningKey, Rfc6605P256DnskeyTagAndDs) {
  const SigningKey k = load(kRfc6605P256, dnskey_flags::kKsk);
  EXPECT_EQ(k.algorithm(), Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(rdata_text(zone::rrtype::DNSKEY, k.dnskey_rdata()),
            "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==");
  EXPECT_EQ(k.tag(), 55648);
  EXPECT_EQ(rdata_text(zone::rrtype::DS, ds_rdata(name("example.net."), k.dnskey_rdata())),
            "55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
}

TEST(SigningKey, Rfc8080Ed25519DnskeyTagDsAndSignature) {
  const SigningKey a = load(kRfc8080Ed25519a, dnskey_flags::kKsk);
  EXPECT_EQ(a.algorithm(), Algorithm::kEd25519);
  EXPECT_EQ(rdata_text(zone::rrtype::DNSKEY, a.dnskey_rdata()), "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  EXPECT_EQ(a.tag(), 3613);
  EXPECT_EQ(rdata_text(zone::rrtype::DS, ds_rdata(name("example.com."), a.dnskey_rdata())),
            "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b");

  const SigningKey b = load(kRfc8080Ed25519b, dnskey_flags::kKsk);
  EXPECT_EQ(rdata_text(zone::rrtype::DNSKEY, b.dnskey_rdata()), "257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=");
  EXPECT_EQ(b.tag(), 35217);
  EXPECT_EQ(rdata_text(zone::rrtype::DS, ds_rdata(name("example.com."), b.dnskey_rdata())),
            "35217 15 2 401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c");

  // Ed25519 is deterministic, so the whole RRSIG must match the RFC's
  // (corrected by erratum 4935: Labels = 2).
  auto mx = zone::record_from_text("example.com. 3600 IN MX 10 mail.example.com.", zone::DnsName(), 3600, nullptr);
  ASSERT_TRUE(mx);
  std::vector<std::span<const uint8_t>> rds = {mx->rdata};
  const auto sig = sign_rrset(mx->owner, zone::rrtype::MX, 3600, rds, name("example.com."),
                              SignatureTimes{1438207200, 1440021600}, a);
  EXPECT_EQ(rdata_text(zone::rrtype::RRSIG, sig),
            "MX 15 2 3600 20150819220000 20150729220000 3613 example.com. "
            "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==");
  const auto sig_b = sign_rrset(mx->owner, zone::rrtype::MX, 3600, rds, name("example.com."),
                                SignatureTimes{1438207200, 1440021600}, b);
  EXPECT_EQ(rdata_text(zone::rrtype::RRSIG, sig_b),
            "MX 15 2 3600 20150819220000 20150729220000 35217 example.com. "
            "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==");
}

TEST(SigningKey, Rfc5702RsaSha256DnskeyAndSignature) {
  const SigningKey k = load(kRfc5702Rsa, dnskey_flags::kZsk);
  EXPECT_EQ(k.algorithm(), Algorithm::kRsaSha256);
  EXPECT_EQ(rdata_text(zone::rrtype::DNSKEY, k.dnskey_rdata()),
            "256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=");
  EXPECT_EQ(k.tag(), 9033);
  // PKCS#1 v1.5 is deterministic too.
  auto a = zone::record_from_text("www.example.net. 3600 IN A 192.0.2.91", zone::DnsName(), 3600, nullptr);
  ASSERT_TRUE(a);
  std::vector<std::span<const uint8_t>> rds = {a->rdata};
  const auto sig = sign_rrset(a->owner, zone::rrtype::A, 3600, rds, name("example.net."),
                              SignatureTimes{946684800, 1893456000}, k);
  EXPECT_EQ(rdata_text(zone::rrtype::RRSIG, sig),
            "A 8 3 3600 20300101000000 20000101000000 9033 example.net. "
            "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==");
}

TEST(SigningKey, CanonicalFormLowercasesOwnerAndRdataNamesAndSortsRecords) {
  // The same RRset written in another case and order signs identically
  // (deterministic Ed25519), and duplicates do not count.
  const SigningKey k = load(kRfc8080Ed25519a, dnskey_flags::kKsk);
  auto r1 = zone::record_from_text("Example.COM. 3600 IN MX 10 MAIL.example.com.", zone::DnsName(), 3600, nullptr);
  auto r2 = zone::record_from_text("example.com. 3600 IN MX 20 mx2.Example.com.", zone::DnsName(), 3600, nullptr);
  auto l1 = zone::record_from_text("example.com. 3600 IN MX 10 mail.example.com.", zone::DnsName(), 3600, nullptr);
  auto l2 = zone::record_from_text("example.com. 3600 IN MX 20 mx2.example.com.", zone::DnsName(), 3600, nullptr);
  std::vector<std::span<const uint8_t>> upper = {r2->rdata, r1->rdata, r2->rdata};
  std::vector<std::span<const uint8_t>> lower = {l1->rdata, l2->rdata};
  const SignatureTimes t{1438207200, 1440021600};
  EXPECT_EQ(sign_rrset(r1->owner, zone::rrtype::MX, 3600, upper, name("EXAMPLE.com."), t, k),
            sign_rrset(l1->owner, zone::rrtype::MX, 3600, lower, name("example.com."), t, k));
}

TEST(SigningKey, WildcardLabelsDoNotCountTheStar) {
  EXPECT_EQ(rrsig_labels(name("*.example.com.")), 2);
  EXPECT_EQ(rrsig_labels(name("a.example.com.")), 3);
  EXPECT_EQ(rrsig_labels(name(".")), 0);
}

TEST(SigningKey, GeneratesEachAlgorithmWithExpectedSizes) {
  struct Case {
    Algorithm alg;
    size_t pub;
    size_t sig;
  } cases[] = {{Algorithm::kEcdsaP256Sha256, 64, 64}, {Algorithm::kEd25519, 32, 64}, {Algorithm::kRsaSha256, 1 + 3 + 256, 256}};
  for (const auto& c : cases) {
    auto k = SigningKey::generate(c.alg, dnskey_flags::kZsk);
    ASSERT_TRUE(k.ok()) << k.error();
    EXPECT_EQ(k->public_key().size(), c.pub);
    EXPECT_EQ(k->dnskey_rdata()[3], algorithm_number(c.alg));
    EXPECT_EQ(k->tag(), key_tag(k->dnskey_rdata()));
    SignContext ctx(*k);
    std::vector<uint8_t> s1, s2;
    const uint8_t data[] = {1, 2, 3};
    ASSERT_TRUE(ctx.sign(data, s1));
    ASSERT_TRUE(ctx.sign(data, s2));  // a context signs more than once
    EXPECT_EQ(s1.size(), c.sig);
    EXPECT_EQ(s2.size(), c.sig);

    // PEM round trip keeps the key.
    auto back = SigningKey::from_pem(k->to_pem(), dnskey_flags::kZsk);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->dnskey_rdata(), k->dnskey_rdata());
    EXPECT_NE(k->to_pem().find("BEGIN PRIVATE KEY"), std::string::npos);  // PKCS#8
  }
}

TEST(SigningKey, RejectsGarbageAndUnsupportedKeys) {
  auto bad = SigningKey::from_pem("not a key", dnskey_flags::kZsk);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("PEM"), std::string::npos);
  // A P-384 key is not algorithm 13.
  const char* p384 = R"(-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAWXkeYhVaNfVUhWDsq
juYYzZzegfcpnC8j2nxT8XsWs8vOh3bfgdgPpXGTzLfD2dGhZANiAASIilcIROpf
auAmUy/4+s9myS74WHgllLec2FEyJTNbksmPvhJFucCvTjHXmJCA+W+V+dwnuZBz
fT69qK4pyn8yEEjfF1GSfP2F0csyj9BGnCHyapHyZ+CrIgLt5J6ZrEg=
-----END PRIVATE KEY-----
)";
  auto ec384 = SigningKey::from_pem(p384, dnskey_flags::kZsk);
  ASSERT_FALSE(ec384.ok());
  EXPECT_NE(ec384.error().find("P-256"), std::string::npos) << ec384.error();
}

TEST(SigningKey, SavesPemAtomicallyWithMode0600) {
  test::TempDir dir;
  auto k = SigningKey::generate(Algorithm::kEcdsaP256Sha256, dnskey_flags::kKsk);
  ASSERT_TRUE(k.ok());
  const std::string path = dir.path() + "/k.pem";
  ASSERT_TRUE(k->save_pem_file(path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u) << "temporary file left behind";
  auto back = SigningKey::load_pem_file(path, dnskey_flags::kKsk);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->tag(), k->tag());
  auto missing = SigningKey::load_pem_file(dir.path() + "/nope.pem", dnskey_flags::kKsk);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("nope.pem"), std::string::npos);
}

TEST(Algorithm, ConfigWords) {
  EXPECT_EQ(algorithm_from_config("ecdsap256sha256"), Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(algorithm_from_config("ED25519"), Algorithm::kEd25519);
  EXPECT_EQ(algorithm_from_config("rsasha256"), Algorithm::kRsaSha256);
  EXPECT_EQ(algorithm_from_config("rsasha1"), std::nullopt);
  EXPECT_EQ(algorithm_config_word(Algorithm::kEd25519), "ed25519");
  EXPECT_EQ(algorithm_number(Algorithm::kEcdsaP256Sha256), 13);
}

}  // namespace
}  // namespace mailns::dnssec

namespace mailns::dnssec {
namespace {

// The P-256 PEM comes from a template (p256_pkcs8.hpp): it must be exactly
// what OpenSSL's own encoder writes for the same key, and read back as it.
TEST(SigningKey, P256PemIsWhatOpenSslWritesForTheKey) {
  for (int i = 0; i < 20; ++i) {
    auto key = SigningKey::generate(Algorithm::kEcdsaP256Sha256, 257);
    ASSERT_TRUE(key.ok()) << key.error();
    const std::string pem = key->to_pem();
    BIO* out = BIO_new(BIO_s_mem());
    ASSERT_EQ(PEM_write_bio_PrivateKey(out, key->pkey(), nullptr, nullptr, 0, nullptr, nullptr), 1);
    char* data = nullptr;
    const long n = BIO_get_mem_data(out, &data);
    EXPECT_EQ(pem, std::string(data, static_cast<size_t>(n)));
    BIO_free(out);
    auto back = SigningKey::from_pem(pem, 257);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->dnskey_rdata(), key->dnskey_rdata());
  }
}


// Read back, a P-256 key in mailns's layout is imported from its parts
// (p256_pkcs8_parts): the same key, which signs what its public key verifies.
TEST(SigningKey, P256KeyReadFromItsPartsSignsAsTheOriginal) {
  auto key = SigningKey::generate(Algorithm::kEcdsaP256Sha256, 257);
  ASSERT_TRUE(key.ok()) << key.error();
  auto back = SigningKey::from_pem(key->to_pem(), 257);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->dnskey_rdata(), key->dnskey_rdata());
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5};
  const std::vector<uint8_t> sig = back->sign(data);
  ASSERT_EQ(sig.size(), 64u);
  // DNSSEC's r || s, as DER for OpenSSL's verifier.
  ECDSA_SIG* es = ECDSA_SIG_new();
  ASSERT_EQ(ECDSA_SIG_set0(es, BN_bin2bn(sig.data(), 32, nullptr), BN_bin2bn(sig.data() + 32, 32, nullptr)), 1);
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key->pkey()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len), data.data(), data.size()), 1);
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
}

TEST(P256Pkcs8, PartsOnlyOfExactlyTheTemplate) {
  std::array<uint8_t, 32> scalar{};
  std::array<uint8_t, 64> point{};
  for (size_t i = 0; i < 32; ++i) scalar[i] = static_cast<uint8_t>(i + 1);
  for (size_t i = 0; i < 64; ++i) point[i] = static_cast<uint8_t>(0x80 + i);
  const std::vector<uint8_t> der = p256_pkcs8_der(scalar, point);
  auto parts = p256_pkcs8_parts(der);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->private_scalar, scalar);
  EXPECT_EQ(parts->public_point, point);
  // Every octet outside the scalar and the point is the template's.
  for (size_t i = 0; i < der.size(); ++i) {
    std::vector<uint8_t> changed = der;
    changed[i] ^= 0x01;
    const bool in_parts = (i >= 36 && i < 68) || i >= 74;
    EXPECT_EQ(p256_pkcs8_parts(changed).has_value(), in_parts) << "octet " << i;
  }
  std::vector<uint8_t> longer = der;
  longer.push_back(0);
  EXPECT_FALSE(p256_pkcs8_parts(longer));
  EXPECT_FALSE(p256_pkcs8_parts(std::span(der).first(der.size() - 1)));
  EXPECT_FALSE(p256_pkcs8_parts({}));
}

}  // namespace
}  // namespace mailns::dnssec

#define OPENSSL_SUPPRESS_DEPRECATED  // EC_KEY and ECDSA_sign_setup, see the header
#include "dnssec/p256_signer.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <utility>

namespace mailns::dnssec {

#ifndef OPENSSL_NO_DEPRECATED_3_0

namespace {
EC_KEY* ec(void* p) { return static_cast<EC_KEY*>(p); }
BN_CTX* bn(void* p) { return static_cast<BN_CTX*>(p); }
}  // namespace

P256Signer::P256Signer(EVP_PKEY* key) noexcept {
  EC_KEY* k = EVP_PKEY_get1_EC_KEY(key);
  BN_CTX* c = BN_CTX_new();
  if (!k || !c || !EC_KEY_get0_private_key(k)) {
    EC_KEY_free(k);
    BN_CTX_free(c);
    ERR_clear_error();
    return;
  }
  ec_ = k;
  bn_ = c;
}

P256Signer::~P256Signer() {
  EC_KEY_free(ec(ec_));
  BN_CTX_free(bn(bn_));
}

bool P256Signer::sign(const std::array<uint8_t, 32>& digest, std::array<uint8_t, 64>& out) noexcept {
  if (!usable()) return false;
  BIGNUM* kinv = nullptr;
  BIGNUM* r = nullptr;
  ECDSA_SIG* sig = nullptr;
  if (ECDSA_sign_setup(ec(ec_), bn(bn_), &kinv, &r) == 1)
    sig = ECDSA_do_sign_ex(digest.data(), static_cast<int>(digest.size()), kinv, r, ec(ec_));
  BN_clear_free(kinv);
  BN_clear_free(r);
  std::array<uint8_t, 64> rs;
  const bool ok = sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs.data(), 32) == 32 &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs.data() + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) {
    ERR_clear_error();
    return false;
  }
  out = rs;
  return true;
}

#else  // an OpenSSL without the deprecated calls: never usable

P256Signer::P256Signer(EVP_PKEY*) noexcept {}
P256Signer::~P256Signer() = default;
bool P256Signer::sign(const std::array<uint8_t, 32>&, std::array<uint8_t, 64>&) noexcept { return false; }

#endif

P256Signer::P256Signer(P256Signer&& other) noexcept
    : ec_(std::exchange(other.ec_, nullptr)), bn_(std::exchange(other.bn_, nullptr)) {}

}  // namespace mailns::dnssec

#include "zone/nsec3_hash.hpp"

#include <openssl/evp.h>

#include "zone/dns_name.hpp"

namespace mailns::zone {

namespace {
struct Sha1 {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Sha1() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};
}  // namespace

Nsec3Hash nsec3_hash_wire(const uint8_t* wire, size_t len, std::span<const uint8_t> salt,
                          uint16_t iterations) noexcept {
  thread_local Sha1 sha;  // one context per thread, reused
  Nsec3Hash h{};
  uint8_t buf[kMaxNameWire];
  if (len > kMaxNameWire || !sha.md || !sha.ctx) return h;
  for (size_t i = 0; i < len; ++i) buf[i] = wire[i];
  for (size_t p = 0; p < len && buf[p] != 0; p += buf[p] + 1)
    for (size_t k = 1; k <= buf[p] && p + k < len; ++k) buf[p + k] = dns_lower(buf[p + k]);
  unsigned int out = 0;
  EVP_DigestInit_ex2(sha.ctx, sha.md, nullptr);
  EVP_DigestUpdate(sha.ctx, buf, len);
  EVP_DigestUpdate(sha.ctx, salt.data(), salt.size());
  EVP_DigestFinal_ex(sha.ctx, h.data(), &out);
  for (uint16_t i = 0; i < iterations; ++i) {
    EVP_DigestInit_ex2(sha.ctx, sha.md, nullptr);
    EVP_DigestUpdate(sha.ctx, h.data(), h.size());
    EVP_DigestUpdate(sha.ctx, salt.data(), salt.size());
    EVP_DigestFinal_ex(sha.ctx, h.data(), &out);
  }
  return h;
}

}  // namespace mailns::zone

#include "zone/dns_cookie.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

namespace mailns::zone {

namespace {

constexpr uint8_t kVersion = 1;
constexpr int32_t kMaxAge = 3600;        // RFC 9018 4.3: valid for an hour
constexpr int32_t kRenewAge = 1800;      // renewed after half an hour
constexpr int32_t kMaxFuture = 300;      // clocks may differ by five minutes
constexpr size_t kHashSize = 8;

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};

// One SipHash-2-4 context per thread, made on first use with an 8-octet
// output; later uses only re-key it.
EVP_MAC_CTX* siphash_context() noexcept {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = []() -> std::unique_ptr<EVP_MAC_CTX, MacCtxFree> {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    if (!mac) return nullptr;
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> c(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);
    if (!c) return nullptr;
    size_t size = kHashSize;
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(c.get(), params) != 1) return nullptr;
    return c;
  }();
  return ctx.get();
}

bool siphash(const CookieSecret& key, std::span<const uint8_t> in, uint8_t* out) noexcept {
  EVP_MAC_CTX* ctx = siphash_context();
  size_t written = 0;
  return ctx && EVP_MAC_init(ctx, key.bytes.data(), key.bytes.size(), nullptr) == 1 &&
         EVP_MAC_update(ctx, in.data(), in.size()) == 1 && EVP_MAC_final(ctx, out, &written, kHashSize) == 1 &&
         written == kHashSize;
}

uint32_t timestamp_of(std::span<const uint8_t> server_cookie) noexcept {
  return uint32_t{server_cookie[4]} << 24 | uint32_t{server_cookie[5]} << 16 | uint32_t{server_cookie[6]} << 8 |
         server_cookie[7];
}

// Ours, for this client: version 1, reserved zero, a hash that matches.
bool made_by(const CookieSecret& secret, std::span<const uint8_t, kClientCookieSize> client,
             std::span<const uint8_t> server, std::span<const uint8_t> address) noexcept {
  uint8_t expected[kServerCookieSize];
  return make_server_cookie(client, timestamp_of(server), address, secret, expected) &&
         CRYPTO_memcmp(expected, server.data(), kServerCookieSize) == 0;
}

CookieVerdict check(std::span<const uint8_t> received, std::span<const uint8_t> address, uint32_t now,
                    const CookieSecrets& secrets) noexcept {
  if (received.size() == kClientCookieSize) return CookieVerdict::kClientOnly;
  const auto server = received.subspan(kClientCookieSize);
  if (server.size() != kServerCookieSize || server[0] != kVersion) return CookieVerdict::kInvalid;
  const auto age = static_cast<int32_t>(now - timestamp_of(server));  // serial arithmetic
  if (age > kMaxAge || age < -kMaxFuture) return CookieVerdict::kInvalid;
  const auto client = received.first<kClientCookieSize>();
  if (made_by(secrets.current, client, server, address)) return CookieVerdict::kValid;
  if (secrets.has_previous && made_by(secrets.previous, client, server, address)) return CookieVerdict::kValid;
  return CookieVerdict::kInvalid;
}

}  // namespace

bool make_server_cookie(std::span<const uint8_t, kClientCookieSize> client_cookie, uint32_t timestamp,
                        std::span<const uint8_t> client_address, const CookieSecret& secret,
                        std::span<uint8_t, kServerCookieSize> out) noexcept {
  if (client_address.size() != 4 && client_address.size() != 16) return false;
  out[0] = kVersion;
  out[1] = out[2] = out[3] = 0;
  out[4] = static_cast<uint8_t>(timestamp >> 24);
  out[5] = static_cast<uint8_t>(timestamp >> 16);
  out[6] = static_cast<uint8_t>(timestamp >> 8);
  out[7] = static_cast<uint8_t>(timestamp);
  uint8_t input[kClientCookieSize + 8 + 16];
  std::memcpy(input, client_cookie.data(), kClientCookieSize);
  std::memcpy(input + kClientCookieSize, out.data(), 8);
  std::memcpy(input + kClientCookieSize + 8, client_address.data(), client_address.size());
  return siphash(secret, {input, kClientCookieSize + 8 + client_address.size()}, out.data() + 8);
}

CookieAnswer answer_cookie(std::span<const uint8_t> received, std::span<const uint8_t> client_address, uint32_t now,
                           const CookieSecrets& secrets, std::span<uint8_t, kCookieReplySize> reply) noexcept {
  CookieAnswer a;
  a.verdict = check(received, client_address, now, secrets);
  std::memcpy(reply.data(), received.data(), kClientCookieSize);
  const auto server = reply.subspan<kClientCookieSize>();
  if (a.verdict == CookieVerdict::kValid &&
      static_cast<int32_t>(now - timestamp_of(received.subspan(kClientCookieSize))) < kRenewAge) {
    std::memcpy(server.data(), received.data() + kClientCookieSize, kServerCookieSize);
    a.has_reply = true;
    return a;
  }
  a.has_reply = make_server_cookie(received.first<kClientCookieSize>(), now, client_address, secrets.current, server);
  return a;
}

}  // namespace mailns::zone

// DNS cookies (RFC 7873) with interoperable server cookies (RFC 9018):
// version 1, three reserved octets, a 32-bit timestamp and SipHash-2-4
// (through OpenSSL's EVP_MAC) of client cookie | version | reserved |
// timestamp | client address, keyed with a 128-bit server secret.
// No allocation after a thread's first use; nothing throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mailns::zone {

inline constexpr size_t kClientCookieSize = 8;
inline constexpr size_t kServerCookieSize = 16;  // version 1 (RFC 9018 4)
inline constexpr size_t kCookieReplySize = kClientCookieSize + kServerCookieSize;

struct CookieSecret {
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const CookieSecret&, const CookieSecret&) = default;
};

// The secret server cookies are made with, and the one before it, still
// accepted so that a rotation does not invalidate the cookies clients hold.
struct CookieSecrets {
  CookieSecret current;
  CookieSecret previous;
  bool has_previous = false;
};

// What a query's COOKIE option (RFC 7873 5.2) says about its sender.
enum class CookieVerdict : uint8_t {
  kClientOnly,  // a client cookie alone (a first contact)
  kValid,       // our server cookie, made for this client cookie and address less than an hour ago
  kInvalid,     // a server cookie we did not make, made for someone else, or too old
};

// A COOKIE option's length is valid (RFC 7873 5.2.2): 8, or 16 to 40.
constexpr bool cookie_length_ok(size_t n) noexcept { return n == kClientCookieSize || (n >= 16 && n <= 40); }

// The server cookie for this client cookie and address at `timestamp`
// (seconds since the epoch, mod 2^32). False when the hash cannot be
// computed (OpenSSL without SipHash).
bool make_server_cookie(std::span<const uint8_t, kClientCookieSize> client_cookie, uint32_t timestamp,
                        std::span<const uint8_t> client_address, const CookieSecret& secret,
                        std::span<uint8_t, kServerCookieSize> out) noexcept;

// Checks the COOKIE option `received` (length already checked) of a query
// from client_address at `now`, and writes the option to answer with:
// the client cookie and our server cookie, the one received when it is
// valid and less than half an hour old (RFC 9018 4.3), else a fresh one.
struct CookieAnswer {
  CookieVerdict verdict = CookieVerdict::kInvalid;
  bool has_reply = false;  // false only when no hash could be computed: send no COOKIE
};
CookieAnswer answer_cookie(std::span<const uint8_t> received, std::span<const uint8_t> client_address, uint32_t now,
                           const CookieSecrets& secrets, std::span<uint8_t, kCookieReplySize> reply) noexcept;

}  // namespace mailns::zone

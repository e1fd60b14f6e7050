// handle_query: the whole answer path for one DNS message, with no sockets.
// UDP, TCP, transfers and tests all call it. Pure function of its inputs;
// returns the response length, or 0 when nothing must be sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/dns_cookie.hpp"
#include "zone/response_rate_limiter.hpp"
#include "zone/snapshot.hpp"

namespace mailns::zone {

enum class Transport { kUdp, kTcp };

// What a response became besides being answered.
enum class QueryOutcome : uint8_t {
  kAnswered,     // sent as built (or nothing to send)
  kRateDropped,  // over the rate limit: nothing sent
  kRateSlipped,  // over the rate limit: an empty truncated answer sent instead
};

// The per-query context the transport knows: who asked, when, and the
// server's policies that depend on it. Without one (or with everything
// unset) a query is answered as if cookies and rate limiting were off.
struct QueryEnv {
  std::span<const uint8_t> client;        // source address: 4 (IPv4) or 16 (IPv6) octets
  uint32_t now = 0;                       // seconds since the epoch (cookie timestamps, rate limit)
  const CookieSecrets* cookies = nullptr;  // DNS cookies on (RFC 7873, RFC 9018)
  ResponseRateLimiter* limiter = nullptr;  // UDP responses rate limited (never TCP)
  QueryOutcome outcome = QueryOutcome::kAnswered;  // out
};

size_t handle_query(std::span<const std::byte> in, std::span<std::byte> out, const Snapshot& snapshot,
                    Transport transport = Transport::kUdp, QueryEnv* env = nullptr) noexcept;

}  // namespace mailns::zone

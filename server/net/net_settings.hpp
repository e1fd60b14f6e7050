// NetSettings: what the transport needs to run: where to listen, how many
// worker threads, the TCP limits, rate limiting and cookies. Plain values; server/config fills them
// from the `server:` section (and --listen), and they need a restart to
// change.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "server/net/ip_address.hpp"
#include "server/net/listen_address.hpp"
#include "zone/response_rate_limiter.hpp"

namespace mailns::server {

// The most worker threads a server runs: the snapshot reclaimer keeps one
// slot per worker (server/net/snapshot_reclaim.hpp) and server.threads is
// checked against it.
inline constexpr unsigned kMaxWorkers = 256;

// server.rate_limit: response rate limiting of UDP answers
// (zone/response_rate_limiter.hpp); sources in `exempt` are never limited.
struct RateLimitConfig : zone::RateLimitSettings {
  std::vector<AddressPrefix> exempt;
  friend bool operator==(const RateLimitConfig&, const RateLimitConfig&) = default;
};

struct NetSettings {
  std::vector<ListenAddress> listen;          // never empty after parsing; default 127.0.0.1:53
  unsigned threads = 1;                       // 1..kMaxWorkers; default: hardware threads
  std::chrono::seconds tcp_idle_timeout{10};  // RFC 7766 6.2.3: silence allowed between messages
  std::chrono::seconds tcp_io_timeout{2};     // to receive a whole message once its first byte came
  unsigned tcp_max_connections = 256;
  unsigned tcp_max_connections_per_address = 32;  // IPv4 /32, IPv6 /128
  std::optional<RateLimitConfig> rate_limit;     // off unless set
  bool cookies = true;                           // DNS cookies (RFC 7873, RFC 9018)
};

}  // namespace mailns::server

// QueryPolicies: what a worker applies to the queries it answers besides
// the zones: DNS cookies (the secrets to make and check them with) and
// response rate limiting (its own limiter, and the sources never limited).
// env() builds the per-query context handle_query takes
// (zone/handle_query.hpp) from a datagram's source address.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <vector>

#include "server/net/cookie_secret_cell.hpp"
#include "server/net/ip_address.hpp"
#include "zone/handle_query.hpp"

namespace mailns::server {

// The octets of a socket address's IP (4 or 16; IPv4-mapped IPv6 as the 4
// of IPv4, as IpAddress folds them), pointing into sa; empty for others.
std::span<const uint8_t> address_octets(const sockaddr_storage& sa, socklen_t len) noexcept;

struct QueryPolicies {
  const CookieSecretCell* cookies = nullptr;         // nullptr: cookies off
  zone::ResponseRateLimiter* limiter = nullptr;      // nullptr: no rate limiting
  const std::vector<AddressPrefix>* exempt = nullptr;  // never rate limited

  bool active() const noexcept { return cookies || limiter; }

  // What every query of a batch shares: the secrets as of now, and the time.
  struct Batch {
    std::optional<zone::CookieSecrets> secrets;
    uint32_t now = 0;
  };
  Batch begin_batch() const noexcept {
    Batch b;
    if (cookies) b.secrets = cookies->load();
    b.now = static_cast<uint32_t>(std::time(nullptr));
    return b;
  }

  // The context of one query from `client` (address_octets()).
  zone::QueryEnv env(std::span<const uint8_t> client, const Batch& batch) const noexcept {
    zone::QueryEnv e;
    if (client.empty()) return e;  // not IP: nothing to apply
    e.client = client;
    e.now = batch.now;
    e.cookies = batch.secrets ? &*batch.secrets : nullptr;
    e.limiter = limiter && !is_exempt(client) ? limiter : nullptr;
    return e;
  }

  bool is_exempt(std::span<const uint8_t> client) const noexcept;
};

}  // namespace mailns::server

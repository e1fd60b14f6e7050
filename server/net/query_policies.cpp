#include "server/net/query_policies.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace mailns::server {

std::span<const uint8_t> address_octets(const sockaddr_storage& sa, socklen_t len) noexcept {
  if (sa.ss_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    return {reinterpret_cast<const uint8_t*>(&in->sin_addr), 4};
  }
  if (sa.ss_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    const auto* b = reinterpret_cast<const uint8_t*>(&in6->sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return {b + 12, 4};
    return {b, 16};
  }
  return {};
}

bool QueryPolicies::is_exempt(std::span<const uint8_t> client) const noexcept {
  if (!exempt || exempt->empty() || (client.size() != 4 && client.size() != 16)) return false;
  IpAddress a;
  a.v6 = client.size() == 16;
  std::memcpy(a.bytes.data(), client.data(), client.size());
  return std::any_of(exempt->begin(), exempt->end(), [&](const AddressPrefix& p) { return p.contains(a); });
}

}  // namespace mailns::server

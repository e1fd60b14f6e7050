#include "server/net/query_log.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace mailns::server {

std::optional<QueryEndpoint> QueryEndpoint::from_sockaddr(const sockaddr* sa, socklen_t len) noexcept {
  const auto address = IpAddress::from_sockaddr(sa, len);
  if (!address) return std::nullopt;
  // from_sockaddr checked the family and the length.
  const in_port_t port = sa->sa_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(sa)->sin_port
                                                  : reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port;
  return QueryEndpoint{*address, ntohs(port)};
}

}  // namespace mailns::server

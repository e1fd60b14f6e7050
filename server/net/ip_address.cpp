#include "server/net/ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace mailns::server {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* sa, socklen_t len) {
  IpAddress a;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return a;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(in6)) {
      std::memcpy(a.bytes.data(), in6->s6_addr + 12, 4);
      return a;
    }
    a.v6 = true;
    std::memcpy(a.bytes.data(), in6->s6_addr, 16);
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<AddressPrefix> AddressPrefix::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<AddressPrefix> {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  const std::string quoted = "'" + std::string(text) + "'";
  const size_t slash = text.find('/');
  const std::string_view addr_text = text.substr(0, slash);
  auto addr = IpAddress::parse(addr_text);
  if (!addr)
    return fail(quoted + " is not an IP address or prefix; write 192.0.2.1, 192.0.2.0/24 or 2001:db8::/32");
  AddressPrefix p;
  p.address = *addr;
  const unsigned max = addr->v6 ? 128 : 32;
  p.length = static_cast<uint8_t>(max);
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    unsigned len = 0;
    const auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (len_text.empty() || ec != std::errc{} || end != len_text.data() + len_text.size() || len > max)
      return fail(quoted + ": prefix length '" + std::string(len_text) + "' is not a number from 0 to " +
                  std::to_string(max));
    p.length = static_cast<uint8_t>(len);
  }
  const size_t n = addr->v6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i) {
    const unsigned keep = p.length >= (i + 1) * 8 ? 8 : p.length > i * 8 ? p.length - i * 8 : 0;
    const uint8_t mask = static_cast<uint8_t>(keep == 0 ? 0 : 0xFF << (8 - keep));
    if (p.address.bytes[i] & ~mask) {
      IpAddress net = p.address;
      for (size_t j = 0; j < n; ++j) {
        const unsigned k = p.length >= (j + 1) * 8 ? 8 : p.length > j * 8 ? p.length - j * 8 : 0;
        net.bytes[j] &= static_cast<uint8_t>(k == 0 ? 0 : 0xFF << (8 - k));
      }
      return fail(quoted + " has host bits set below the /" + std::to_string(p.length) + "; write " +
                  net.to_string() + "/" + std::to_string(p.length) + " or the single address");
    }
  }
  return p;
}

bool AddressPrefix::contains(const IpAddress& a) const noexcept {
  if (a.v6 != address.v6) return false;
  const size_t whole = length / 8;
  if (std::memcmp(a.bytes.data(), address.bytes.data(), whole) != 0) return false;
  const unsigned rest = length % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a.bytes[whole] & mask) == address.bytes[whole];
}

std::string AddressPrefix::to_string() const {
  const unsigned max = address.v6 ? 128 : 32;
  return length == max ? address.to_string() : address.to_string() + "/" + std::to_string(length);
}

}  // namespace mailns::server

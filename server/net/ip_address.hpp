// IpAddress and AddressPrefix: a peer's address as the transport sees it
// (IPv4-mapped IPv6 folded to IPv4), and the prefixes that ACLs and
// per-network limits match it against. Literal addresses only: nothing is
// ever resolved.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailns::server {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; the first 4 for IPv4

  // A literal IPv4 or IPv6 address (no brackets, no port).
  static std::optional<IpAddress> parse(std::string_view text);
  // The address of a socket peer; IPv4-mapped IPv6 addresses (a dual-stack
  // socket) become IPv4, so "127.0.0.1" in an ACL matches them.
  static std::optional<IpAddress> from_sockaddr(const sockaddr* sa, socklen_t len);
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct AddressPrefix {
  IpAddress address;  // host bits are zero
  uint8_t length = 0;  // 0..32 or 0..128

  // "192.0.2.1", "192.0.2.0/24", "2001:db8::/32"; sets *error (what to
  // write instead) on failure. Host bits set below the prefix are an error.
  static std::optional<AddressPrefix> parse(std::string_view text, std::string* error);
  bool contains(const IpAddress& a) const noexcept;
  std::string to_string() const;
  friend bool operator==(const AddressPrefix&, const AddressPrefix&) = default;
};

}  // namespace mailns::server

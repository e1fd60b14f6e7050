// ListenAddress: one IP address and port the server answers on (UDP and TCP).
// Always a literal IPv4 or IPv6 address with a port 1..65535: host names are
// never resolved, so what the operator wrote is exactly what gets bound.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailns::server {

struct ListenAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; the first 4 for IPv4
  uint16_t port = 0;

  // Parses "192.0.2.1:53" or "[2001:db8::1]:53". On failure returns nullopt
  // and sets *error to what is wrong and what to write instead.
  static std::optional<ListenAddress> parse(std::string_view text, std::string* error);

  // "127.0.0.1:5300" or "[::1]:5300", the form parse() accepts.
  std::string to_string() const;
  // True for 0.0.0.0 and ::, where replies must name their source address.
  bool is_wildcard() const noexcept;

  friend auto operator<=>(const ListenAddress&, const ListenAddress&) = default;
};

// "127.0.0.1:53, [::1]:53": a list of addresses for messages.
std::string to_string(const std::vector<ListenAddress>& addresses);

}  // namespace mailns::server

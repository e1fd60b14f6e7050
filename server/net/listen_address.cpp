#include "server/net/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace mailns::server {

namespace {

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

bool looks_like_host_name(std::string_view host) {
  for (char c : host)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') return true;
  return false;
}

}  // namespace

std::optional<ListenAddress> ListenAddress::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<ListenAddress> {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.empty()) return fail("empty address; write ADDRESS:PORT such as 127.0.0.1:53 or \"[::1]:53\"");

  ListenAddress out;
  std::string_view host;
  std::string_view port_text;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos)
      return fail(quoted + " has no closing ']'; write an IPv6 address as \"[2001:db8::1]:53\"");
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return fail(quoted + " has no port; write \"[" + std::string(host) + "]:53\"");
    if (rest.front() != ':') return fail(quoted + ": expected ':PORT' after ']'");
    port_text = rest.substr(1);
    out.v6 = true;
  } else {
    const size_t first = text.find(':');
    if (first == std::string_view::npos)
      return fail(quoted + " has no port; write " + std::string(text) + ":53");
    if (text.find(':', first + 1) != std::string_view::npos)
      return fail(quoted + " looks like an IPv6 address without brackets; write \"[" + std::string(text) +
                  "]:53\" (address in brackets, then the port)");
    host = text.substr(0, first);
    port_text = text.substr(first + 1);
  }

  const auto port = parse_port(port_text);
  if (!port)
    return fail(quoted + ": port '" + std::string(port_text) + "' is not a number from 1 to 65535");
  out.port = *port;

  const std::string host_str(host);
  if (out.v6) {
    if (inet_pton(AF_INET6, host_str.c_str(), out.bytes.data()) != 1)
      return fail(quoted + ": '" + host_str + "' is not an IPv6 address; write \"[::1]:" +
                  std::to_string(out.port) + "\" or another literal address");
  } else if (inet_pton(AF_INET, host_str.c_str(), out.bytes.data()) != 1) {
    if (looks_like_host_name(host_str))
      return fail(quoted + ": '" + host_str + "' is not an IP address (host names are not resolved); write 127.0.0.1:" +
                  std::to_string(out.port) + " or \"[::1]:" + std::to_string(out.port) + "\"");
    return fail(quoted + ": '" + host_str + "' is not an IPv4 address; write four numbers 0-255, such as 127.0.0.1:" +
                std::to_string(out.port));
  }
  return out;
}

std::string ListenAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return v6 ? "[" + std::string(buf) + "]:" + std::to_string(port) : std::string(buf) + ":" + std::to_string(port);
}

bool ListenAddress::is_wildcard() const noexcept {
  const size_t n = v6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i)
    if (bytes[i] != 0) return false;
  return true;
}

std::string to_string(const std::vector<ListenAddress>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += (out.empty() ? "" : ", ") + a.to_string();
  return out;
}

}  // namespace mailns::server

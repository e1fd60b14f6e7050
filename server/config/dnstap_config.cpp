#include "server/config/dnstap_config.hpp"

#include <sys/un.h>

namespace mailns::server {

namespace {
constexpr const char* kDnstapKeys[] = {"socket", "queries", "responses"};
constexpr const char* kExample = "{ socket: /run/mailns/dnstap.sock, queries: true, responses: true }";
}  // namespace

DnstapSettings read_dnstap_settings(ConfigChecker& c, const YAML::Node& n) {
  if (!n.IsMap()) {
    c.error(n, std::string("server.dnstap: expected a mapping such as ") + kExample + ", got " + describe(n));
    return {};
  }
  const size_t errors_before = c.error_count();
  auto keys = c.keys(n, "server.dnstap", kDnstapKeys);
  DnstapSettings out;
  if (auto it = keys.find("socket"); it == keys.end())
    c.error(n, "server.dnstap: missing 'socket'; name the unix socket the dnstap collector listens on, e.g. "
               "\"socket: /run/mailns/dnstap.sock\" (remove dnstap: to log nothing)");
  else if (auto v = c.string(it->second, "server.dnstap.socket", "/run/mailns/dnstap.sock")) {
    out.socket = resolve_config_path(c.file(), *v);
    if (out.socket.size() >= sizeof(sockaddr_un::sun_path))
      c.error(it->second, "server.dnstap.socket: " + out.socket + " is " + std::to_string(out.socket.size()) +
                              " bytes, too long for a unix socket (at most " +
                              std::to_string(sizeof(sockaddr_un::sun_path) - 1) + "); choose a shorter path");
  }
  if (auto it = keys.find("queries"); it != keys.end())
    if (auto v = c.boolean(it->second, "server.dnstap.queries")) out.queries = *v;
  if (auto it = keys.find("responses"); it != keys.end())
    if (auto v = c.boolean(it->second, "server.dnstap.responses")) out.responses = *v;
  if (!out.queries && !out.responses)
    c.error(n, "server.dnstap: queries and responses are both false, so nothing would be logged; set one to true, "
               "or remove dnstap: to turn the log off");
  if (c.error_count() != errors_before) return {};
  return out;
}

}  // namespace mailns::server

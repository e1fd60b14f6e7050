#include "server/config/rate_limit_config.hpp"

namespace mailns::server {

namespace {

constexpr const char* kKeys[] = {"responses_per_second", "slip", "ipv4_prefix", "ipv6_prefix", "exempt"};
constexpr const char* kExample = "{ responses_per_second: 20, slip: 2, ipv4_prefix: 24, ipv6_prefix: 56 }";

void read_exempt(ConfigChecker& c, const YAML::Node& n, RateLimitConfig& out) {
  if (!n.IsSequence()) {
    c.error(n, "server.rate_limit.exempt: expected a list of addresses or prefixes such as [10.0.0.0/8, "
               "\"2001:db8::/32\"], got " + describe(n));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string path = "server.rate_limit.exempt[" + std::to_string(i) + "]";
    std::string err = "expected an address or prefix such as 10.0.0.0/8, got " + describe(n[i]);
    auto p = n[i].IsScalar() ? AddressPrefix::parse(n[i].Scalar(), &err) : std::nullopt;
    if (!p) {
      c.error(n[i], path + ": " + err);
      continue;
    }
    out.exempt.push_back(*p);
  }
}

}  // namespace

std::optional<RateLimitConfig> read_rate_limit(ConfigChecker& c, const YAML::Node& n) {
  if (!n.IsMap()) {
    c.error(n, std::string("server.rate_limit: expected a mapping such as ") + kExample + ", got " + describe(n));
    return std::nullopt;
  }
  const size_t errors_before = c.error_count();
  auto keys = c.keys(n, "server.rate_limit", kKeys);
  RateLimitConfig out;
  if (auto it = keys.find("responses_per_second"); it == keys.end())
    c.error(n, "server.rate_limit: missing 'responses_per_second'; how many identical responses a second one network "
               "gets, e.g. \"responses_per_second: 20\" (remove rate_limit: to limit nothing)");
  else if (auto v = c.integer(it->second, "server.rate_limit.responses_per_second", 1, RateLimitConfig::kMaxRate))
    out.responses_per_second = static_cast<uint32_t>(*v);
  if (auto it = keys.find("slip"); it != keys.end())
    if (auto v = c.integer(it->second, "server.rate_limit.slip", 0, RateLimitConfig::kMaxSlip))
      out.slip = static_cast<uint32_t>(*v);
  if (auto it = keys.find("ipv4_prefix"); it != keys.end())
    if (auto v = c.integer(it->second, "server.rate_limit.ipv4_prefix", 8, 32)) out.ipv4_prefix = static_cast<uint8_t>(*v);
  if (auto it = keys.find("ipv6_prefix"); it != keys.end())
    if (auto v = c.integer(it->second, "server.rate_limit.ipv6_prefix", 16, 128))
      out.ipv6_prefix = static_cast<uint8_t>(*v);
  if (auto it = keys.find("exempt"); it != keys.end()) read_exempt(c, it->second, out);
  if (c.error_count() != errors_before) return std::nullopt;
  return out;
}

}  // namespace mailns::server

// The `server: rate_limit:` section read into RateLimitConfig
// (server/net/net_settings.hpp): responses_per_second (required), slip,
// ipv4_prefix, ipv6_prefix and exempt (addresses or prefixes).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "server/config/config_checker.hpp"
#include "server/net/net_settings.hpp"

namespace mailns::server {

// Errors go to c; nothing is returned on error (rate limiting stays off).
std::optional<RateLimitConfig> read_rate_limit(ConfigChecker& c, const YAML::Node& n);

}  // namespace mailns::server

// The `server: dnstap:` section read into DnstapSettings
// (server/dnstap/dnstap_settings.hpp): socket (required, relative to the
// configuration's directory), queries and responses (booleans, default
// true, not both false).
#pragma once

#include <yaml-cpp/yaml.h>

#include "server/config/config_checker.hpp"
#include "server/dnstap/dnstap_settings.hpp"

namespace mailns::server {

// Errors go to c; the settings returned are off (empty socket) on error.
DnstapSettings read_dnstap_settings(ConfigChecker& c, const YAML::Node& n);

}  // namespace mailns::server

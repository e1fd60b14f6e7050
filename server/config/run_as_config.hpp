// `server: user:` and `server: group:`: whom `mailns serve` becomes after
// binding its sockets when started as root. The names are looked up when the
// configuration is read, so a RunAs always names an existing user and group.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "server/config/config_checker.hpp"

namespace mailns::server {

struct RunAs {
  std::string user, group;
  uid_t uid = 0;
  gid_t gid = 0;  // the group's, else the user's primary group
};

// From the server: mapping's user and group values (either may be absent);
// nullopt without user (group alone is an error), or on errors (in c).
std::optional<RunAs> read_run_as(ConfigChecker& c, const std::map<std::string, YAML::Node>& server_keys);

}  // namespace mailns::server

// The top-level `mta_sts_server:` section (server/web/mta_sts_server_settings.hpp):
//
//   mta_sts_server:
//     listen: 127.0.0.1:8443            # or a list: [127.0.0.1:443, "[::1]:443"]
//     certificates:                     # the first is the default; others by SNI
//       - { cert: certs/mta-sts.pem, key: certs/mta-sts.key }
//
// Paths are relative to the configuration file and must exist; the files
// are loaded (and their key checked) when serve starts and on every reload.
// Every problem is reported as FILE:LINE with what to write instead.
#pragma once

#include <optional>

#include "server/config/config_checker.hpp"
#include "server/web/mta_sts_server_settings.hpp"

namespace mailns::server {

// Reads the section's value n; nullopt (with errors in c) when it is wrong.
std::optional<MtaStsServerSettings> read_mta_sts_server(ConfigChecker& c, const YAML::Node& n,
                                                        const std::string& config_path);

}  // namespace mailns::server

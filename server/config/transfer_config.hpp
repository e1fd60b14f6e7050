// The configuration of mailns as a (hidden) primary
// (server/xfr/transfer_settings.hpp), read from these top-level keys (all optional; without them nothing may transfer):
//
//   tsig_keys:                      # RFC 8945 shared secrets
//     - { name: xfr-key, algorithm: hmac-sha256, secret_file: state/xfr-key.b64 }
//   secondaries:                    # sent NOTIFY, and allowed to transfer
//     - { address: 127.0.0.1:53053, tsig: xfr-key }
//   allow_transfer:                 # more clients allowed to transfer
//     - 192.0.2.0/24                #   an address or prefix (no TSIG needed)
//     - xfr-key                     #   a key from tsig_keys (any address)
//     - { address: 10.0.0.0/8, key: xfr-key }   # both must match
//   ixfr_history: 20                # versions kept for IXFR (0: AXFR only)
//   catalog: { zone: catalog.mailns.invalid }   # RFC 9432 catalog of every zone
//
// secret_file holds the base64 secret (as `openssl rand -base64 32` writes
// it), relative to the configuration file. Every problem is reported as
// FILE:LINE with what to write instead (server/config_checker.hpp).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/config/config_checker.hpp"
#include "server/xfr/transfer_settings.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server {

inline constexpr const char* kTransferTopKeys[] = {"tsig_keys", "secondaries", "allow_transfer", "ixfr_history",
                                                   "catalog"};

// Reads the keys above from the top-level mapping's values (as
// ConfigChecker::keys returned them). served: every zone the configuration
// serves, so the catalog's name cannot clash with one.
void read_transfer_settings(ConfigChecker& c, const std::map<std::string, YAML::Node>& top,
                            const std::string& config_path, std::span<const zone::DnsName> served,
                            TransferSettings& out);

}  // namespace mailns::server

// Zone fingerprints: what a reload compares to decide which zones to
// rebuild. A zone's fingerprint is a SHA-256 over everything its records
// depend on: its own entry in the configuration (Config::entry_texts,
// server/config/entry_texts.hpp), the top-level
// dnssec: section, and the stamp (inode, size, modification and change
// times) of every file the entry references (DKIM keys, TLS certificates and
// next keys, master files): no file is read to decide. A file written again
// with the same content is rebuilt, and then keeps its serial (the rebuilt
// version holds the same records, zone_version.hpp). A reverse zone
// depends on the reverse_zones: list and on every mail domain's mail_hosts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config/config.hpp"

namespace mailns::server {

struct ConfigFingerprints {
  std::map<std::string, std::string> zones;  // origin (lower case, final dot) -> hex digest
  std::vector<std::string> files;            // the config and every file it references, sorted, unique
};

// Reads the files the configuration references; never throws.
ConfigFingerprints fingerprint_config(const Config& config);
// One zone's fingerprint, as fingerprint_config gives it, stamping only the
// files that zone references (into *files when given); nullopt when config
// does not serve origin.
std::optional<std::string> zone_fingerprint(const Config& config, const zone::DnsName& origin,
                                            std::vector<std::string>* files = nullptr);

// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

// The key fingerprint_config uses for a zone.
std::string fingerprint_key(const zone::DnsName& origin);

}  // namespace mailns::server

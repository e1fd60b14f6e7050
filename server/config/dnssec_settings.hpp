// DnssecSettings: whether and how one zone is signed. The top-level
// `dnssec:` section sets the defaults; a `dnssec:` mapping inside a zones:
// or mail_domains: entry overrides any of its keys for that zone:
//
//   dnssec:
//     enabled: true                 # default false: zones are served unsigned
//     algorithm: ecdsap256sha256    # ed25519, rsasha256 (2048-bit keys)
//     keys: csk                     # or ksk_zsk
//     denial: nsec3                 # nsec3 (0 iterations, no salt, RFC 9276) or nsec
//     signature_validity: 14d       # RRSIG expiration = signing time + this
//     refresh_before: 4d            # re-sign when an RRSIG expires within this
//     key_dir: state/keys           # relative to the config file; <key_dir>/<zone>/
//     zsk_lifetime: 0               # 0 = roll only on request; else e.g. 90d
//     ksk_lifetime: 0
//
// Durations are seconds ("3600") or numbers with units s/m/h/d/w ("14d").
// Everything is checked here with file:line; what needs the key files
// (readable, matching) is checked when the zones are loaded.
#pragma once

#include <string>

#include "dnssec/zone_signer.hpp"
#include "server/config/config_checker.hpp"

namespace mailns::server {

struct DnssecSettings {
  bool enabled = false;
  dnssec::SigningPolicy policy;  // algorithm, keys, denial, signature times, key lifetimes
  std::string key_dir;           // resolved against the config file's directory
  std::string where;             // "FILE:LINE" of the section that decided these, for messages
};

// The settings without any dnssec: section: disabled; when enabled, P-256
// CSK, NSEC3, 14d validity, refresh 4d before, key_dir state/keys next to
// the configuration file, no automatic rollovers.
DnssecSettings default_dnssec_settings(const std::string& config_path);

// Reads a dnssec: mapping at `path` ("dnssec", "zones[0].dnssec",
// "example.org.dnssec"); each key present replaces base's value. Problems go
// to c; the result is then incomplete and must not be used.
DnssecSettings read_dnssec_settings(ConfigChecker& c, const YAML::Node& n, const std::string& path,
                                    const DnssecSettings& base, const std::string& config_path);

// The configuration words, for messages and `mailns dnssec keys`.
const char* denial_word(dnssec::DenialMode d) noexcept;
const char* key_scheme_word(dnssec::KeyScheme k) noexcept;

}  // namespace mailns::server

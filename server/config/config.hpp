// Config: the YAML configuration file parsed once into plain typed structs.
// Unknown keys, wrong types, impossible values and missing required keys are
// all collected (not just the first) as "FILE:LINE: what is wrong; what to
// write instead". Parsing never touches the network; zone files are only
// checked to exist here and are loaded by zone_loader.
//
// Schema:
//   server:  listen [ADDR:PORT...], threads, udp_payload, tcp_idle_timeout,
//            tcp_io_timeout, tcp_max_connections,
//            tcp_max_connections_per_address, log_level, state_dir,
//            control_socket, watch_files, metrics_listen, nsid, dnstap,
//            rate_limit, cookies
//                                                  (all optional)
//   zones:   - origin: NAME, file: PATH            (PATH relative to the
//                                                   config's directory)
//            dnssec: {...}                         (optional per-zone override)
//   mail_domains: [...], reverse_zones: [...]      (synth/declaration_yaml.hpp;
//                                                   each mail domain may have
//                                                   its own dnssec: override)
//   dnssec:  enabled, algorithm, keys, denial, ... (server/dnssec_settings.hpp;
//                                                   defaults for every zone)
//   tsig_keys, secondaries, allow_transfer, ixfr_history, catalog
//                                                  (server/transfer_config.hpp:
//                                                   zone transfers and NOTIFY)
//   mta_sts_server: listen, certificates           (server/config/mta_sts_server_config.hpp:
//                                                   the HTTPS endpoint of the MTA-STS policies)
// At least one of zones and mail_domains is required.
// Listen addresses and threads need a restart; zones are what a reload
// changes (a later issue).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/config/dnssec_settings.hpp"
#include "server/config/entry_texts.hpp"
#include "server/config/file_stamp.hpp"
#include "server/config/run_as_config.hpp"
#include "server/dnstap/dnstap_settings.hpp"
#include "server/logging.hpp"
#include "server/net/net_settings.hpp"
#include "server/web/mta_sts_server_settings.hpp"
#include "server/config/transfer_config.hpp"
#include "synth/declaration.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server {

// The `server:` section: the transport's settings (listen, threads, TCP
// limits: server/net/net_settings.hpp) and the rest of the service's.
struct ServerSettings : NetSettings {
  uint16_t udp_payload = 1232;  // our EDNS buffer size (RFC 6891), 512..4096
  LogLevel log_level = LogLevel::kInfo;
  // Hot reload (server/reloader.hpp). Paths resolved against the config's
  // directory; defaults: state_dir "state", control_socket "<state_dir>/mailns.sock".
  std::string state_dir;       // persisted SOA serials (serials file)
  std::string control_socket;  // unix socket of `mailns reload`, mode 0600
  bool watch_files = true;     // reload when the config or a file it references changes (inotify)
  // Prometheus metrics over HTTP at http://ADDR:PORT/metrics (off when unset; needs a restart).
  std::optional<ListenAddress> metrics_listen;
  DnstapSettings dnstap;       // the dnstap query log (server/dnstap/); off by default
  std::string nsid;  // RFC 5001 NSID, 1..128 printable ASCII; empty: none (needs a restart)
  std::optional<RunAs> run_as;  // user/group to become after binding when started as root (needs a restart)
};

struct ZoneSource {
  zone::DnsName origin;
  std::string file;       // as resolved against the config's directory
  std::string file_text;  // as written in the config
  int line = 0;           // 1-based line of the zone entry in the config file
};

struct Config {
  std::string path;  // the config file as given
  ServerSettings server;
  std::vector<ZoneSource> zones;
  std::vector<synth::MailDomainDecl> mail_domains;    // synthesized zones (synth/)
  std::vector<synth::ReverseZoneDecl> reverse_zones;  // PTR zones for the mail hosts
  DnssecSettings dnssec;                              // top-level dnssec: (disabled without it)
  // Zones whose zones:/mail_domains: entry has its own dnssec: section
  // (already merged with the top-level one), by lookup form of the origin.
  std::map<std::string, DnssecSettings, std::less<>> dnssec_overrides;
  TransferSettings transfer;  // secondaries, TSIG keys, transfer ACL, IXFR history, catalog
  EntryTexts entry_texts;     // each zone's own configuration text, for reloads
  std::optional<MtaStsServerSettings> mta_sts_server;  // the policy endpoint; none: not served
  // The files it was read from (load_config: the config file first, then
  // the TSIG secret files), each stamped just before it was read.
  std::vector<InputFile> inputs;

  // The DNSSEC settings of one zone: its override, else the top-level ones.
  const DnssecSettings& dnssec_for(const zone::DnsName& origin) const;
  // Every zone the configuration serves (zones:, mail_domains:, reverse_zones:), in that order.
  std::vector<zone::DnsName> all_origins() const;
};

struct ConfigResult {
  std::optional<Config> config;     // set only when errors is empty
  std::vector<std::string> errors;  // "FILE:LINE: message", in file order
};

// Reads and parses the file at path.
ConfigResult load_config(const std::string& path);
// Parses YAML text; path names the messages and anchors relative zone files.
ConfigResult parse_config(const std::string& yaml_text, const std::string& path);

// Replaces the configured listen addresses by the --listen values (the
// command line wins over the file). Returns one message per bad value and
// leaves config unchanged when there is any.
std::vector<std::string> apply_listen_override(Config& config, const std::vector<std::string>& listen);

}  // namespace mailns::server

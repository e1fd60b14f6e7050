// Loading everything a configuration serves into one Snapshot: the plain
// master-file zones and the zones synthesized from mail-domain declarations,
// each signed when its dnssec: settings enable it (server/zone_signing).
// Every zone is loaded even when an earlier one fails, so the operator sees
// all errors at once. A broken master file stops the start (errors); a mail
// domain with lint errors, or any zone whose DNSSEC keys cannot be used, is
// left out and the rest is served (domain_errors).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/config/config.hpp"
#include "server/publish/zone_signing.hpp"
#include "zone/packed_records.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

struct LoadOptions {
  uint32_t serial = 0;  // SOA serial of synthesized zones; 0: first serial of today (UTC)
  int64_t now = 0;      // Unix seconds for signatures and key timing; 0: the real clock
  // How zones with DNSSEC enabled get their keys; nullopt: serve every zone
  // unsigned (zone export without --signed).
  std::optional<KeyAccess> keys = KeyAccess::kCreate;
  // kReadOnly only: a zone without keys yet is loaded unsigned with a
  // warning instead of being left out (check-config).
  bool unsigned_without_keys = false;
  bool keep_signed_records = false;  // fill ZoneSigning::signed_records (zone export --signed)
  // When set, only this zone is signed; the others are loaded unsigned and
  // their keys are not touched (the commands about one zone).
  std::optional<zone::DnsName> sign_only;
  // When set, the SOA serial of every synthesized zone and every signed
  // master-file zone is set to serial_for(origin, serial it has now) before
  // signing (the reloader's persisted, per-zone serials). Unsigned
  // master-file zones keep the serial of their file.
  std::function<uint32_t(const zone::DnsName&, uint32_t)> serial_for;
  // When set: the version of a zone served now (or kept in the archive),
  // nullptr when there is none. A zone whose new version holds the same
  // records apart from the serial keeps that version and its serial, and a
  // signed zone keeps the signatures of the RRsets that did not change
  // (zone_version.hpp, dnssec/signature_reuse.hpp).
  // Called from several threads at once (the loading is parallel).
  std::function<std::shared_ptr<const zone::Zone>(const zone::DnsName&)> previous_for;
  // The serial last served for a zone (the serial store), when known. A
  // previous version with another serial is not the one secondaries saw
  // last (a crash between publishing and archiving): its signatures are
  // still kept, but the zone gets a new serial (never one seen before).
  std::function<std::optional<uint32_t>(const zone::DnsName&)> last_served_serial;
  // When set (a start): the archived version of an unsigned master-file
  // zone built from the file as it is now (its stamp, ZoneArchive::
  // load_unchanged), nullptr when there is none; such a zone is taken as it
  // is instead of parsing the file again. Called from one thread.
  std::function<std::shared_ptr<const zone::Zone>(const zone::DnsName&, const std::string&)> unchanged_master;
  // Threads for loading previous versions, keys and signing; 0: the
  // configuration's server.threads (a start uses every core: nothing is
  // answered yet).
  unsigned threads = 0;
};

// What the server needs to sign a zone again.
struct ZoneSigning {
  const DnssecSettings* settings = nullptr;    // points into the Config, which must outlive this
  zone::PackedRecords records;                  // unsigned; the SOA carries the served serial
  std::vector<zone::Record> signed_records;    // with LoadOptions::keep_signed_records only
  int64_t next_resign = 0;                     // Unix seconds; 0 = nothing scheduled
  size_t signatures = 0;
  unsigned failures = 0;                       // re-signing attempts failed in a row (back-off)
};

struct LoadedZone {
  std::shared_ptr<const zone::Zone> zone;
  std::string source;                    // where it came from, for the log
  std::optional<ZoneSigning> signing;    // set for zones served signed
  bool last_good_version = false;        // served from the archive: its declaration or files have errors
  // Master-file zones: the file's stamp (config/file_stamp) taken before it
  // was read, when the file had settled; "" otherwise. The archive keeps
  // it, so that a start can take the zone from there while it holds.
  std::string source_stamp;
  // The previous version (LoadOptions::previous_for) that this one replaces
  // with another serial: what the IXFR journal takes the difference from.
  // Set by load_zones only; whoever takes it clears it.
  std::shared_ptr<const zone::Zone> replaces = nullptr;
};

struct ZoneSetResult {
  std::shared_ptr<const zone::Snapshot> snapshot;  // nullptr when errors is non-empty
  std::vector<LoadedZone> zones;                   // the snapshot's zones, in its order
  std::vector<std::string> errors;                 // "file:line: message": nothing is served
  std::vector<std::string> domain_errors;          // "file:line: error: domain: message": that zone is left out
  std::vector<std::string> warnings;
  std::vector<std::string> events;                 // keys created, rollover steps (info)
  SignStats signing;                               // over every signed zone
  size_t masters_unchanged = 0;                    // master-file zones taken from the archive (unchanged_master)
  std::map<std::string, std::string> mta_sts_policies;  // mail domain -> policy file text
};

// Loads config.zones, synthesizes config.mail_domains / reverse_zones, and
// signs the zones with DNSSEC enabled.
ZoneSetResult load_zones(const Config& config, const LoadOptions& options);
// Shorthand: LoadOptions with this serial and the defaults otherwise.
ZoneSetResult load_zones(const Config& config, uint32_t serial);

// The errors among `errors` (load_zones' errors and domain_errors) that are
// about one zone: its mail domain's diagnostics, its master file's errors;
// all of them when none names it.
std::vector<std::string> errors_about(const std::vector<std::string>& errors, const Config& config,
                                      const zone::DnsName& origin);
// Whether one such error is about that zone.
bool error_is_about_zone(const std::string& error, const Config& config, const zone::DnsName& origin);

// The serial for synthesized zones loaded now: YYYYMMDD01 of today (UTC).
// Where a domain's MTA-STS policy is among its zone's documents
// (zone::Zone::document): "mta-sts.<domain>/.well-known/mta-sts.txt".
std::string mta_sts_policy_path(const zone::DnsName& domain);
uint32_t serial_for_today();

// The answer options a config asks for.
zone::AnswerOptions answer_options(const ServerSettings& settings);

}  // namespace mailns::server

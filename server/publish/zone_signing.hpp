// Signing the zones the server serves: per zone, take its keys from the key
// store (dnssec/key_store: <key_dir>/<zone>/), let the rollover clock advance
// them (dnssec/rollover, with the real time), then sign every zone with
// dnssec::sign_zone against its previous version, each zone from start to
// end on one of the configured threads. A zone whose keys cannot be read is an error for that
// zone only; key files are never replaced.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/config/dnssec_settings.hpp"
#include "zone/online_signer.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

enum class KeyAccess : uint8_t {
  kCreate,    // serve, dnssec ds: keys made on first use; rollovers advanced and saved
  kExisting,  // re-signing: the keys must exist; rollovers advanced and saved
  kReadOnly,  // check-config, zone export --signed: the stored keys as they are; nothing written
};

// When a zone with DNSSEC enabled gets its first keys, for the messages about
// a zone that has none yet.
inline constexpr const char* kFirstKeysCreatedBy =
    "`mailns serve` creates them on its first start, `mailns dnssec ds` before it";

struct SignJob {
  SignJob(zone::DnsName o, std::vector<zone::Record> r, const DnssecSettings& s)
      : origin(std::move(o)), records(std::move(r)), settings(&s) {}

  // In.
  zone::DnsName origin;
  std::vector<zone::Record> records;  // unsigned, the SOA with the serial a change gets; left as they are
  const DnssecSettings* settings = nullptr;
  // The version served now (or kept in the archive), when there is one: its
  // signatures are kept where the data did not change, and when nothing
  // changed at all (apart from the serial), the job's result is that
  // version, serial included (`unchanged`).
  std::shared_ptr<const zone::Zone> previous;
  bool new_serial_anyway = false;  // the operator raised the serial: a new version even when nothing else changed
  // Build the signed zone on the signing thread as soon as it is signed
  // (into `built`), which frees signed_records at once: the records of
  // thousands of zones are then never all held together, and what the
  // zones keep is not scattered among them. Not when the version is
  // `previous` as it is (unchanged, no online signer).
  bool build = false;
  // Out.
  std::vector<zone::Record> signed_records;
  bool unchanged = false;              // signed_records are `previous`'s records, serial included
  size_t reused = 0;                   // signatures kept from `previous`
  std::shared_ptr<const zone::OnlineSigner> online_signer;  // compact denial: attach to the built zone
  std::string error;                   // not empty: the zone cannot be served signed
  bool missing_keys = false;           // kExisting/kReadOnly: no key store for the zone (error says so)
  bool keys_created = false;           // kCreate made the zone's first keys
  std::vector<std::string> events;     // rollover steps, key creation (info)
  std::vector<std::string> warnings;   // key store and signer warnings
  size_t signatures = 0;
  std::optional<int64_t> next_resign;  // the earlier of re-signing time and next rollover step
  // With `build`: the zone built from signed_records (then emptied), or
  // nullptr with the builder's errors (each "<origin>: message").
  std::shared_ptr<const zone::Zone> built;
  std::vector<std::string> build_errors;
  // Whether the result is `previous` itself, served as it is.
  bool keeps_previous() const noexcept { return unchanged && !online_signer; }
};

struct SignStats {
  size_t zones = 0;       // signed
  size_t failed = 0;      // not signed (error set)
  size_t signatures = 0;  // made
  size_t reused = 0;      // kept from the previous versions
  size_t unchanged = 0;   // zones whose previous version stays as it is
  double seconds = 0;     // wall time, keys included
};

// Fills the Out fields of every job. threads: 0 = hardware threads.
SignStats sign_jobs(std::span<SignJob> jobs, KeyAccess access, int64_t now, unsigned threads);

// Builds a zone from (signed) records; nullptr with the builder's errors
// (prefixed with the origin) appended to errors.
// online_signer (compact denial) is attached to the zone before it is returned.
std::shared_ptr<const zone::Zone> build_zone(const zone::DnsName& origin, std::vector<zone::Record> records,
                                             std::vector<std::string>& errors, std::vector<std::string>& warnings,
                                             std::shared_ptr<const zone::OnlineSigner> online_signer = nullptr);

// The records of a built zone, RRset by RRset in canonical order (TTL as
// served), without DNSSEC signatures: what a master-file zone is signed from.
std::vector<zone::Record> zone_records(const zone::Zone& zone);

// "example.org.: message" without the leading "example.org.: " the key
// store puts on its messages, for places that name the zone already.
std::string without_zone_prefix(const std::string& message, const zone::DnsName& origin);

}  // namespace mailns::server

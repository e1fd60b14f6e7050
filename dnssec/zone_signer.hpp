// Signing a whole zone in memory: given its records and the keys in use, the
// result holds the records plus the DNSKEY RRset, CDS/CDNSKEY for the keys
// that should be at the parent, the NSEC or NSEC3 chain (with NSEC3PARAM),
// and an RRSIG for every authoritative RRset (not for delegation NS or glue;
// DS at a delegation is signed). DNSKEY, CDS and CDNSKEY are signed by the
// key-signing keys, everything else by the zone-signing keys (a CSK is both).
// Pure functions: time comes in as `now`, nothing is read from disk.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnssec/algorithm.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/result.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/signing_key.hpp"
#include "zone/online_signer.hpp"
#include "zone/record.hpp"

namespace mailns::dnssec {

enum class KeyScheme : uint8_t { kCsk, kKskZsk };
// kCompact: RFC 9824. Every existing name gets an NSEC to "\000.<name>"
// listing its types; answers for names that do not exist are made and signed
// at query time (SignedZone::online_signer).
enum class DenialMode : uint8_t { kNsec, kNsec3, kCompact };

struct SigningPolicy {
  Algorithm algorithm = kDefaultAlgorithm;
  KeyScheme keys = KeyScheme::kCsk;
  DenialMode denial = DenialMode::kNsec;
  Nsec3Params nsec3;                          // only for kNsec3
  uint32_t signature_validity = 14 * 86400;   // expiration = now + this
  uint32_t refresh_before = 4 * 86400;        // re-sign this long before the earliest expiration
  uint32_t inception_offset = 3600;           // inception = now - this (clock skew of validators)
  // Spread the expirations (issue 16): a signature made at `now` expires at
  // now + signature_validity - (the zone's offset + the RRset's offset),
  // both taken from a hash of the names, so that zones signed together, and
  // the RRsets of one zone, fall due for renewal at different times and each
  // renewal is a small change (rrset_signature_times). false: every
  // signature expires at now + signature_validity.
  bool spread_expirations = true;
  std::optional<uint32_t> dnskey_ttl;         // DNSKEY/CDS/CDNSKEY TTL; default: the SOA TTL
  bool publish_cds = true;                    // CDS/CDNSKEY for the key-signing keys (RFC 7344)
  // Rollover (key_store/rollover): 0 = never roll automatically.
  uint32_t zsk_lifetime = 0;
  uint32_t ksk_lifetime = 0;
  uint32_t propagation_delay = 3600;          // time for a change to reach all secondaries
  uint32_t parent_ds_ttl = 86400;             // DS TTL at the parent (RFC 7583 3.3.1)
  uint32_t parent_propagation_delay = 3600;
};

// One key and what it does in the zone right now.
struct KeyUse {
  std::shared_ptr<const SigningKey> key;
  bool publish = true;        // in the DNSKEY RRset
  bool sign_keyset = false;   // signs DNSKEY, CDS, CDNSKEY (KSK role)
  bool sign_zone = false;     // signs everything else (ZSK role)
  bool publish_cds = false;   // has CDS/CDNSKEY (when the policy publishes them)
};
using ZoneKeySet = std::vector<KeyUse>;

struct SignedZone {
  std::vector<zone::Record> records;  // input records (deduplicated) + DNSSEC records
  uint32_t earliest_expiration = 0;   // of the RRSIGs in records (made or kept)
  size_t signatures = 0;              // made by this run
  size_t reused = 0;                  // kept from the previous version
  std::vector<std::string> warnings;  // e.g. out-of-zone records dropped
  // kCompact: signs query-time records with the zone-signing keys; attach it
  // to the built zone (zone::Zone::attach_online_signer).
  std::shared_ptr<const zone::OnlineSigner> online_signer;
};

// Inception/expiration for a signing run at `now` (Unix seconds), without
// the spread.
SignatureTimes signature_times(const SigningPolicy& policy, int64_t now) noexcept;
// Inception/expiration of a signature made at `now` over (owner, type) in
// the zone origin: signature_times less the spread (see
// SigningPolicy::spread_expirations). The zone's offset is below 3/4 of
// refresh_before, the RRset's below 1/2 of it, and each below a third of
// (signature_validity - refresh_before), so a fresh signature is never due.
SignatureTimes rrset_signature_times(const SigningPolicy& policy, int64_t now, const zone::DnsName& origin,
                                     const zone::DnsName& owner, uint16_t type) noexcept;
// How long a signature of the previous version must still be valid to be
// kept (SignatureReuse): refresh_before and a window after it, so that a
// renewal takes along the signatures that would fall due soon after, and
// renewals come at most once per window.
uint32_t reuse_margin(const SigningPolicy& policy) noexcept;

// Signs one zone. Input RRSIG, NSEC, NSEC3 and NSEC3PARAM records are
// dropped and made anew; DNSKEY records in the input are kept (for
// multi-signer setups) and merged with the keys' ones; CDS/CDNSKEY in the
// input replace the generated ones (e.g. a "delete" CDS, RFC 8078 4).
// previous: the records of the version served now (RRSIGs included), whose
// signatures are kept for the RRsets that did not change
// (dnssec/signature_reuse); empty: everything is signed.
// Errors: no SOA at the apex, no key to sign the zone or the key set, a key
// that is not published, OpenSSL failure, NSEC3 hash collision.
Result<SignedZone> sign_zone(const zone::DnsName& origin, std::vector<zone::Record> records, const ZoneKeySet& keys,
                             const SigningPolicy& policy, int64_t now, std::span<const zone::Record> previous = {});

struct ZoneToSign {
  zone::DnsName origin;
  std::vector<zone::Record> records;
  ZoneKeySet keys;
};

// Signs many zones on `threads` threads (0 = hardware concurrency); results
// are in input order. The input records are moved from.
std::vector<Result<SignedZone>> sign_zones(std::vector<ZoneToSign>& zones, const SigningPolicy& policy, int64_t now,
                                           unsigned threads);

// Earliest RRSIG expiration among records (RFC 1982 serial comparison
// relative to now), as Unix time; nullopt when there is no RRSIG.
std::optional<int64_t> earliest_expiration(std::span<const zone::Record> records, int64_t now);
// When the zone should be signed again: earliest expiration - refresh_before
// (never before now); nullopt when nothing is signed.
std::optional<int64_t> next_resign_time(std::span<const zone::Record> records, const SigningPolicy& policy,
                                        int64_t now);

// Map a 32-bit RRSIG time to the Unix time nearest to now (RFC 4034 3.1.5).
int64_t serial_time_to_unix(uint32_t t, int64_t now) noexcept;

}  // namespace mailns::dnssec

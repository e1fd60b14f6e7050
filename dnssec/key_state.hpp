// The keys of one zone and where each is in its life (RFC 7583 terms:
// published, ready, active, retired, removed), with the times it got there;
// the text form persisted in the key store's state file; and what the keys
// do in the signed zone in each state (key_set).
//
// State file, one item per line, '#' starts a comment:
//   mailns-keys 1
//   zone example.org.
//   request zsk 0                  (manual rollover request time, 0 = none)
//   request ksk 0
//   key tag=12345 algorithm=13 role=csk state=active file=csk-13-12345.pem
//       created=T published=T ready=T active=T retired=0 removed=0 ds=0
// (one line per key; times are Unix seconds, 0 = not reached; ds = when the
// operator confirmed the parent's DS for this key.)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnssec/algorithm.hpp"
#include "dnssec/result.hpp"
#include "dnssec/signing_key.hpp"
#include "dnssec/zone_signer.hpp"
#include "zone/dns_name.hpp"

namespace mailns::dnssec {

enum class KeyRole : uint8_t { kKsk, kZsk, kCsk };
enum class KeyState : uint8_t { kPublished, kReady, kActive, kRetired, kRemoved };

std::string_view role_name(KeyRole r) noexcept;    // "ksk", "zsk", "csk"
std::string_view state_name(KeyState s) noexcept;  // "published", ...
uint16_t role_flags(KeyRole r) noexcept;           // 257 for KSK and CSK, 256 for ZSK

struct KeyEntry {
  uint16_t tag = 0;
  Algorithm algorithm = kDefaultAlgorithm;
  KeyRole role = KeyRole::kCsk;
  KeyState state = KeyState::kPublished;
  std::string file;  // PEM file name inside the zone's key directory
  int64_t created = 0, published = 0, ready = 0, active = 0, retired = 0, removed = 0;
  int64_t ds_seen = 0;  // KSK/CSK: parent DS confirmed at
  std::shared_ptr<const SigningKey> key;  // loaded; null once removed

  bool signs_keyset() const noexcept { return role != KeyRole::kZsk; }
};

struct ZoneKeys {
  zone::DnsName zone;
  std::string dir;  // the zone's key directory
  std::vector<KeyEntry> keys;
  int64_t zsk_roll_requested = 0;  // manual trigger (0 = none); the CSK uses ksk_roll_requested
  int64_t ksk_roll_requested = 0;
  std::vector<std::string> warnings;  // not persisted
  std::vector<std::string> events;    // not persisted: what loading did (keys adopted), for the log
};

// Text form of the state (without the key material).
std::string format_key_state(const ZoneKeys& keys);
// Parses it; `source` names the file in errors ("path:line: ...").
Result<ZoneKeys> parse_key_state(std::string_view text, const std::string& source);

// What the keys do in the zone now (RFC 7583 3.2.1 pre-publication for ZSKs,
// 3.3.1 double-signature for KSKs; a CSK does both):
//   ZSK: published, retired -> in DNSKEY only; active -> signs the zone.
//   KSK: published, ready, active -> in DNSKEY and signs it; CDS/CDNSKEY
//        for the ready key during a rollover, else for the active one.
//   CSK: published -> in DNSKEY, signs it; ready, active -> also signs the
//        zone; retired -> in DNSKEY, signs it, no longer the zone; CDS as KSK.
ZoneKeySet key_set(const ZoneKeys& keys);

}  // namespace mailns::dnssec

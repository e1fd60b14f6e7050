// Automatic key rollovers driven by an injected clock (RFC 7583):
//   ZSK: pre-publication (3.2.1). A new ZSK is published; after
//        Ipub = Dprp + TTL(DNSKEY) it signs the zone and the old one retires;
//        after Iret = Dprp + max zone TTL the old one is removed.
//   KSK: double-signature (3.3.1). A new KSK is published and signs the
//        DNSKEY RRset beside the old one; after Ipub it is "ready" and the
//        CDS/CDNSKEY switch to it. Once the operator (or a parent check)
//        confirms the parent's DS (confirm_ds) and Dprp(parent) + TTL(DS)
//        have passed, the new KSK is active and the old one is removed.
//   CSK: both at once: a new CSK is published and signs the DNSKEY RRset;
//        after Ipub it also signs the zone, the old CSK stops doing so and
//        the CDS switch; the old one is removed when the DS wait and Iret
//        have both passed.
// A rollover starts when the active key is older than its lifetime
// (zsk_lifetime, ksk_lifetime for KSK and CSK; 0 = never) or on request
// (request_rollover). advance() is a pure step over the state: the caller
// persists the result (save_keys) and re-signs the zone when it changed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dnssec/key_state.hpp"
#include "dnssec/zone_signer.hpp"

namespace mailns::dnssec {

struct RolloverTtls {
  uint32_t dnskey_ttl = 3600;
  uint32_t max_zone_ttl = 86400;  // largest TTL of any signed RRset, negative TTL included
};

struct AdvanceResult {
  ZoneKeys keys;
  bool changed = false;               // keys or states changed: save and re-sign
  std::optional<int64_t> next_event;  // when advance() has something to do next
  std::vector<std::string> events;    // "example.org.: ZSK 12345 published (rollover)" for the log
};

// Makes new keys; the default generates them with OpenSSL (new_key_entry).
using KeyFactory = std::function<Result<KeyEntry>(const ZoneKeys&, Algorithm, KeyRole, int64_t now)>;

Result<AdvanceResult> advance(ZoneKeys keys, int64_t now, const RolloverTtls& ttls, const SigningPolicy& policy,
                              const KeyFactory& factory = {});

// Manual trigger: the next advance() starts a rollover of that role (KSK and
// CSK share the ksk request). Fails when a rollover of it is in progress.
Status request_rollover(ZoneKeys& keys, KeyRole role, int64_t now);

// The parent now publishes the DS of the ready key with this tag.
Status confirm_ds(ZoneKeys& keys, uint16_t tag, int64_t now);

}  // namespace mailns::dnssec

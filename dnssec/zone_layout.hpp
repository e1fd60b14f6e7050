// ZoneLayout: the records of one zone grouped into names and RRsets in
// canonical order (RFC 4034 6.1), with what DNSSEC needs to know about each
// name: apex, authoritative, delegation point (NS below the apex), not
// authoritative (glue or data occluded below a cut or a DNAME, RFC 6672 2.3),
// or empty non-terminal. The signer and the NSEC/NSEC3 builders share it, so
// they agree on what is authoritative. It refers to the records by index;
// the record vector must outlive it and stay unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "zone/record.hpp"
#include "zone/rr_type.hpp"

namespace mailns::dnssec {

enum class NameKind : uint8_t { kApex, kAuthoritative, kDelegation, kNonAuthoritative, kEmptyNonTerminal };

struct RRsetRef {
  uint16_t type = 0;
  uint32_t ttl = 0;               // the lowest of its records' (RFC 2181 5.2, as zone::ZoneBuilder)
  std::vector<uint32_t> records;  // indices of distinct records, load order
};

struct NameEntry {
  zone::DnsName name;
  NameKind kind = NameKind::kAuthoritative;
  std::vector<RRsetRef> rrsets;  // sorted by type

  const RRsetRef* find(uint16_t type) const noexcept;
  bool has(uint16_t type) const noexcept { return find(type) != nullptr; }
  // Names that carry an NSEC record / are hashed into the NSEC3 chain.
  bool in_nsec_chain() const noexcept {
    return kind == NameKind::kApex || kind == NameKind::kAuthoritative || kind == NameKind::kDelegation;
  }
  bool in_nsec3_chain() const noexcept { return in_nsec_chain() || kind == NameKind::kEmptyNonTerminal; }
  // True when the parent side signs this RRset (RFC 4035 2.2): everything at
  // authoritative names, only DS at a delegation point.
  bool signs(uint16_t type) const noexcept {
    return kind == NameKind::kApex || kind == NameKind::kAuthoritative ||
           (kind == NameKind::kDelegation && type == zone::rrtype::DS);
  }
};

class ZoneLayout {
 public:
  // Groups records (skipping those outside origin, counted in skipped()).
  // Duplicated records are listed once. Empty non-terminals are added for
  // every ancestor of an authoritative name or delegation that has no data.
  ZoneLayout(const zone::DnsName& origin, std::span<const zone::Record> records);

  const zone::DnsName& origin() const noexcept { return origin_; }
  const std::vector<NameEntry>& names() const noexcept { return names_; }  // canonical order
  const NameEntry* apex() const noexcept { return apex_ < names_.size() ? &names_[apex_] : nullptr; }
  std::span<const zone::Record> records() const noexcept { return records_; }
  size_t skipped() const noexcept { return skipped_; }
  // min(SOA TTL, SOA MINIMUM) (RFC 9077 3, RFC 2308 5); nullopt without a SOA.
  std::optional<uint32_t> negative_ttl() const noexcept;
  // Largest TTL of any RRset (for rollover timing).
  uint32_t max_ttl() const noexcept;

 private:
  zone::DnsName origin_;
  std::span<const zone::Record> records_;
  std::vector<NameEntry> names_;
  size_t apex_ = static_cast<size_t>(-1);
  size_t skipped_ = 0;
};

}  // namespace mailns::dnssec

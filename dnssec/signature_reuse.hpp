// Signatures kept from the previous version of a zone (issue 18, issue 16):
// signing a new version re-signs only the RRsets whose data changed (or
// whose signatures are due), so that an edit of one record publishes an
// IXFR of that record, its signatures and the SOA, and a restart with
// nothing changed publishes nothing. An RRSIG of the previous version is
// reused for an RRset of the new one when
//   - the RRset is the same: owner, type, TTL and the set of RDATA,
//   - its signer is the zone and its labels and original TTL match,
//   - the key that made it is the one that signs now: same tag and
//     algorithm, and the previous version's DNSKEY with that tag and
//     algorithm is that key's DNSKEY (a tag shared by two keys is never
//     trusted),
//   - it is valid now and stays so past the refresh margin: inception <=
//     now, expiration > now + keep_margin.
// Pure: the previous records are only read, and must outlive this object.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnssec/signing_key.hpp"
#include "zone/dns_name.hpp"
#include "zone/record.hpp"

namespace mailns::dnssec {

class SignatureReuse {
 public:
  SignatureReuse() = default;  // nothing to reuse
  // previous: the records of the previous version as served (RRSIGs
  // included). keep_margin: seconds a reused signature must stay valid.
  SignatureReuse(const zone::DnsName& origin, std::span<const zone::Record> previous, int64_t now,
                 uint32_t keep_margin);

  bool empty() const noexcept { return rrsets_.empty(); }

  // The previous RRSIG RDATA over this RRset made by key, when it can be
  // reused (see above); nullptr otherwise.
  const std::vector<uint8_t>* find(const zone::DnsName& owner, uint16_t type, uint32_t ttl,
                                   std::span<const std::span<const uint8_t>> rdatas, const SigningKey& key) const;

 private:
  struct PreviousRRset {
    uint32_t ttl = 0;
    std::vector<const std::vector<uint8_t>*> rdatas;  // sorted by content
    std::vector<const std::vector<uint8_t>*> sigs;    // RRSIGs that cover it and may be reused
  };
  static std::string key_of(const zone::DnsName& owner, uint16_t type);
  bool same_rrset(const PreviousRRset& p, uint32_t ttl, std::span<const std::span<const uint8_t>> rdatas) const;

  const zone::DnsName* origin_ = nullptr;
  std::unordered_map<std::string, PreviousRRset> rrsets_;      // by lookup form + type
  std::unordered_map<uint32_t, const std::vector<uint8_t>*> dnskeys_;  // (algorithm << 16 | tag) -> DNSKEY RDATA
  std::vector<uint32_t> shared_tags_;                          // tags two previous DNSKEYs share
};

}  // namespace mailns::dnssec

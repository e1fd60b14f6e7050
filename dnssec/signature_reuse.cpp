#include "dnssec/signature_reuse.hpp"

#include <algorithm>

#include "dnssec/rrsig.hpp"
#include "dnssec/zone_signer.hpp"
#include "zone/rr_type.hpp"

namespace mailns::dnssec {

namespace {
namespace t = zone::rrtype;

constexpr size_t kRrsigFixed = 18;  // RDATA octets before the signer's name

bool rdata_less(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

uint32_t tag_key(uint8_t algorithm, uint16_t tag) { return static_cast<uint32_t>(algorithm) << 16 | tag; }

// The signer's name of an RRSIG RDATA is the zone's (RFC 4034 3.1.7).
bool signed_by_zone(const std::vector<uint8_t>& rrsig, const zone::DnsName& origin) {
  if (rrsig.size() <= kRrsigFixed) return false;
  const std::span<const uint8_t> rest(rrsig.data() + kRrsigFixed, rrsig.size() - kRrsigFixed);
  const auto wire = origin.wire();
  if (rest.size() < wire.size()) return false;
  for (size_t i = 0; i < wire.size(); ++i)
    if (zone::dns_lower(rest[i]) != zone::dns_lower(wire[i])) return false;
  return true;
}
}  // namespace

std::string SignatureReuse::key_of(const zone::DnsName& owner, uint16_t type) {
  std::string k(owner.lookup_form());
  k.push_back(static_cast<char>(type >> 8));
  k.push_back(static_cast<char>(type & 0xff));
  return k;
}

SignatureReuse::SignatureReuse(const zone::DnsName& origin, std::span<const zone::Record> previous, int64_t now,
                               uint32_t keep_margin)
    : origin_(&origin) {
  for (const zone::Record& r : previous) {
    if (r.type == t::RRSIG) continue;
    PreviousRRset& p = rrsets_[key_of(r.owner, r.type)];
    p.ttl = r.ttl;
    p.rdatas.push_back(&r.rdata);
    if (r.type == t::DNSKEY && r.owner == origin && r.rdata.size() > 4) {
      const uint32_t k = tag_key(r.rdata[3], key_tag(r.rdata));
      if (!dnskeys_.emplace(k, &r.rdata).second) shared_tags_.push_back(k);
    }
  }
  for (auto& [key, p] : rrsets_)
    std::sort(p.rdatas.begin(), p.rdatas.end(), [](auto* a, auto* b) { return rdata_less(*a, *b); });
  for (const zone::Record& r : previous) {
    if (r.type != t::RRSIG) continue;
    RrsigFields f;
    if (!parse_rrsig(r.rdata, f) || !signed_by_zone(r.rdata, origin)) continue;
    // Valid now, and still valid once the margin has passed.
    if (serial_time_to_unix(f.inception, now) > now) continue;
    if (serial_time_to_unix(f.expiration, now) <= now + static_cast<int64_t>(keep_margin)) continue;
    if (f.labels != rrsig_labels(r.owner)) continue;
    auto it = rrsets_.find(key_of(r.owner, f.type_covered));
    if (it == rrsets_.end() || it->second.ttl != f.original_ttl) continue;
    it->second.sigs.push_back(&r.rdata);
  }
}

bool SignatureReuse::same_rrset(const PreviousRRset& p, uint32_t ttl,
                                std::span<const std::span<const uint8_t>> rdatas) const {
  if (p.ttl != ttl || p.rdatas.size() != rdatas.size()) return false;
  std::vector<std::span<const uint8_t>> sorted(rdatas.begin(), rdatas.end());
  std::sort(sorted.begin(), sorted.end(), rdata_less);
  for (size_t i = 0; i < sorted.size(); ++i)
    if (!std::equal(sorted[i].begin(), sorted[i].end(), p.rdatas[i]->begin(), p.rdatas[i]->end())) return false;
  return true;
}

const std::vector<uint8_t>* SignatureReuse::find(const zone::DnsName& owner, uint16_t type, uint32_t ttl,
                                                 std::span<const std::span<const uint8_t>> rdatas,
                                                 const SigningKey& key) const {
  if (rrsets_.empty()) return nullptr;
  const uint32_t k = tag_key(static_cast<uint8_t>(key.algorithm()), key.tag());
  // The key that made the previous signatures with this tag must be this one.
  const auto dk = dnskeys_.find(k);
  if (dk == dnskeys_.end() || *dk->second != key.dnskey_rdata()) return nullptr;
  if (std::find(shared_tags_.begin(), shared_tags_.end(), k) != shared_tags_.end()) return nullptr;
  const auto it = rrsets_.find(key_of(owner, type));
  if (it == rrsets_.end() || it->second.sigs.empty() || !same_rrset(it->second, ttl, rdatas)) return nullptr;
  for (const std::vector<uint8_t>* sig : it->second.sigs) {
    RrsigFields f;
    if (parse_rrsig(*sig, f) && f.algorithm == static_cast<uint8_t>(key.algorithm()) && f.key_tag == key.tag())
      return sig;
  }
  return nullptr;
}

}  // namespace mailns::dnssec

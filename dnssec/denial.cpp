#include "dnssec/denial.hpp"

#include "zone/nsec3_hash.hpp"
#include "zone/type_bitmap.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "dnssec/canonical.hpp"
#include "zone/rr_type.hpp"

namespace mailns::dnssec {

namespace {
std::vector<uint16_t> types_of(const NameEntry& n, bool delegation_only) {
  std::vector<uint16_t> t;
  t.reserve(n.rrsets.size() + 3);
  for (const RRsetRef& s : n.rrsets) {
    if (delegation_only && s.type != zone::rrtype::NS && s.type != zone::rrtype::DS) continue;
    t.push_back(s.type);
  }
  return t;
}

void sort_unique(std::vector<uint16_t>& t) {
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
}
}  // namespace

Nsec3Hash nsec3_hash(const zone::DnsName& name, std::span<const uint8_t> salt, uint16_t iterations) noexcept {
  // The query path hashes names too; one implementation lives in zone/.
  return zone::nsec3_hash_wire(name.wire().data(), name.wire().size(), salt, iterations);
}

std::vector<uint8_t> type_bitmap(std::span<const uint16_t> types) {
  std::vector<uint8_t> out;
  zone::append_type_bitmap(out, types);
  return out;
}

std::vector<uint8_t> nsec3param_rdata(const Nsec3Params& p) {
  std::vector<uint8_t> rd = {1, 0, static_cast<uint8_t>(p.iterations >> 8), static_cast<uint8_t>(p.iterations),
                             static_cast<uint8_t>(p.salt.size())};
  rd.insert(rd.end(), p.salt.begin(), p.salt.end());
  return rd;
}

std::vector<zone::Record> build_nsec_chain(const ZoneLayout& layout, uint32_t ttl) {
  std::vector<const NameEntry*> chain;
  for (const NameEntry& n : layout.names())
    if (n.in_nsec_chain()) chain.push_back(&n);
  std::vector<zone::Record> out;
  out.reserve(chain.size());
  for (size_t i = 0; i < chain.size(); ++i) {
    const NameEntry& n = *chain[i];
    const zone::DnsName& next = chain[(i + 1) % chain.size()]->name;
    std::vector<uint16_t> types = types_of(n, n.kind == NameKind::kDelegation);
    types.push_back(zone::rrtype::RRSIG);
    types.push_back(zone::rrtype::NSEC);
    sort_unique(types);
    zone::Record r{n.name, zone::rrtype::NSEC, zone::rrclass::IN, ttl, {}};
    // RFC 6840 5.1: the next name is not lower-cased in canonical form, so
    // write it lower-cased here, as other signers do, for stable output.
    append_lower_name(r.rdata, next.wire());
    const auto bm = type_bitmap(types);
    r.rdata.insert(r.rdata.end(), bm.begin(), bm.end());
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<zone::Record>> build_nsec3_chain(const ZoneLayout& layout, const Nsec3Params& params, uint32_t ttl,
                                                    bool add_nsec3param_bit) {
  struct Item {
    Nsec3Hash hash;
    const NameEntry* entry;
  };
  std::vector<Item> items;
  for (const NameEntry& n : layout.names())
    if (n.in_nsec3_chain()) items.push_back(Item{nsec3_hash(n.name, params.salt, params.iterations), &n});
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.hash < b.hash; });
  for (size_t i = 1; i < items.size(); ++i)
    if (items[i].hash == items[i - 1].hash)
      return Error{layout.origin().to_text() + ": NSEC3 hash collision between " + items[i - 1].entry->name.to_text() +
                   " and " + items[i].entry->name.to_text() + "; use NSEC or a salt"};

  std::vector<zone::Record> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const NameEntry& n = *items[i].entry;
    const Nsec3Hash& next = items[(i + 1) % items.size()].hash;
    std::vector<uint16_t> types;
    switch (n.kind) {
      case NameKind::kApex:
        types = types_of(n, false);
        types.push_back(zone::rrtype::RRSIG);
        if (add_nsec3param_bit) types.push_back(zone::rrtype::NSEC3PARAM);
        break;
      case NameKind::kAuthoritative:
        types = types_of(n, false);
        types.push_back(zone::rrtype::RRSIG);
        break;
      case NameKind::kDelegation:
        types = types_of(n, true);
        if (n.has(zone::rrtype::DS)) types.push_back(zone::rrtype::RRSIG);
        break;
      default:
        break;  // empty non-terminal: empty bitmap
    }
    sort_unique(types);
    const std::string label = base32hex_encode(items[i].hash);
    auto owner = layout.origin().prepend(label);
    if (!owner)
      return Error{layout.origin().to_text() + ": zone name too long for NSEC3 owner names (RFC 5155 7.1)"};
    zone::Record r{std::move(*owner), zone::rrtype::NSEC3, zone::rrclass::IN, ttl, {}};
    r.rdata = {1, 0, static_cast<uint8_t>(params.iterations >> 8), static_cast<uint8_t>(params.iterations),
               static_cast<uint8_t>(params.salt.size())};
    r.rdata.insert(r.rdata.end(), params.salt.begin(), params.salt.end());
    r.rdata.push_back(static_cast<uint8_t>(next.size()));
    r.rdata.insert(r.rdata.end(), next.begin(), next.end());
    const auto bm = type_bitmap(types);
    r.rdata.insert(r.rdata.end(), bm.begin(), bm.end());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mailns::dnssec

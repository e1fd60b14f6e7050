#include "dnssec/zone_layout.hpp"

#include <algorithm>

#include "zone/rr_type.hpp"
#include "zone/soa.hpp"

namespace mailns::dnssec {

const RRsetRef* NameEntry::find(uint16_t type) const noexcept {
  for (const RRsetRef& s : rrsets)
    if (s.type == type) return &s;
  return nullptr;
}

ZoneLayout::ZoneLayout(const zone::DnsName& origin, std::span<const zone::Record> records)
    : origin_(origin), records_(records) {
  std::vector<uint32_t> idx;
  idx.reserve(records.size());
  for (uint32_t i = 0; i < records.size(); ++i) {
    if (records[i].owner.is_subdomain_of(origin)) {
      idx.push_back(i);
    } else {
      ++skipped_;
    }
  }
  // Canonical name order, then type, then load order (stable).
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
    const auto c = records[a].owner <=> records[b].owner;
    if (c != 0) return c < 0;
    return records[a].type < records[b].type;
  });

  for (uint32_t i : idx) {
    const zone::Record& r = records[i];
    if (names_.empty() || !(names_.back().name == r.owner)) names_.push_back(NameEntry{r.owner, {}, {}});
    NameEntry& n = names_.back();
    if (n.rrsets.empty() || n.rrsets.back().type != r.type) n.rrsets.push_back(RRsetRef{r.type, r.ttl, {}});
    RRsetRef& s = n.rrsets.back();
    const bool dup = std::any_of(s.records.begin(), s.records.end(),
                                 [&](uint32_t j) { return records[j].rdata == r.rdata; });
    if (!dup) s.records.push_back(i);
    // RFC 2181 5.2: one TTL per RRset; like zone::ZoneBuilder, use the lowest.
    s.ttl = std::min(s.ttl, r.ttl);
  }

  // Classify: names come in canonical order, so every ancestor precedes its
  // descendants and one "current cut" is enough.
  const zone::DnsName* cut = nullptr;
  for (size_t k = 0; k < names_.size(); ++k) {
    NameEntry& n = names_[k];
    if (cut && !n.name.is_subdomain_of(*cut)) cut = nullptr;
    if (n.name == origin_) {
      n.kind = NameKind::kApex;
      apex_ = k;
    } else if (cut) {
      n.kind = NameKind::kNonAuthoritative;
    } else if (n.has(zone::rrtype::NS)) {
      n.kind = NameKind::kDelegation;
      cut = &n.name;
    } else {
      n.kind = NameKind::kAuthoritative;
      if (n.has(zone::rrtype::DNAME)) cut = &n.name;  // RFC 6672 2.3: names below are occluded
    }
  }

  // Empty non-terminals: ancestors (below the apex) of authoritative names
  // and delegation points that hold no data themselves.
  std::vector<zone::DnsName> ents;
  for (const NameEntry& n : names_) {
    if (n.kind != NameKind::kAuthoritative && n.kind != NameKind::kDelegation) continue;
    for (auto p = n.name.parent(); p && !(*p == origin_) && p->is_subdomain_of(origin_); p = p->parent())
      ents.push_back(*p);
  }
  if (!ents.empty()) {
    std::sort(ents.begin(), ents.end());
    ents.erase(std::unique(ents.begin(), ents.end()), ents.end());
    std::vector<NameEntry> merged;
    merged.reserve(names_.size() + ents.size());
    size_t i = 0, j = 0;
    while (i < names_.size() || j < ents.size()) {
      if (j == ents.size() || (i < names_.size() && names_[i].name <= ents[j])) {
        if (j < ents.size() && names_[i].name == ents[j]) ++j;  // has data: not empty
        merged.push_back(std::move(names_[i++]));
      } else {
        merged.push_back(NameEntry{std::move(ents[j++]), NameKind::kEmptyNonTerminal, {}});
      }
    }
    names_ = std::move(merged);
    apex_ = static_cast<size_t>(-1);
    for (size_t k = 0; k < names_.size(); ++k)
      if (names_[k].kind == NameKind::kApex) apex_ = k;
  }
}

std::optional<uint32_t> ZoneLayout::negative_ttl() const noexcept {
  const NameEntry* a = apex();
  if (!a) return std::nullopt;
  const RRsetRef* soa = a->find(zone::rrtype::SOA);
  if (!soa || soa->records.empty()) return std::nullopt;
  const auto minimum = zone::soa_minimum(records_[soa->records.front()].rdata);
  if (!minimum) return std::nullopt;
  return std::min(soa->ttl, *minimum);
}

uint32_t ZoneLayout::max_ttl() const noexcept {
  uint32_t m = 0;
  for (const NameEntry& n : names_)
    for (const RRsetRef& s : n.rrsets) m = std::max(m, s.ttl);
  return m;
}

}  // namespace mailns::dnssec

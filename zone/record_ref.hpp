// RecordRef: a record seen through pointers into a zone or a record list
// (no copy), and one total order over such views, for comparing versions of
// a zone record by record (the IXFR difference, "the same version apart
// from the serial").
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

#include "zone/dns_name.hpp"

namespace mailns::zone {

struct RecordRef {
  const DnsName* owner;
  uint16_t type;
  uint32_t ttl;
  std::span<const uint8_t> rdata;
};

// Owner (canonical order), type, RDATA, TTL: <0, 0, >0.
inline int compare_records(const RecordRef& a, const RecordRef& b) noexcept {
  const auto la = a.owner->lookup_form(), lb = b.owner->lookup_form();
  if (const int c = compare_lookup_forms(reinterpret_cast<const uint8_t*>(la.data()), la.size(),
                                         reinterpret_cast<const uint8_t*>(lb.data()), lb.size()))
    return c;
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  const size_t n = std::min(a.rdata.size(), b.rdata.size());
  if (const int c = n ? std::memcmp(a.rdata.data(), b.rdata.data(), n) : 0) return c;
  if (a.rdata.size() != b.rdata.size()) return a.rdata.size() < b.rdata.size() ? -1 : 1;
  if (a.ttl != b.ttl) return a.ttl < b.ttl ? -1 : 1;
  return 0;
}

inline bool record_less(const RecordRef& a, const RecordRef& b) noexcept { return compare_records(a, b) < 0; }

}  // namespace mailns::zone

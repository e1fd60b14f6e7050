#include "server/publish/zone_version.hpp"

#include <span>
#include <algorithm>
#include <cstring>

#include "zone/record_ref.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {
namespace t = zone::rrtype;

constexpr size_t kSoaSerialFromEnd = 20;  // serial, refresh, retry, expire, minimum

using Ref = zone::RecordRef;

bool covers_soa(const std::vector<uint8_t>& rrsig) {
  return rrsig.size() >= 2 && (rrsig[0] << 8 | rrsig[1]) == t::SOA;
}

// The SOA RDATA without its serial are equal.
bool same_soa_but_serial(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size() || a.size() < kSoaSerialFromEnd) return false;
  const size_t serial = a.size() - kSoaSerialFromEnd;
  return std::equal(a.begin(), a.begin() + static_cast<ptrdiff_t>(serial), b.begin()) &&
         std::equal(a.begin() + static_cast<ptrdiff_t>(serial + 4), a.end(), b.begin() + static_cast<ptrdiff_t>(serial + 4));
}
}  // namespace

std::vector<zone::Record> served_records(const zone::Zone& z) {
  std::vector<zone::Record> out;
  out.reserve(z.record_count());
  auto add_node = [&](const zone::Node& n) {
    for (const zone::RRset& s : n.rrsets()) {
      for (const auto rd : s.rdatas)
        out.push_back(zone::Record{n.name(), s.type, zone::rrclass::IN, s.ttl, zone::rdata_copy(rd)});
      for (const auto sig : s.sigs)
        out.push_back(zone::Record{n.name(), t::RRSIG, zone::rrclass::IN, s.sig_ttl, zone::rdata_copy(sig)});
    }
  };
  z.for_each_node(add_node);
  z.for_each_nsec3_node(add_node);
  return out;
}

bool same_apart_from_serial(const std::vector<zone::Record>& records, const zone::Zone& served) {
  std::vector<Ref> mine, theirs;
  mine.reserve(records.size());
  const zone::Record* soa = nullptr;
  for (const zone::Record& r : records) {
    if (r.owner == served.origin() && r.type == t::SOA) {
      if (soa) return false;
      soa = &r;
      continue;
    }
    if (r.type == t::RRSIG && r.owner == served.origin() && covers_soa(r.rdata)) continue;
    mine.push_back(Ref{&r.owner, r.type, r.ttl, r.rdata});
  }
  const zone::RRset& served_soa = served.soa();
  if (!soa || served_soa.rdatas.size() != 1 || soa->ttl != served_soa.ttl ||
      !same_soa_but_serial(soa->rdata, served_soa.rdatas.front()))
    return false;
  theirs.reserve(served.record_count());
  auto add_node = [&](const zone::Node& n) {
    for (const zone::RRset& s : n.rrsets()) {
      const bool apex_soa = &n == &served.apex() && s.type == t::SOA;
      if (apex_soa) continue;
      for (const auto rd : s.rdatas) theirs.push_back(Ref{&n.name(), s.type, s.ttl, rd});
      for (const auto sig : s.sigs) theirs.push_back(Ref{&n.name(), t::RRSIG, s.sig_ttl, sig});
    }
  };
  served.for_each_node(add_node);
  served.for_each_nsec3_node(add_node);
  if (mine.size() != theirs.size()) return false;
  std::sort(mine.begin(), mine.end(), zone::record_less);
  std::sort(theirs.begin(), theirs.end(), zone::record_less);
  for (size_t i = 0; i < mine.size(); ++i)
    if (zone::compare_records(mine[i], theirs[i]) != 0) return false;
  return true;
}

}  // namespace mailns::server

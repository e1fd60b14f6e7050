#include "server/xfr/ixfr_journal.hpp"

#include <algorithm>
#include <cstring>

#include "zone/record_ref.hpp"
#include "zone/soa_serial.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {

using Ref = zone::RecordRef;

// Every record of the zone but the SOA, in a fixed order.
std::vector<Ref> flatten(const zone::Zone& z) {
  std::vector<Ref> out;
  out.reserve(z.record_count());
  auto add_node = [&](const zone::Node& n) {
    for (const zone::RRset& s : n.rrsets()) {
      const bool soa = &n == &z.apex() && s.type == zone::rrtype::SOA;
      if (!soa)
        for (const auto rd : s.rdatas) out.push_back(Ref{&n.name(), s.type, s.ttl, rd});
      for (const auto sig : s.sigs) out.push_back(Ref{&n.name(), zone::rrtype::RRSIG, s.sig_ttl, sig});
    }
  };
  z.for_each_node(add_node);
  z.for_each_nsec3_node(add_node);
  std::sort(out.begin(), out.end(), zone::record_less);
  return out;
}

zone::Record to_record(const Ref& r) { return zone::Record{*r.owner, r.type, zone::rrclass::IN, r.ttl, zone::rdata_copy(r.rdata)}; }

constexpr size_t kFixedRecordBytes = 10;  // type, class, TTL, RDLENGTH
// Kept beyond one copy of the zone, so that small zones keep their history
// (their AXFR is small anyway, but secondaries ask for IXFR).
constexpr size_t kJournalSlackBytes = 4096;

size_t wire_bytes(const Ref& r) { return r.owner->wire().size() + kFixedRecordBytes + r.rdata.size(); }

zone::Record soa_record(const zone::Zone& z) {
  return zone::Record{z.origin(), zone::rrtype::SOA, zone::rrclass::IN, z.soa().ttl, zone::rdata_copy(z.soa().rdatas.front())};
}

XfrRecord view(const zone::Record& r) {
  const auto w = r.owner.wire();
  return XfrRecord{w.data(), static_cast<uint8_t>(w.size()), r.type, r.ttl, r.rdata};
}

}  // namespace

ZoneDiff diff_zones(const zone::Zone& from, const zone::Zone& to) {
  ZoneDiff d;
  d.from_serial = from.soa_serial();
  d.to_serial = to.soa_serial();
  d.from_soa = soa_record(from);
  d.to_soa = soa_record(to);
  const std::vector<Ref> a = flatten(from), b = flatten(to);
  for (const Ref& r : b) d.zone_bytes += wire_bytes(r);
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    const int c = i == a.size() ? 1 : j == b.size() ? -1 : zone::compare_records(a[i], b[j]);
    if (c < 0) {
      d.bytes += wire_bytes(a[i]);
      d.removed.push_back(to_record(a[i++]));
    } else if (c > 0) {
      d.bytes += wire_bytes(b[j]);
      d.added.push_back(to_record(b[j++]));
    } else {
      ++i, ++j;
    }
  }
  return d;
}

std::vector<XfrRecord> ixfr_records(const zone::Zone& current, const DiffChain& chain) {
  std::vector<XfrRecord> out;
  const auto w = current.origin().wire();
  const XfrRecord soa{w.data(), static_cast<uint8_t>(w.size()), zone::rrtype::SOA, current.soa().ttl,
                      current.soa().rdatas.front()};
  size_t total = 2;
  for (const auto& d : chain) total += 2 + d->removed.size() + d->added.size();
  out.reserve(total);
  out.push_back(soa);
  for (const auto& d : chain) {
    out.push_back(view(d->from_soa));
    for (const auto& r : d->removed) out.push_back(view(r));
    out.push_back(view(d->to_soa));
    for (const auto& r : d->added) out.push_back(view(r));
  }
  out.push_back(soa);
  return out;
}

void IxfrJournal::set_history(unsigned history) {
  std::lock_guard lock(mu_);
  history_ = history;
  for (auto& [k, q] : zones_)
    while (q.size() > history_) q.pop_front();
}

void IxfrJournal::record(const zone::Zone& from, const zone::Zone& to) {
  {
    std::lock_guard lock(mu_);
    if (history_ == 0) return;
  }
  // Computed outside the lock: the workers keep reading chains meanwhile.
  auto diff = std::make_shared<const ZoneDiff>(diff_zones(from, to));
  std::lock_guard lock(mu_);
  auto& q = zones_[std::string(to.origin().lookup_form())];
  if (!q.empty() && q.back()->to_serial != diff->from_serial) q.clear();
  // A serial that went back (or stayed) breaks IXFR's ordering: start again.
  if (!zone::serial_greater(diff->to_serial, diff->from_serial)) {
    q.clear();
    return;
  }
  q.push_back(std::move(diff));
  while (q.size() > history_) q.pop_front();
  // Bounded in bytes too: about one copy of the zone (the newest difference
  // always stays, whatever its size).
  size_t kept = 0;
  for (const auto& d : q) kept += d->bytes;
  while (q.size() > 1 && kept > q.back()->zone_bytes + kJournalSlackBytes) {
    kept -= q.front()->bytes;
    q.pop_front();
  }
}

void IxfrJournal::forget(const zone::DnsName& origin) {
  std::lock_guard lock(mu_);
  if (auto it = zones_.find(origin.lookup_form()); it != zones_.end()) zones_.erase(it);
}

std::optional<DiffChain> IxfrJournal::chain(const zone::DnsName& origin, uint32_t from, uint32_t to) const {
  std::lock_guard lock(mu_);
  auto it = zones_.find(origin.lookup_form());
  if (it == zones_.end()) return std::nullopt;
  const auto& q = it->second;
  // Walk back from the difference that ends at `to`.
  size_t end = q.size();
  while (end > 0 && q[end - 1]->to_serial != to) --end;
  if (end == 0) return std::nullopt;
  size_t begin = end;
  while (begin > 0) {
    --begin;
    if (q[begin]->from_serial == from) return DiffChain(q.begin() + static_cast<std::ptrdiff_t>(begin),
                                                        q.begin() + static_cast<std::ptrdiff_t>(end));
    if (begin > 0 && q[begin - 1]->to_serial != q[begin]->from_serial) break;
  }
  return std::nullopt;
}

size_t IxfrJournal::size(const zone::DnsName& origin) const {
  std::lock_guard lock(mu_);
  auto it = zones_.find(origin.lookup_form());
  return it == zones_.end() ? 0 : it->second.size();
}

}  // namespace mailns::server

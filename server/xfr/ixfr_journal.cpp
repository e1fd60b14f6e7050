#include "server/xfr/ixfr_journal.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "dnssec/atomic_file.hpp"
#include "server/logging.hpp"
#include "server/xfr/journal_file.hpp"

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

void IxfrJournal::trim(Diffs& q) const {
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

void IxfrJournal::record(const zone::Zone& from, const zone::Zone& to) {
  {
    std::lock_guard lock(mu_);
    if (history_ == 0) return;
  }
  // Computed outside the lock: the workers keep reading chains meanwhile.
  auto diff = std::make_shared<const ZoneDiff>(diff_zones(from, to));
  std::lock_guard lock(mu_);
  const std::string key(to.origin().lookup_form());
  auto& q = zones_[key];
  if (!q.empty() && q.back()->to_serial != diff->from_serial) q.clear();
  // A serial that went back (or stayed) breaks IXFR's ordering: start again.
  if (zone::serial_greater(diff->to_serial, diff->from_serial)) {
    q.push_back(std::move(diff));
    trim(q);
  } else {
    q.clear();
  }
  if (!dir_.empty()) unsaved_.insert_or_assign(key, to.origin());
}

void IxfrJournal::forget(const zone::DnsName& origin) {
  std::lock_guard lock(mu_);
  if (auto it = zones_.find(origin.lookup_form()); it != zones_.end()) zones_.erase(it);
  if (!dir_.empty()) unsaved_.insert_or_assign(std::string(origin.lookup_form()), origin);
}

void IxfrJournal::save_unsaved() {
  std::vector<std::pair<zone::DnsName, std::vector<std::shared_ptr<const ZoneDiff>>>> todo;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, origin] : unsaved_) {
      auto it = zones_.find(key);
      todo.emplace_back(std::move(origin), it == zones_.end() ? std::vector<std::shared_ptr<const ZoneDiff>>{}
                                                              : std::vector<std::shared_ptr<const ZoneDiff>>(
                                                                    it->second.begin(), it->second.end()));
    }
    unsaved_.clear();
  }
  for (const auto& [origin, diffs] : todo) save(origin, diffs);  // outside the lock: the workers read chains
}

void IxfrJournal::persist_in(std::string dir) {
  if (!dir.empty() && ::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    xfr_log().warn("IXFR journal: cannot create {}: {}; differences are kept in memory only", dir, std::strerror(errno));
  std::lock_guard lock(mu_);
  dir_ = std::move(dir);
}

// "example.org.ixfr" (lower case, as the zone archive names its files).
std::string IxfrJournal::file_name(const zone::DnsName& origin) const {
  std::string name = origin.to_text();
  std::transform(name.begin(), name.end(), name.begin(), [](char c) { return static_cast<char>(zone::dns_lower(static_cast<uint8_t>(c))); });
  if (name.size() > 1) name.pop_back();
  if (name == ".") name = "root";
  std::replace(name.begin(), name.end(), '/', '_');  // a label may hold '/': never a path
  return name + ".ixfr";
}

void IxfrJournal::save(const zone::DnsName& origin, const std::vector<std::shared_ptr<const ZoneDiff>>& diffs) const {
  if (dir_.empty()) return;
  const std::string path = path_of(origin);
  if (diffs.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      xfr_log().warn("IXFR journal: cannot remove {}: {}", path, std::strerror(errno));
    return;
  }
  // Renamed into place, not synced: the journal is a cache that restore()
  // checks whole (a file a crash cut short is refused: AXFR), and thousands
  // of zones changed at once must not cost two fsyncs each.
  auto tmp = dnssec::write_temporary(path, encode_journal(diffs), 0644, /*sync=*/false);
  const dnssec::Status st = tmp ? dnssec::place_temporary(*tmp, path, dnssec::Place::kReplace) : dnssec::Status(dnssec::Error{tmp.error()});
  if (!st) xfr_log().warn("IXFR journal: cannot write {}: {}; after a restart, secondaries behind get AXFR", path, st.error());
}

size_t IxfrJournal::restore(const zone::DnsName& origin, uint32_t last, std::string* why) {
  if (dir_.empty() || history() == 0) return 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = zones_.find(origin.lookup_form()); it != zones_.end() && !it->second.empty()) return 0;  // newer
  }
  const std::string path = path_of(origin);
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;  // none written
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string error;
  auto diffs = decode_journal({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &error);
  if (diffs) {
    for (size_t i = 0; i < diffs->size() && error.empty(); ++i) {
      const ZoneDiff& d = (*diffs)[i];
      if (!(d.from_soa.owner == origin) || !zone::serial_greater(d.to_serial, d.from_serial) ||
          (i > 0 && (*diffs)[i - 1].to_serial != d.from_serial))
        error = "its differences do not follow one another";
    }
    if (error.empty() && (diffs->empty() || diffs->back().to_serial != last))
      error = "it does not end at serial " + std::to_string(last) + ", the one served before";
  }
  if (!error.empty() || !diffs) {
    if (why) *why = path + ": " + error;
    ::unlink(path.c_str());
    return 0;
  }
  std::lock_guard lock(mu_);
  auto& q = zones_[std::string(origin.lookup_form())];
  if (!q.empty()) return 0;  // recorded already: that is newer
  for (auto& d : *diffs) q.push_back(std::make_shared<const ZoneDiff>(std::move(d)));
  trim(q);
  return q.size();
}

IxfrJournal::Restored IxfrJournal::restore_all(const std::vector<std::pair<zone::DnsName, uint32_t>>& served) {
  Restored out;
  if (dir_.empty()) return out;
  std::set<std::string> files;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".ixfr") == 0) files.insert(name);
      else if (dnssec::is_unfinished_write(name)) ::unlink((dir_ + "/" + name).c_str());  // a crash mid-write
    }
    ::closedir(d);
  }
  if (files.empty()) return out;  // a first start: no name to compute for each zone
  for (const auto& [origin, serial] : served) {
    const auto it = files.find(file_name(origin));
    if (it == files.end()) continue;
    files.erase(it);
    std::string why;
    if (const size_t n = restore(origin, serial, &why)) {
      ++out.zones;
      out.differences += n;
    } else if (!why.empty()) {
      if (out.refused++ == 0) out.first_refusal = why;
    }
  }
  for (const std::string& stale : files) ::unlink((dir_ + "/" + stale).c_str());  // zones no longer served
  return out;
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

#include "server/publish/zone_archive.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "dnssec/atomic_file.hpp"
#include "dnssec/file_batch.hpp"
#include "server/publish/archive_index.hpp"
#include "server/publish/zone_fingerprint.hpp"
#include "zone/rr_type.hpp"
#include "zone/signature_expiry.hpp"
#include "zone/zone_file.hpp"
#include "zone/zone_wire.hpp"

namespace mailns::server {

namespace {

constexpr mode_t kFileMode = 0644;  // what is in DNS anyway
constexpr mode_t kDirMode = 0755;

// "example.org.zone" for example.org. (lower case; "root.zone" for the root).
std::string file_name(const zone::DnsName& origin) {
  std::string s = fingerprint_key(origin);
  if (s.size() > 1) s.pop_back();
  return (s == "." ? std::string("root") : s) + ".zone";
}

bool is_signer_output(uint16_t type) {
  namespace t = zone::rrtype;
  return type == t::RRSIG || type == t::NSEC || type == t::NSEC3 || type == t::NSEC3PARAM || type == t::DNSKEY ||
         type == t::CDS || type == t::CDNSKEY;
}

// What the re-signer needs to renew an archived signed zone with the
// current keys: the records without what the signer adds, and when.
ZoneSigning resign_state(const zone::Zone& z, const DnssecSettings& settings, int64_t now) {
  ZoneSigning st;
  st.settings = &settings;
  std::vector<zone::Record> records;
  for (zone::Record& r : zone_records(z))
    if (!is_signer_output(r.type)) records.push_back(std::move(r));
  st.records = zone::PackedRecords(records);
  const auto expires = zone::earliest_signature_expiration(z);
  const int64_t refresh = static_cast<int64_t>(settings.policy.refresh_before);
  // Compact denial signs at query time: only a fresh signing sets that up.
  const bool now_due = !expires || z.denial() == zone::Denial::kCompact || *expires - refresh <= now;
  st.next_resign = now_due ? now : *expires - refresh;
  return st;
}

// An archived zone: mailns's wire form (zone/zone_wire), or the
// master-file text that versions before it wrote (read as it is, and
// written in wire form at the zone's next change).
zone::ZoneLoadResult read_archived(const std::string& path, const std::string& content, const zone::DnsName& origin) {
  if (zone::is_encoded_zone(content))
    return zone::decode_zone({reinterpret_cast<const uint8_t*>(content.data()), content.size()}, origin, path);
  return zone::load_zone_text(content, origin, path);
}

zone::ZoneLoadResult load_archived(const std::string& path, const zone::DnsName& origin) {
  auto content = dnssec::read_file(path);
  if (content) return read_archived(path, *content, origin);
  zone::ZoneLoadResult res;
  res.errors.push_back(content.error());
  return res;
}

}  // namespace

ZoneArchive::ZoneArchive(std::string dir) : dir_(std::move(dir)) {}

std::string ZoneArchive::path_of(const zone::DnsName& origin) const { return dir_ + "/" + file_name(origin); }


std::set<std::string> ZoneArchive::named_on_disk() const {
  std::map<std::string, Archived> files;
  uint64_t generation = 0;
  size_t log_lines = 0;
  read_index_files(dir_, files, &generation, &log_lines);
  std::set<std::string> out;
  for (const auto& [name, a] : files)
    if (!a.digest.empty()) out.insert(name);
  return out;
}

bool ZoneArchive::has(const zone::DnsName& origin) const {
  if (!enabled()) return false;
  const std::string name = file_name(origin);
  // Once the index was read (tidy at start, or a save), what this process
  // wrote since is named in memory; otherwise the index on disk says.
  bool named = false;
  if (index_read_) {
    auto it = files_.find(name);
    named = it != files_.end() && !it->second.digest.empty();
  } else {
    named = named_on_disk().contains(name);
  }
  return named && dnssec::file_exists(path_of(origin));
}

std::string ZoneArchive::orphan_dir() const {
  const auto slash = dir_.rfind('/');
  return (slash == std::string::npos ? std::string(".") : dir_.substr(0, slash)) + "/orphans/zones";
}

namespace {
// "example.org.zone" -> example.org. ("root.zone" -> the root): file_name reversed.
std::optional<zone::DnsName> origin_of_file(const std::string& n) {
  if (n.size() <= 5 || n.compare(n.size() - 5, 5, ".zone") != 0 || n[0] == '.') return std::nullopt;
  const std::string base = n.substr(0, n.size() - 5);
  return zone::DnsName::from_text(base == "root" ? "." : base + ".");
}

ZoneArchive::Leftover settle(const std::string& dir, const std::string& n) {
  ZoneArchive::Leftover l;
  l.file = n;
  if (dnssec::is_unfinished_write(n)) {
    l.why = "the temporary file of an interrupted write";
    return l;
  }
  const auto origin = origin_of_file(n);
  if (!origin) {
    l.why = "not a zone file of the archive";
    return l;
  }
  auto text = dnssec::read_file(dir + "/" + n);
  zone::ZoneLoadResult z = text ? read_archived(dir + "/" + n, *text, *origin) : zone::ZoneLoadResult{};
  if (!z.zone) {
    l.why = "it does not load" + (z.errors.empty() ? std::string() : ": " + z.errors.front());
    return l;
  }
  l.adopt = true;
  l.digest = sha256_hex(*text);
  if (z.zone->denial() != zone::Denial::kNone) l.signed_serial = z.zone->soa_serial();
  return l;
}
}  // namespace

std::vector<ZoneArchive::Leftover> ZoneArchive::leftovers() const {
  std::vector<Leftover> out;
  if (!enabled()) return out;
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return out;
  const std::set<std::string> named = named_on_disk();
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    struct stat st {};
    if (n == "index" || n == "index.log" || named.contains(n) || ::lstat((dir_ + "/" + n).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) out.push_back(settle(dir_, n));
  return out;
}

std::vector<std::string> ZoneArchive::leftover_messages(const std::vector<Leftover>& leftovers, bool done) const {
  std::vector<std::string> out;
  for (const Leftover& l : leftovers) {
    const std::string path = dir_ + "/" + l.file;
    if (l.adopt)
      out.push_back(path + ": " + (done ? "adopted into " : "the next start adopts it into ") + dir_ +
                    "/index (a complete version written just before the index that would have named it)");
    else
      out.push_back(path + ": " + (done ? "moved aside to " : "the next start moves it aside to ") + orphan_dir() +
                    "/ (" + l.why + ")");
  }
  return out;
}

std::vector<std::string> ZoneArchive::tidy() {
  if (!index_read_) read_index();
  const std::vector<Leftover> found = leftovers();
  if (found.empty()) return {};
  std::vector<std::string> messages = leftover_messages(found, /*done=*/true);
  bool adopted = false;
  for (size_t i = 0; i < found.size(); ++i) {
    const Leftover& l = found[i];
    if (l.adopt) {
      Archived& a = files_[l.file];
      a.digest = l.digest;
      if (l.signed_serial) a.signed_serial = l.signed_serial;
      adopted = true;
    } else if (auto moved = dnssec::move_aside(dir_ + "/" + l.file, orphan_dir()); !moved) {
      messages[i] = moved.error() + " (" + l.why + ")";
    }
  }
  if (adopted)
    if (auto st = write_index(); !st) messages.push_back(st.error() + "; the adopted files stay unnamed");
  return messages;
}

dnssec::Status ZoneArchive::write_index() {
  // 100,000 zones make a 16 MB index: written at start and when the log
  // has grown, the changes of a reload are appended (record()).
  std::string index = generation_line(generation_ + 1);
  index.reserve(files_.size() * 100);
  for (const auto& [name, a] : files_)
    if (!a.digest.empty()) index += index_line(name, a);
  if (auto st = dnssec::write_file_atomic(dir_ + "/index", index, kFileMode); !st) return st;
  ++generation_;
  log_lines_ = 0;
  ::unlink((dir_ + "/index.log").c_str());  // left behind, it is of an older generation: never read
  return {};
}

dnssec::Status ZoneArchive::record(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  if (log_lines_ + names.size() > files_.size() / 8) return write_index();
  const std::string log = dir_ + "/index.log";
  std::string lines;
  if (log_lines_ == 0) {
    ::unlink(log.c_str());  // one of an older generation
    lines = generation_line(generation_);
  }
  for (const std::string& name : names) {
    const Archived& a = files_[name];
    if (!a.digest.empty()) lines += index_line(name, a);
  }
  if (auto st = dnssec::append_lines_durably(log, lines, kFileMode); !st) return write_index();
  log_lines_ += names.size();
  return {};
}

void ZoneArchive::read_index_files(const std::string& dir, std::map<std::string, Archived>& files, uint64_t* generation,
                                   size_t* log_lines) {
  IndexEntries entries;
  *generation = 0;
  *log_lines = 0;
  if (auto text = dnssec::read_file(dir + "/index")) *generation = read_index_text(*text, entries);  // none yet: every zone is written once
  if (auto log = dnssec::read_file(dir + "/index.log"))
    *log_lines = apply_log_text(*log, *generation, entries).value_or(0);  // another generation: folded in already
  for (auto& [name, e] : entries) static_cast<IndexEntry&>(files[name]) = std::move(e);
}

void ZoneArchive::read_index() {
  index_read_ = true;
  read_index_files(dir_, files_, &generation_, &log_lines_);
}

bool ZoneArchive::same_signed_version(const std::string& name, const zone::Zone& z) const {
  if (z.denial() == zone::Denial::kNone) return false;
  auto it = files_.find(name);
  return it != files_.end() && it->second.signed_serial == z.soa_serial();
}

std::vector<std::string> ZoneArchive::save(const std::vector<LoadedZone>& zones) {
  std::vector<ArchiveEntry> list;
  list.reserve(zones.size());
  for (const LoadedZone& lz : zones) list.push_back(ArchiveEntry{lz.zone, lz.source_stamp});
  return save(list);
}

std::vector<std::string> ZoneArchive::save(const std::vector<std::shared_ptr<const zone::Zone>>& zones) {
  std::vector<ArchiveEntry> list;
  list.reserve(zones.size());
  for (const auto& z : zones) list.push_back(ArchiveEntry{z, {}});
  return save(list);
}

std::string ZoneArchive::write_pending_index() {
  if (!index_pending_) return {};
  index_pending_ = false;
  auto st = write_index();
  return st ? std::string() : st.error();
}

std::vector<std::string> ZoneArchive::save(const std::vector<ArchiveEntry>& zones, bool index_later) {
  std::vector<std::string> errors;
  if (!enabled()) return errors;
  if (!index_read_) read_index();
  // The files of every changed zone are written into one batch (a few
  // syncs for all of them instead of two fsyncs each: a 10,000-zone start
  // kept the server busy for seconds); the index lines, which name them,
  // are written after they are durable.
  dnssec::FileBatch batch;
  struct Written {
    std::string name;
    std::string digest;
    std::shared_ptr<const zone::Zone> zone;
    std::string source;
  };
  std::vector<Written> staged;
  std::vector<std::string> changed;  // whose index line changed
  for (const ArchiveEntry& entry : zones) {
    const auto& z = entry.zone;
    const std::string name = file_name(z->origin());
    auto& written = files_[name].zone;
    if (!written.owner_before(z) && !z.owner_before(written) && !written.expired()) {
      if (note_source(name, entry.source_stamp)) changed.push_back(name);
      continue;
    }
    // A signed zone re-signed at a start without changes differs only in
    // its signatures: the archived version (re-signed when it is loaded,
    // if they need it) stays good, and nothing is exported or written.
    if (same_signed_version(name, *z)) {
      written = z;
      continue;
    }
    const std::string text = zone::encode_zone(*z);
    std::string digest = sha256_hex(text);
    if (files_[name].digest == digest) {
      const bool serial_changed = note_signed_serial(name, *z);
      if (note_source(name, entry.source_stamp) || serial_changed) changed.push_back(name);
      written = z;
      continue;
    }
    if (auto st = dnssec::make_directory(dir_, kDirMode); !st) {
      errors.push_back(st.error());
      break;
    }
    if (auto st = batch.add(staged.size(), dir_ + "/" + name, text, kFileMode, dnssec::Place::kReplace,
                            dnssec::FileBatch::Step::kFirst);
        !st) {
      errors.push_back(st.error());
      continue;
    }
    staged.push_back(Written{name, std::move(digest), z, entry.source_stamp});
  }
  const auto failed = batch.commit();
  for (size_t i = 0; i < staged.size(); ++i) {
    if (auto f = failed.find(i); f != failed.end()) {
      errors.push_back(f->second);
      continue;
    }
    const Written& w = staged[i];
    Archived& a = files_[w.name];
    a.digest = w.digest;
    a.zone = w.zone;
    note_signed_serial(w.name, *w.zone);
    note_source(w.name, w.source);
    changed.push_back(w.name);
  }
  if (!changed.empty() && index_later) {
    index_pending_ = true;
  } else if (index_pending_) {
    index_pending_ = false;
    if (auto st = write_index(); !st) errors.push_back(st.error());
  } else if (auto st = record(changed); !st) {
    errors.push_back(st.error());
  }
  return errors;
}

bool ZoneArchive::note_source(const std::string& name, const std::string& stamp) {
  std::string& source = files_[name].source;
  if (source == stamp) return false;
  source = stamp;
  return true;
}

bool ZoneArchive::note_signed_serial(const std::string& name, const zone::Zone& z) {
  if (z.denial() == zone::Denial::kNone) return false;
  std::optional<uint32_t>& serial = files_[name].signed_serial;
  if (serial == z.soa_serial()) return false;
  serial = z.soa_serial();
  return true;
}

std::optional<LoadedZone> ZoneArchive::load(const zone::DnsName& origin, const DnssecSettings& settings,
                                            int64_t now, std::string* error) const {
  error->clear();
  if (!enabled()) return std::nullopt;
  const std::string path = path_of(origin);
  if (!has(origin)) return std::nullopt;  // only what the index (the manifest) names
  zone::ZoneLoadResult z = load_archived(path, origin);
  if (!z.zone) {
    *error = path + ": the last good version does not load" + (z.errors.empty() ? "" : ": " + z.errors.front());
    return std::nullopt;
  }
  LoadedZone lz{z.zone, "last good version in " + path, std::nullopt, true};
  if (settings.enabled && z.zone->denial() != zone::Denial::kNone) lz.signing = resign_state(*z.zone, settings, now);
  return lz;
}

}  // namespace mailns::server

namespace mailns::server {

std::shared_ptr<const zone::Zone> ZoneArchive::load_zone(const zone::DnsName& origin) const {
  if (!enabled() || !has(origin)) return nullptr;
  return load_archived(path_of(origin), origin).zone;
}

std::shared_ptr<const zone::Zone> ZoneArchive::load_unchanged(const zone::DnsName& origin,
                                                              const std::string& source_stamp) {
  if (!enabled() || source_stamp.empty()) return nullptr;
  if (!index_read_) read_index();
  const std::string name = file_name(origin);
  const auto it = files_.find(name);
  if (it == files_.end() || it->second.source != source_stamp || it->second.signed_serial || !has(origin))
    return nullptr;
  auto z = load_archived(path_of(origin), origin).zone;
  if (!z || z->denial() != zone::Denial::kNone) return nullptr;
  files_[name].zone = z;  // the file holds it: saving it writes nothing
  return z;
}

}  // namespace mailns::server

// ZoneArchive: the last good version of every served zone, kept on disk as
// it was signed and served (master-file text in <state_dir>/zones/, each
// file replaced atomically), so that a zone whose declaration or files
// break keeps being served from it, after a restart too, instead of going
// dark while its DS is registered. Only a zone that never had a good
// version is left out (the never-dark rule, README "Never dark").
//
// An index file (<dir>/index: "zone sha256 [serial] [source=STAMP]" per
// line; STAMP: the master file's, see ArchiveEntry) remembers
// what each file holds, so a start with nothing changed writes nothing: an
// unsigned zone whose text is the same, a signed zone whose serial is the
// same (only its fresh signatures differ).
//
// The index is the manifest (issue 19): a zone file belongs to the archive
// once the index names it, and the index is replaced (one atomic rename)
// after the files it names are written and synced. Each zone file is itself
// replaced by one atomic rename, so a named file is always one complete
// version (after a crash between a file and the index possibly a newer one
// than the index's digest: complete, so it is used, and rewritten at the
// next change). Files the index does not name are unfinished changes, never
// loaded as they are; tidy() settles them at start: a zone's first version
// written just before a crash ("<zone>.zone" that loads) is rolled forward
// into the index, anything else (a file that does not load, the temporary
// file of an interrupted write) is moved aside into
// <state_dir>/orphans/zones/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dnssec/result.hpp"
#include "server/config/dnssec_settings.hpp"
#include "server/publish/archive_index.hpp"
#include "server/publish/zone_loader.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server {

// A zone to archive, with the stamp (config/file_stamp) of the master file
// it was built from, taken before the file was read ("" when unknown, not
// settled, or not a master-file zone).
struct ArchiveEntry {
  std::shared_ptr<const zone::Zone> zone;
  std::string source_stamp;
};

class ZoneArchive {
 public:
  ZoneArchive() = default;  // keeps nothing (check-config, tests)
  explicit ZoneArchive(std::string dir);

  bool enabled() const noexcept { return !dir_.empty(); }
  const std::string& dir() const noexcept { return dir_; }
  // Writes the zones whose served version is not the archived one. Returns
  // one message per file that could not be written (the others are).
  // index_later: the index is not written now but by the next save() or
  // write_pending_index() (the start-up zones, archived in batches: one
  // index at the end; files written but not yet named are what a crash
  // leaves anyway, settled by tidy()).
  std::vector<std::string> save(const std::vector<ArchiveEntry>& zones, bool index_later = false);
  std::vector<std::string> save(const std::vector<std::shared_ptr<const zone::Zone>>& zones);  // no source stamps
  std::vector<std::string> save(const std::vector<LoadedZone>& zones);
  // Writes the index when a save() left it for later; an error message or "".
  std::string write_pending_index();
  // The archived version of origin, built as it was served; with DNSSEC
  // enabled for the zone (settings), set up to be re-signed with the
  // current keys when its signatures need it. nullopt when there is none
  // (*error empty) or it cannot be used (*error says why).
  std::optional<LoadedZone> load(const zone::DnsName& origin, const DnssecSettings& settings, int64_t now,
                                 std::string* error) const;
  // Only the archived zone as built (nullptr when there is none or it does
  // not load): the previous version a start compares with and signs against.
  std::shared_ptr<const zone::Zone> load_zone(const zone::DnsName& origin) const;
  // The archived unsigned zone of origin when it was built from a master
  // file with this stamp (the index's source=): reading it is a fraction
  // of parsing the file again. nullptr otherwise (no stamp, another one, a
  // signed version, or it does not load).
  std::shared_ptr<const zone::Zone> load_unchanged(const zone::DnsName& origin, const std::string& source_stamp);
  std::string path_of(const zone::DnsName& origin) const;
  // True when the index names origin's file and it exists: there is a last
  // good version to serve.
  bool has(const zone::DnsName& origin) const;
  // What tidy() does with each file in dir() that no index line names.
  struct Leftover {
    std::string file;
    bool adopt = false;  // a complete zone file: named in the index
    std::string why;     // moved aside: the reason
    std::string digest;  // adopt: SHA-256 of its text
    std::optional<uint32_t> signed_serial;
  };
  std::vector<Leftover> leftovers() const;
  // At start: rolls the leftovers forward (one index write) or moves them
  // aside into orphan_dir(); one message per file, "adopted into" or "moved
  // aside to" (check-config prints leftover_messages(false) first).
  std::vector<std::string> tidy();
  std::vector<std::string> leftover_messages(const std::vector<Leftover>& leftovers, bool done) const;
  std::string orphan_dir() const;  // <state_dir>/orphans/zones

 private:
  void read_index();
  std::set<std::string> named_on_disk() const;  // the files the index and its log name
  dnssec::Status write_index();
  // The index lines of these files appended to the log (the whole index
  // written instead when the log is long enough, or when appending fails).
  dnssec::Status record(const std::vector<std::string>& names);
  std::string dir_;
  bool index_read_ = false;
  bool index_pending_ = false;  // a save() with index_later changed what the index must say
  bool same_signed_version(const std::string& name, const zone::Zone& z) const;
  bool note_signed_serial(const std::string& name, const zone::Zone& z);  // true when it changed
  bool note_source(const std::string& name, const std::string& stamp);    // true when it changed
  // What is known of one zone's file, by file name: one map entry per zone
  // (a hosting provider's 100,000 zones hold this for the server's life).
  // Its index line (archive_index.hpp; digest "": not named), and the
  // zone object written (or read back).
  struct Archived : IndexEntry {
    std::weak_ptr<const zone::Zone> zone;
  };
  std::map<std::string, Archived> files_;
  uint64_t generation_ = 0;  // of the index on disk
  size_t log_lines_ = 0;     // in the log of that generation
  // Reads the index and its log at dir into files (digest, serial, source);
  // sets *generation and *log_lines.
  static void read_index_files(const std::string& dir, std::map<std::string, Archived>& files, uint64_t* generation,
                               size_t* log_lines);
};

}  // namespace mailns::server

// IxfrJournal: the differences between the last versions of each zone
// (RFC 1995), computed when a new version is published with a different
// serial, at most `history` per zone (config ixfr_history) and, in bytes, at
// most about one copy of the zone (and 4 KiB): once the kept differences together are
// larger than the zone itself, the oldest go (an AXFR would be smaller than
// an IXFR through them), so a zone re-signed in full many times does not keep
// that many copies of itself. A difference is
// every record removed and added, RRSIGs and NSEC/NSEC3 included, so a
// re-signed zone's difference is its new signatures. An IXFR request is
// answered from a chain of differences ending at the served version; when
// the client's serial is older than the history, there is no chain and the
// caller falls back to AXFR. Thread-safe: versions are recorded by the
// publishing thread, chains read by the workers (a mutex, held only to copy
// a few shared pointers). With persist_in(dir), each zone's differences are
// also written to dir/<zone>.ixfr (server/xfr/journal_file) whenever they
// change, and restore() reads them back at start, so that a secondary
// several versions behind gets an IXFR across a restart too.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/xfr/xfr_output.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

struct ZoneDiff {
  uint32_t from_serial = 0;
  uint32_t to_serial = 0;
  zone::Record from_soa;
  zone::Record to_soa;
  std::vector<zone::Record> removed;  // the SOA itself excluded (it delimits the sequences)
  std::vector<zone::Record> added;
  size_t bytes = 0;       // wire size of removed and added (uncompressed)
  size_t zone_bytes = 0;  // wire size of the whole `to` version: what an AXFR would send instead
};

// The records of `to` missing from `from` and the other way round.
ZoneDiff diff_zones(const zone::Zone& from, const zone::Zone& to);

using DiffChain = std::vector<std::shared_ptr<const ZoneDiff>>;

// The records of an IXFR response (RFC 1995 4): the current SOA, then each
// difference as old SOA, removed records, new SOA, added records, then the
// current SOA again. The views point into the chain and `current`.
std::vector<XfrRecord> ixfr_records(const zone::Zone& current, const DiffChain& chain);

class IxfrJournal {
 public:
  explicit IxfrJournal(unsigned history) : history_(history) {}

  // Read by the workers while the reload thread may set it: atomic (it was
  // a plain read beside set_history's locked write, a data race).
  unsigned history() const noexcept { return history_.load(std::memory_order_relaxed); }
  void set_history(unsigned history);

  // A new version `to` of a zone replaces `from` (serials differ). A serial
  // that does not continue the kept history starts it again.
  void record(const zone::Zone& from, const zone::Zone& to);
  // The zone is no longer served.
  void forget(const zone::DnsName& origin);

  // Writes every zone's differences under dir from now on (created when
  // missing; empty: not persisted). Set once, before anything is recorded.
  void persist_in(std::string dir);
  // record() and forget() only note which zones' files are out of date:
  // this writes them (or removes them), outside the publication, so that
  // file creation is never on the way to serving a new version (the
  // Primary calls it after each swap). A crash before it leaves a file
  // that does not end at the served serial: refused at the restart (AXFR).
  void save_unsaved();
  // Reads the zone's differences written before a restart, when they are
  // whole, consecutive and end at serial `last` (the version served before
  // the restart): kept as if recorded now. Returns how many; a file that
  // does not qualify is removed, with the reason in *why.
  size_t restore(const zone::DnsName& origin, uint32_t last, std::string* why = nullptr);
  // restore() for each (zone, serial served before) with a file in the
  // directory (read once), and the files of zones not among them removed.
  struct Restored {
    size_t zones = 0, differences = 0, refused = 0;
    std::string first_refusal;  // why the first refused file was
  };
  Restored restore_all(const std::vector<std::pair<zone::DnsName, uint32_t>>& served);

  // The differences that lead from serial `from` to serial `to`, oldest
  // first; nullopt when they are not all kept.
  std::optional<DiffChain> chain(const zone::DnsName& origin, uint32_t from, uint32_t to) const;
  // How many differences are kept for the zone (tests, logs).
  size_t size(const zone::DnsName& origin) const;

 private:
  using Diffs = std::deque<std::shared_ptr<const ZoneDiff>>;
  // The history and byte bounds applied to one zone's differences.
  void trim(Diffs& q) const;
  std::string file_name(const zone::DnsName& origin) const;
  std::string path_of(const zone::DnsName& origin) const { return dir_ + "/" + file_name(origin); }
  // Writes (or, empty, removes) the zone's file; outside the lock.
  void save(const zone::DnsName& origin, const std::vector<std::shared_ptr<const ZoneDiff>>& diffs) const;

  std::atomic<unsigned> history_;
  std::string dir_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<std::shared_ptr<const ZoneDiff>>, std::less<>> zones_;  // by lookup form
  std::map<std::string, zone::DnsName, std::less<>> unsaved_;  // zones whose file is out of date, by lookup form
};

}  // namespace mailns::server

// SerialStore: the last SOA serial served for each zone, kept in one small
// text file in the state directory ("<origin> <serial>" per line) so that a
// restart never serves a serial lower than one a secondary has already seen.
// The file is replaced atomically (temporary file, fsync, rename, directory
// fsync: dnssec/atomic_file), and it is written BEFORE the zones with the
// new serials are published: a kill -9 at any moment leaves the old or the
// new file, and the file is never behind a serial that was served. It is
// its own manifest (one file, one rename): the only leftover a crash can
// leave is the temporary file of an interrupted write, which the start moves
// aside with the other leftovers in state_dir (state_dir_leftovers.hpp).
//
// A few zones' new serials (`mailns reload ZONE` among 100,000 zones) are
// appended to "<file>.log" instead, one line each and one fdatasync, so
// their cost does not grow with the number of zones. Reading takes the file,
// then the log's complete lines, each only when it is ahead of what the
// zone has (serials never go back, so a line the file already holds, or a
// line cut short by a crash, changes nothing). save() folds the log in and
// removes it; append() does so itself once the log has grown past an eighth
// of the zones.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "zone/dns_name.hpp"

namespace mailns::server {

class SerialStore {
 public:
  SerialStore() = default;
  explicit SerialStore(std::string path) : path_(std::move(path)) {}

  // Reads the file; a missing file is an empty store. Lines that cannot be
  // read are skipped and reported in warnings (the zone then starts from
  // today's first serial, as on a first start).
  void load(std::vector<std::string>& warnings);
  // Writes the whole store atomically (and removes the log); returns an
  // error message or "".
  std::string save();
  // Persists these zones' serials (as set()) by appending them to the log;
  // returns an error message or "".
  std::string append(const std::vector<zone::DnsName>& origins);

  std::optional<uint32_t> get(const zone::DnsName& origin) const;
  void set(const zone::DnsName& origin, uint32_t serial);

  // The serial a zone gets when it changes at `now`: the next YYYYMMDDnn
  // after the stored one (and after `floor`, e.g. the serial in a master
  // file, when given and greater).
  uint32_t next_for(const zone::DnsName& origin, int64_t now, std::optional<uint32_t> floor = std::nullopt) const;

  const std::string& path() const noexcept { return path_; }

 private:
  void read_log(std::vector<std::string>& warnings);

  std::string path_;
  std::map<std::string, uint32_t> serials_;  // origin as text (lower case, with the final dot)
  size_t log_lines_ = 0;                     // lines in the log since the last save()
};

}  // namespace mailns::server

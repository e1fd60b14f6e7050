// The zone archive's index and index log as text (zone_archive.hpp says
// what they mean and when each is written): one line per zone file,
// "<file> <sha256> [serial] [source=STAMP]", and a "# generation G" line
// first. Only complete lines ('\n'-ended) are read; a line that is not an
// index line (a torn write is cut off before the next append, so this is
// damage, not a crash) is skipped. Text in, entries out: no files here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mailns::server {

struct IndexEntry {
  std::string digest;                     // SHA-256 of the file, 64 hex digits
  std::optional<uint32_t> signed_serial;  // signed zones: the serial archived
  std::string source;                     // the master file's stamp; "" none
  bool operator==(const IndexEntry&) const = default;
};
using IndexEntries = std::map<std::string, IndexEntry>;  // by file name

// "# generation G\n".
std::string generation_line(uint64_t generation);
// One entry's line, '\n' included.
std::string index_line(const std::string& file, const IndexEntry& entry);
// The entries of an index text into entries (a later line for a file
// replaces an earlier one); returns its generation (0 when it names none).
uint64_t read_index_text(std::string_view text, IndexEntries& entries);
// A log text applied to entries when its first line names `generation`:
// returns how many lines followed it; nullopt (entries untouched) for a log
// of another generation or without one.
std::optional<size_t> apply_log_text(std::string_view text, uint64_t generation, IndexEntries& entries);

}  // namespace mailns::server

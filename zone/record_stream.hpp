// Records in mailns's own files (the IXFR journal, the zone archive): one
// record as
//   u8 owner length, owner (uncompressed wire name), u16 type, u32 TTL,
//   u16 RDATA length, RDATA
// with big-endian integers, and lists of them as u32 count, records.
// RecordStreamReader reads untrusted bytes (a file anyone with access to
// state_dir could have changed or truncated) with a sticky error: it never
// reads past the end, checks every name, refuses meta types and a count the
// remaining octets could not hold (before reserving anything).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "zone/record.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::zone {

// The root name, type, TTL and RDATA length: the least a record takes.
inline constexpr size_t kMinStreamRecordOctets = 1 + 1 + 2 + 4 + 2;

void put_u16(std::string& out, uint16_t v);
void put_u32(std::string& out, uint32_t v);
void put_record(std::string& out, const Record& r);
void put_record(std::string& out, const DnsName& owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata);
void put_records(std::string& out, const std::vector<Record>& records);

class RecordStreamReader {
 public:
  explicit RecordStreamReader(std::span<const uint8_t> bytes) noexcept : in_(bytes) {}
  bool ok() const noexcept { return in_.ok() && what_.empty(); }
  // The first problem met ("" while ok(), or when the bytes ran out).
  const std::string& what() const noexcept { return what_; }
  void fail(std::string what);
  WireReader& in() noexcept { return in_; }

  Record record();
  std::vector<Record> records();

 private:
  WireReader in_;
  std::string what_;
};

}  // namespace mailns::zone

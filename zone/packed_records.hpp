// PackedRecords: a list of records kept for later rather than looked up (the
// unsigned input of every signed zone, which re-signing starts from), packed
// into one buffer in wire form: owner, type, class, TTL, RDATA. A Record
// costs two heap blocks and about 100 octets of bookkeeping besides its
// data; a packed one costs its wire form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "zone/record.hpp"

namespace mailns::zone {

class PackedRecords {
 public:
  PackedRecords() = default;
  explicit PackedRecords(const std::vector<Record>& records);

  // The records, in the order they were packed.
  std::vector<Record> unpack() const;
  size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }

 private:
  std::vector<uint8_t> bytes_;
  size_t count_ = 0;
};

}  // namespace mailns::zone

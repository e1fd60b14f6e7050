#include "zone/packed_records.hpp"

namespace mailns::zone {

namespace {
void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
}  // namespace

PackedRecords::PackedRecords(const std::vector<Record>& records) {
  size_t total = 0;
  for (const Record& r : records) total += 1 + r.owner.wire().size() + 10 + r.rdata.size();
  bytes_.reserve(total);
  for (const Record& r : records) {
    if (r.rdata.size() > 0xFFFF) continue;  // cannot be RDATA; never built into a zone either
    const auto owner = r.owner.wire();
    bytes_.push_back(static_cast<uint8_t>(owner.size()));
    bytes_.insert(bytes_.end(), owner.begin(), owner.end());
    put16(bytes_, r.type);
    put16(bytes_, r.rclass);
    put16(bytes_, r.ttl >> 16);
    put16(bytes_, r.ttl & 0xFFFF);
    put16(bytes_, static_cast<uint32_t>(r.rdata.size()));
    bytes_.insert(bytes_.end(), r.rdata.begin(), r.rdata.end());
    ++count_;
  }
}

std::vector<Record> PackedRecords::unpack() const {
  std::vector<Record> out;
  out.reserve(count_);
  const uint8_t* p = bytes_.data();
  const uint8_t* end = p + bytes_.size();
  while (p < end) {
    const size_t owner_len = *p++;
    auto owner = DnsName::from_wire({p, owner_len});  // packed from a valid name
    p += owner_len;
    Record r{owner ? std::move(*owner) : DnsName(), get16(p), get16(p + 2),
             static_cast<uint32_t>(get16(p + 4)) << 16 | get16(p + 6), {}};
    const size_t rdlen = get16(p + 8);
    p += 10;
    r.rdata.assign(p, p + rdlen);
    p += rdlen;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mailns::zone

#include "zone/record_stream.hpp"

#include "zone/rr_type.hpp"

namespace mailns::zone {

void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_u32(std::string& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v));
}

void put_record(std::string& out, const DnsName& owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
  const auto wire = owner.wire();
  out.push_back(static_cast<char>(wire.size()));
  out.append(reinterpret_cast<const char*>(wire.data()), wire.size());
  put_u16(out, type);
  put_u32(out, ttl);
  put_u16(out, static_cast<uint16_t>(rdata.size()));
  out.append(reinterpret_cast<const char*>(rdata.data()), rdata.size());
}

void put_record(std::string& out, const Record& r) { put_record(out, r.owner, r.type, r.ttl, r.rdata); }

void put_records(std::string& out, const std::vector<Record>& records) {
  put_u32(out, static_cast<uint32_t>(records.size()));
  for (const auto& r : records) put_record(out, r);
}

void RecordStreamReader::fail(std::string what) {
  if (what_.empty()) what_ = std::move(what);
  in_.fail();
}

Record RecordStreamReader::record() {
  Record r;
  const uint8_t len = in_.u8();
  const auto owner = in_.bytes(len);
  auto name = DnsName::from_wire(owner);
  if (!in_.ok()) return r;
  if (!name) {
    fail("a record's owner is not a valid name");
    return r;
  }
  r.owner = std::move(*name);
  r.type = in_.u16();
  r.ttl = in_.u32();
  const auto rdata = in_.bytes(in_.u16());
  r.rdata.assign(rdata.begin(), rdata.end());
  if (in_.ok() && (r.type == rrtype::OPT || is_meta_type(r.type))) fail("a record has a meta type");
  return r;
}

std::vector<Record> RecordStreamReader::records() {
  std::vector<Record> out;
  const uint32_t n = in_.u32();
  if (n > in_.remaining() / kMinStreamRecordOctets) {
    fail("a record count is larger than the file");
    return out;
  }
  out.reserve(n);
  for (uint32_t i = 0; i < n && ok(); ++i) out.push_back(record());
  return out;
}

}  // namespace mailns::zone

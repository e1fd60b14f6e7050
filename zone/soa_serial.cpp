#include "zone/soa_serial.hpp"

#include <ctime>

#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {
// The serial is the first of the five 32-bit fields after MNAME and RNAME (RFC 1035 3.3.13).
constexpr size_t kSerialFromEnd = 20;

Record* find_soa(std::span<Record> records, const DnsName& origin) noexcept {
  for (Record& r : records)
    if (r.type == zone::rrtype::SOA && r.owner == origin && r.rdata.size() >= kSerialFromEnd) return &r;
  return nullptr;
}
}  // namespace

uint32_t first_serial_of_day(int64_t now) noexcept {
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return static_cast<uint32_t>((tm.tm_year + 1900) * 1000000 + (tm.tm_mon + 1) * 10000 + tm.tm_mday * 100 + 1);
}

bool serial_greater(uint32_t a, uint32_t b) noexcept {
  return a != b && ((a > b && a - b < 0x80000000u) || (a < b && b - a > 0x80000000u));
}

uint32_t next_serial(uint32_t current, int64_t now) noexcept {
  const uint32_t today = first_serial_of_day(now);
  return serial_greater(today, current) ? today : current + 1;
}

std::optional<uint32_t> soa_serial(std::span<const Record> records, const DnsName& origin) noexcept {
  for (const Record& r : records) {
    if (r.type != zone::rrtype::SOA || !(r.owner == origin) || r.rdata.size() < kSerialFromEnd) continue;
    const uint8_t* p = r.rdata.data() + r.rdata.size() - kSerialFromEnd;
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
  }
  return std::nullopt;
}

bool set_soa_serial(std::span<Record> records, const DnsName& origin, uint32_t serial) noexcept {
  Record* soa = find_soa(records, origin);
  if (!soa) return false;
  uint8_t* p = soa->rdata.data() + soa->rdata.size() - kSerialFromEnd;
  p[0] = static_cast<uint8_t>(serial >> 24);
  p[1] = static_cast<uint8_t>(serial >> 16);
  p[2] = static_cast<uint8_t>(serial >> 8);
  p[3] = static_cast<uint8_t>(serial);
  return true;
}

}  // namespace mailns::zone

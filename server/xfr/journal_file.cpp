#include "server/xfr/journal_file.hpp"

#include <string_view>

#include "zone/record_stream.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {
constexpr std::string_view kMagic = "MLNSIXF1";
using zone::put_record;
using zone::put_records;
using zone::put_u32;
}  // namespace

std::string encode_journal(const std::vector<std::shared_ptr<const ZoneDiff>>& diffs) {
  std::string out(kMagic);
  put_u32(out, static_cast<uint32_t>(diffs.size()));
  for (const auto& d : diffs) {
    put_u32(out, d->from_serial);
    put_u32(out, d->to_serial);
    put_u32(out, static_cast<uint32_t>(d->zone_bytes));
    put_record(out, d->from_soa);
    put_record(out, d->to_soa);
    put_records(out, d->removed);
    put_records(out, d->added);
  }
  return out;
}

std::optional<std::vector<ZoneDiff>> decode_journal(std::span<const uint8_t> bytes, std::string* error) {
  auto failed = [error](const std::string& why) -> std::optional<std::vector<ZoneDiff>> {
    if (error) *error = why;
    return std::nullopt;
  };
  zone::RecordStreamReader r(bytes);
  const auto magic = r.in().bytes(kMagic.size());
  if (!r.ok() || std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic)
    return failed("not a mailns IXFR journal (no MLNSIXF1 header)");
  const uint32_t count = r.in().u32();
  if (!r.ok() || count > r.in().remaining() / (12 + 2 * zone::kMinStreamRecordOctets + 8)) return failed("truncated");
  std::vector<ZoneDiff> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    ZoneDiff d;
    d.from_serial = r.in().u32();
    d.to_serial = r.in().u32();
    d.zone_bytes = r.in().u32();
    d.from_soa = r.record();
    d.to_soa = r.record();
    d.removed = r.records();
    d.added = r.records();
    if (!r.ok()) break;
    if (d.from_soa.type != zone::rrtype::SOA || d.to_soa.type != zone::rrtype::SOA)
      return failed("difference " + std::to_string(i + 1) + " is not delimited by SOA records");
    for (const auto* list : {&d.removed, &d.added})
      for (const auto& rec : *list) d.bytes += rec.owner.wire().size() + 10 + rec.rdata.size();
    out.push_back(std::move(d));
  }
  if (!r.ok()) return failed(r.what().empty() ? "truncated" : r.what());
  if (r.in().remaining() != 0) return failed("octets after the last difference");
  return out;
}

}  // namespace mailns::server

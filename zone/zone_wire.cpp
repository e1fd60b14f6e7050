#include "zone/zone_wire.hpp"

#include "zone/record_stream.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {
constexpr std::string_view kMagic = "MLNSZON1";

ZoneLoadResult failed(const std::string& source, const std::string& why) {
  ZoneLoadResult res;
  res.errors.push_back(source + ": " + why);
  return res;
}

// Refuses RDATA that is malformed for its type: the answer paths read the
// names in it (compression, additional records) trusting their form.
bool rdata_well_formed(const Record& r) {
  RdataName names[2];
  return rdata_names(r.type, r.rdata, names) >= 0;
}
}  // namespace

std::string encode_zone(const Zone& zone) {
  std::string out(kMagic);
  const auto origin = zone.origin().wire();
  out.push_back(static_cast<char>(origin.size()));
  out.append(reinterpret_cast<const char*>(origin.data()), origin.size());
  const size_t count_at = out.size();
  put_u32(out, 0);
  uint32_t count = 0;
  auto rrset = [&](const Node& n, const RRset& s) {
    for (const auto& rd : s.rdatas) put_record(out, n.name(), s.type, s.ttl, rd), ++count;
    for (const auto& sig : s.sigs) put_record(out, n.name(), rrtype::RRSIG, s.sig_ttl, sig), ++count;
  };
  for_each_rrset_in_file_order(zone, rrset);
  std::string n;
  put_u32(n, count);
  out.replace(count_at, 4, n);
  return out;
}

bool is_encoded_zone(std::string_view bytes) noexcept { return bytes.substr(0, kMagic.size()) == kMagic; }

ZoneLoadResult decode_zone(std::span<const uint8_t> bytes, const DnsName& origin, const std::string& source) {
  RecordStreamReader r(bytes);
  const auto magic = r.in().bytes(kMagic.size());
  if (!r.ok() || std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic)
    return failed(source, "not a zone in mailns's wire form (no MLNSZON1 header)");
  const auto name = r.in().bytes(r.in().u8());
  const auto held = DnsName::from_wire(name);
  if (!r.ok() || !held) return failed(source, "truncated or damaged origin");
  if (!(*held == origin)) return failed(source, "holds zone " + held->to_text() + ", not " + origin.to_text());
  std::vector<Record> records = r.records();
  if (!r.ok()) return failed(source, r.what().empty() ? "truncated" : r.what());
  if (r.in().remaining() != 0) return failed(source, "octets after the last record");
  ZoneBuilder builder(origin);
  builder.reserve_signatures(records);
  ZoneLoadResult res;
  for (size_t i = 0; i < records.size(); ++i) {
    auto where = [&] {  // for messages only
      return source + ": record " + std::to_string(i + 1) + " (" + records[i].owner.to_text() + " " +
             type_to_text(records[i].type) + ")";
    };
    if (!rdata_well_formed(records[i])) {
      res.errors.push_back(where() + ": RDATA malformed for its type");
    } else if (!builder.add(std::move(records[i]))) {
      res.errors.push_back(where() + ": " + builder.errors().back());
    }
    if (res.errors.size() > 50) break;
  }
  for (const auto& w : builder.warnings()) res.warnings.push_back(source + ": " + w);
  if (!res.errors.empty()) return res;
  res.zone = builder.build();
  if (!res.zone)
    for (const auto& e : builder.errors()) res.errors.push_back(source + ": " + e);
  return res;
}

}  // namespace mailns::zone

#include "server/xfr/journal_file.hpp"

#include <string_view>

#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::server {

namespace {

constexpr std::string_view kMagic = "MLNSIXF1";
// Far above any real journal (it holds about one copy of its zone); a count
// beyond what the remaining octets could hold is refused before reserving.
constexpr size_t kMinRecordOctets = 1 + 1 + 2 + 4 + 2;  // the root name, type, TTL, RDLENGTH

void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void put_u32(std::string& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v));
}

void put_record(std::string& out, const zone::Record& r) {
  const auto owner = r.owner.wire();
  out.push_back(static_cast<char>(owner.size()));
  out.append(reinterpret_cast<const char*>(owner.data()), owner.size());
  put_u16(out, r.type);
  put_u32(out, r.ttl);
  put_u16(out, static_cast<uint16_t>(r.rdata.size()));
  out.append(reinterpret_cast<const char*>(r.rdata.data()), r.rdata.size());
}

void put_records(std::string& out, const std::vector<zone::Record>& records) {
  put_u32(out, static_cast<uint32_t>(records.size()));
  for (const auto& r : records) put_record(out, r);
}

// Reads with the reader's sticky error; `what` names the first problem.
class JournalReader {
 public:
  explicit JournalReader(std::span<const uint8_t> bytes) : in_(bytes) {}
  bool ok() const noexcept { return in_.ok() && what_.empty(); }
  const std::string& what() const noexcept { return what_; }
  void fail(std::string what) {
    if (what_.empty()) what_ = std::move(what);
    in_.fail();
  }
  zone::WireReader& in() noexcept { return in_; }

  zone::Record record() {
    zone::Record r;
    const uint8_t len = in_.u8();
    const auto owner = in_.bytes(len);
    auto name = zone::DnsName::from_wire(owner);
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
    if (in_.ok() && (r.type == zone::rrtype::OPT || zone::is_meta_type(r.type))) fail("a record has a meta type");
    return r;
  }

  std::vector<zone::Record> records() {
    std::vector<zone::Record> out;
    const uint32_t n = in_.u32();
    if (n > in_.remaining() / kMinRecordOctets) {
      fail("a record count is larger than the file");
      return out;
    }
    out.reserve(n);
    for (uint32_t i = 0; i < n && ok(); ++i) out.push_back(record());
    return out;
  }

 private:
  zone::WireReader in_;
  std::string what_;
};

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
  JournalReader r(bytes);
  const auto magic = r.in().bytes(kMagic.size());
  if (!r.ok() || std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic)
    return failed("not a mailns IXFR journal (no MLNSIXF1 header)");
  const uint32_t count = r.in().u32();
  if (!r.ok() || count > r.in().remaining() / (12 + 2 * kMinRecordOctets + 8)) return failed("truncated");
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

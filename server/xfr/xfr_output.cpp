#include "server/xfr/xfr_output.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "zone/rr_type.hpp"
#include "zone/opt_record.hpp"
#include "zone/wire_writer.hpp"

namespace mailns::server {

namespace {

constexpr uint16_t kServFail = 2;

// Names inside RDATA are compressed for the RFC 1035 types only (RFC 3597 4).
void write_record(zone::WireWriter& w, const XfrRecord& r) noexcept {
  w.name(r.owner, r.owner_len, true);
  w.u16(r.type);
  w.u16(zone::rrclass::IN);
  w.u32(r.ttl);
  const size_t len_at = w.size();
  w.u16(0);
  zone::RdataName names[2];
  const int n = zone::rdata_names(r.type, r.rdata, names);
  size_t p = 0;
  for (int i = 0; i < n; ++i) {
    w.bytes(r.rdata.data() + p, names[i].offset - p);
    w.name(r.rdata.data() + names[i].offset, names[i].len, names[i].compressible);
    p = names[i].offset + names[i].len;
  }
  w.bytes(r.rdata.data() + p, r.rdata.size() - p);
  if (!w.overflow()) w.patch_u16(len_at, static_cast<uint16_t>(w.size() - len_at - 2));
}

void write_head(zone::WireWriter& w, const ResponseHead& h, uint16_t rcode, bool aa, bool tc, bool question) {
  w.u16(h.id);
  uint16_t flags = 0x8000 | (rcode & 0xF);
  if (aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  if (h.rd) flags |= 0x0100;
  if (h.cd) flags |= 0x0010;
  w.u16(flags);
  w.u16(question ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  if (question) {
    w.name(h.qname.wire, h.qname.len, false);
    w.u16(h.qtype);
    w.u16(h.qclass);
  }
}

// Appends OPT (RFC 6891) and bumps ARCOUNT; false when it does not fit.
bool write_opt(zone::WireWriter& w, const ResponseHead& h, uint16_t rcode) {
  if (!zone::write_opt_record(w, h.our_udp_payload, rcode, h.edns_do)) return false;
  const uint8_t* b = w.data();
  w.patch_u16(10, static_cast<uint16_t>((b[10] << 8 | b[11]) + 1));
  return true;
}

}  // namespace

uint64_t tsig_now() noexcept { return static_cast<uint64_t>(std::time(nullptr)); }

size_t SingleMessage::next(std::span<uint8_t> out) {
  if (sent_ || msg_.size() > out.size()) return 0;
  sent_ = true;
  std::memcpy(out.data(), msg_.data(), msg_.size());
  return msg_.size();
}

size_t write_header_only(std::span<uint8_t> out, const ResponseHead& head, uint16_t rcode, bool aa, bool tc) noexcept {
  zone::WireWriter w(out, out.size());
  write_head(w, head, rcode, aa, tc, true);
  if (w.overflow()) return 0;
  if (head.edns) write_opt(w, head, rcode);
  return w.size();
}

TransferMessages::TransferMessages(ResponseHead head, std::unique_ptr<RecordStream> records,
                                   std::optional<TsigSigner> signer, size_t limit,
                                   std::function<void(const TransferTotals&)> on_end)
    : head_(head), records_(std::move(records)), signer_(std::move(signer)), limit_(limit), on_end_(std::move(on_end)) {}

TransferMessages::~TransferMessages() {
  if (!done_ && on_end_) on_end_(totals_);
}

size_t TransferMessages::next(std::span<uint8_t> out) {
  if (done_) return 0;
  const size_t cap = std::min(out.size(), limit_);
  const size_t tsig_room = signer_ ? signer_->overhead() : 0;
  const size_t opt_room = head_.edns ? zone::kOptRecordSize : 0;
  if (cap < 12 + tsig_room + opt_room + head_.qname.len + 4) return 0;
  zone::WireWriter w(out.first(cap), cap - tsig_room - opt_room);
  const bool first = totals_.messages == 0;
  write_head(w, head_, 0, true, false, first);
  uint16_t count = 0;
  XfrRecord r;
  bool more = true;
  while ((more = records_->peek(r))) {
    const auto m = w.mark();
    write_record(w, r);
    if (w.overflow()) {
      w.rollback(m);
      break;
    }
    records_->advance();
    ++count;
    if (count == 0xFFFF) break;
  }
  uint16_t rcode = 0;
  if (more && count == 0) {
    // A record larger than a whole message: the zone cannot be sent.
    w.rollback(zone::WireWriter::Mark{0, 0});
    write_head(w, head_, kServFail, true, false, true);
    rcode = kServFail;
    totals_.failed = true;
    more = false;
  }
  w.patch_u16(6, count);
  w.set_capacity(cap - tsig_room);
  if (head_.edns) write_opt(w, head_, rcode);
  size_t n = w.size();
  if (signer_) {
    n = signer_->sign(out.first(cap), n, tsig_now());
    if (n == 0) return 0;
  }
  totals_.records += count;
  totals_.messages += 1;
  totals_.bytes += n;
  if (!more) {
    done_ = true;
    totals_.complete = !totals_.failed;
    if (on_end_) on_end_(totals_);
  }
  return n;
}

}  // namespace mailns::server

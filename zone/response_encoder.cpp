#include "zone/response_encoder.hpp"

#include "zone/opt_record.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_writer.hpp"

namespace mailns::zone {

namespace {

// Names inside RDATA are compressed only for the RFC 1035 types (RFC 3597 4);
// the others (SRV, DNAME, SVCB, ...) are written whole, but through the
// writer all the same, so that later names may point at them (RFC 1035 4.1.4
// allows a pointer to any prior occurrence; e.g. a CNAME synthesised from a
// DNAME shares the DNAME's target, RFC 6672 3.2).
void write_rdata(WireWriter& w, uint16_t type, std::span<const uint8_t> rd) noexcept {
  RdataName names[2];
  const int n = rdata_names(type, rd, names);
  size_t p = 0;
  for (int i = 0; i < n; ++i) {
    w.bytes(rd.data() + p, names[i].offset - p);
    w.name(rd.data() + names[i].offset, names[i].len, names[i].compressible);
    p = names[i].offset + names[i].len;
  }
  w.bytes(rd.data() + p, rd.size() - p);
}

// Writes one record: owner, type, class, TTL, RDATA (with RDLENGTH patched).
void write_record(WireWriter& w, NameRef owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rd) noexcept {
  w.name(owner.wire, owner.len, true);
  w.u16(type);
  w.u16(rrclass::IN);
  w.u32(ttl);
  const size_t len_at = w.size();
  w.u16(0);
  write_rdata(w, type, rd);
  if (!w.overflow()) w.patch_u16(len_at, static_cast<uint16_t>(w.size() - len_at - 2));
}

// Writes every record of one planned RRset, and with DO=1 the RRSIGs that
// cover it right after (RFC 4035 3.1.1: same owner, same section, the
// RRset's TTL); returns the number of records written.
uint16_t write_rrset(WireWriter& w, const PlannedRRset& p, bool dnssec) noexcept {
  if (p.synth_target.wire) {  // a CNAME synthesised from a DNAME (RFC 6672 3.2)
    w.name(p.owner.wire, p.owner.len, true);
    w.u16(rrtype::CNAME);
    w.u16(rrclass::IN);
    w.u32(p.ttl);
    const size_t len_at = w.size();
    w.u16(0);
    w.name(p.synth_target.wire, p.synth_target.len, true);
    if (w.overflow()) return 0;
    w.patch_u16(len_at, static_cast<uint16_t>(w.size() - len_at - 2));
    return 1;
  }
  const RRset& s = *p.rrset;
  for (const auto rd : s.rdatas) write_record(w, p.owner, s.type, p.ttl, rd);
  if (!dnssec) return static_cast<uint16_t>(s.size());
  for (const auto& sig : s.sigs) write_record(w, p.owner, rrtype::RRSIG, p.ttl, sig);
  return static_cast<uint16_t>(s.size() + s.sigs.size());
}

}  // namespace

size_t encode_response(const Query& q, const AnswerPlan& plan, std::span<uint8_t> out,
                       const EncodeParams& params) noexcept {
  if (out.size() < 12) return 0;
  WireWriter w(out, params.limit);
  bool tc = false;
  w.u16(q.id);
  w.u16(0);  // flags, patched below
  w.u16(q.has_question ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  if (q.has_question) {
    w.name(q.qname.wire, q.qname.len, false);
    w.u16(q.qtype);
    w.u16(q.qclass);
  }
  if (w.overflow()) return 0;
  const bool opt = q.has_edns;
  const std::optional<uint16_t> ede_code = plan.ede != ede::kNone ? std::optional<uint16_t>(plan.ede) : std::nullopt;
  const OptOptions opt_options = params.opt_options(ede_code);
  const size_t opt_size = opt_record_size(opt_options);
  // Keep room for OPT, but never set the limit below what is already written
  // (the writer's checks assume size <= capacity).
  if (opt) w.set_capacity(params.limit > w.size() + opt_size ? params.limit - opt_size : w.size());

  uint16_t counts[3] = {0, 0, 0};
  for (size_t sec = 0; sec < 3 && !tc; ++sec) {
    const auto s = static_cast<Section>(sec);
    for (size_t i = 0; i < plan.count(s); ++i) {
      const auto m = w.mark();
      const uint16_t n = write_rrset(w, plan.at(s, i), q.edns_do);
      if (w.overflow()) {
        w.rollback(m);
        // A missing answer or authority RRset, or in-domain glue of a
        // referral (RFC 9471 3), sets TC so the client retries over TCP.
        // Other additional data is optional (RFC 2181 9): leave this RRset
        // out and try the next, smaller ones may still fit (as Knot does).
        if (s != Section::kAdditional || plan.at(s, i).required) {
          tc = true;
          break;
        }
        continue;
      }
      counts[sec] = static_cast<uint16_t>(counts[sec] + n);
    }
  }

  uint16_t arcount = counts[2];
  if (opt) {
    w.set_capacity(params.limit);
    if (write_opt_record(w, params.our_udp_payload, plan.rcode, q.edns_do, opt_options)) {
      ++arcount;
    } else {
      // Only with an output buffer smaller than the question plus OPT (the
      // room kept for OPT was never there): it is left out, never half of
      // it, and the message is marked incomplete.
      tc = true;
    }
  }
  uint16_t flags = 0x8000 | static_cast<uint16_t>((q.opcode & 0xF) << 11) | (plan.rcode & 0xF);
  if (plan.aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  if (q.rd) flags |= 0x0100;
  if (q.cd) flags |= 0x0010;
  w.patch_u16(2, flags);
  w.patch_u16(6, counts[0]);
  w.patch_u16(8, counts[1]);
  w.patch_u16(10, arcount);
  return w.size();
}

}  // namespace mailns::zone

#include "zone/answer_cache.hpp"

#include <cstring>
#include <vector>

#include "zone/opt_record.hpp"
#include "zone/resolver.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {

namespace {

bool cacheable_node(const Node& n) noexcept {
  return !n.has(node_flag::kNonAuth) && !n.has(node_flag::kDelegation) && !n.name().is_wildcard();
}

bool cacheable_type(uint16_t t) noexcept {
  // DS may be answered from another zone (the parent); the DNSSEC meta
  // records are rarely asked for. Everything else depends only on the name.
  return t != rrtype::DS && t != rrtype::RRSIG && t != rrtype::NSEC && t != rrtype::NSEC3;
}

constexpr uint8_t whole_bit(bool dnssec) noexcept { return dnssec ? RRset::kWholeSigned : RRset::kWholePlain; }

// The answer section when it is the RRset alone under the qname: every record
// owned by a pointer to offset 12, at the RRset's TTL, and with DNSSEC its
// RRSIGs after it (as encode_response writes them for a plain positive answer).
size_t whole_size(const RRset& set, bool dnssec) noexcept {
  size_t n = set.rdatas.bytes() + 10 * set.rdatas.size();
  if (dnssec) n += set.sigs.bytes() + 10 * set.sigs.size();
  return n;
}

uint8_t* write_whole_records(uint8_t* o, uint16_t type, uint32_t ttl, const RdataList& list) noexcept {
  for (const auto rd : list) {
    const uint8_t head[12] = {0xC0,           12,
                              uint8_t(type >> 8), uint8_t(type),
                              0,              1,
                              uint8_t(ttl >> 24), uint8_t(ttl >> 16),
                              uint8_t(ttl >> 8),  uint8_t(ttl),
                              uint8_t(rd.size() >> 8), uint8_t(rd.size())};
    std::memcpy(o, head, sizeof head);
    std::memcpy(o + sizeof head, rd.data(), rd.size());
    o += sizeof head + rd.size();
  }
  return o;
}

uint8_t* write_whole(uint8_t* o, const RRset& set, bool dnssec) noexcept {
  o = write_whole_records(o, set.type, set.ttl, set.rdatas);
  return dnssec ? write_whole_records(o, rrtype::RRSIG, set.ttl, set.sigs) : o;
}

size_t whole_count(const RRset& set, bool dnssec) noexcept { return set.size() + (dnssec ? set.sigs.size() : 0); }

// Whether the encoded sections (counts, then the octets after the question)
// are exactly what write_whole writes for the RRset.
bool is_whole(const RRset& set, bool dnssec, const uint8_t* counts, std::span<const uint8_t> sections) {
  const size_t n = whole_count(set, dnssec);
  if (n > 0xFFFF || counts[0] != (n >> 8) || counts[1] != (n & 0xFF) || counts[2] || counts[3] || counts[4] || counts[5])
    return false;
  if (sections.size() != whole_size(set, dnssec)) return false;
  std::vector<uint8_t> whole(sections.size());
  write_whole(whole.data(), set, dnssec);
  return std::equal(whole.begin(), whole.end(), sections.begin());
}

// The prepared answer a query gets: unsigned zones prepare one for queries
// with and without DO; signed zones the one with DNSSEC records only.
struct Prepared {
  bool found = false;
  bool dnssec = false;
  bool whole = false;                 // written by write_whole
  uint16_t counts[3] = {0, 0, 0};     // ANCOUNT, NSCOUNT, ARCOUNT
  std::span<const uint8_t> literal;  // the sections, when not whole
  size_t size = 0;                    // octets of the sections
};

Prepared prepared_for(const RRset& set, bool edns_do) noexcept {
  Prepared a;
  a.dnssec = edns_do && (set.prepared.size() > 1 || (set.whole_answers & RRset::kWholeSigned));
  if (set.whole_answers & whole_bit(a.dnssec)) {
    a.found = a.whole = true;
    a.counts[0] = static_cast<uint16_t>(whole_count(set, a.dnssec));
    a.size = whole_size(set, a.dnssec);
    return a;
  }
  auto variant = set.prepared.begin();
  if (variant == set.prepared.end()) return a;
  if (a.dnssec) ++variant;
  const std::span<const uint8_t> p = *variant;
  if (p.size() <= 6) return a;
  for (int i = 0; i < 3; ++i) a.counts[i] = static_cast<uint16_t>(p[2 * i] << 8 | p[2 * i + 1]);
  a.literal = p.subspan(6);
  a.size = a.literal.size();
  a.found = true;
  return a;
}

}  // namespace

void prepare_answers(const Zone& zone) {
  // A snapshot of this zone alone: exact answers never leave the zone.
  const Snapshot solo({std::shared_ptr<const Zone>(std::shared_ptr<const Zone>{}, &zone)}, AnswerOptions{});
  std::vector<uint8_t> query;
  // One response buffer per thread: a start prepares thousands of zones,
  // and 64 KiB taken and zeroed for each of them showed in its profile.
  thread_local std::vector<uint8_t> out(65535);
  std::vector<uint8_t> entry;
  zone.for_each_node([&](const Node& node) {
    if (!cacheable_node(node)) return;
    for (const RRset& set : node.rrsets()) {
      if (!cacheable_type(set.type)) continue;
      RdataList prepared;
      // Unsigned: the DO=1 answer is the plain one; do not store it twice.
      // Signed: only the DO=1 answer is prepared. Validating resolvers (all
      // the common ones) set DO on every query; the rarer queries without it
      // are resolved, which spares a signed zone a second copy of its data.
      const bool is_signed = zone.denial() != Denial::kNone || !set.sigs.empty();
      for (int dnssec = 0; dnssec < (is_signed ? 2 : 1); ++dnssec) {
        entry.clear();
        if (is_signed && !dnssec) {
          prepared.push_back(entry);
          continue;
        }
        const auto wire = node.name().wire();
        query.assign({0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        query.insert(query.end(), wire.begin(), wire.end());
        query.insert(query.end(), {uint8_t(set.type >> 8), uint8_t(set.type), 0, 1});
        Query q;
        if (parse_query(query, q) != ParseStatus::kOk) {
          prepared.push_back(entry);
          continue;
        }
        q.edns_do = dnssec != 0;  // DNSSEC records without writing an OPT
        AnswerPlan plan;
        resolve(q, solo, plan);
        // Only plain positive answers: the RRset itself under the qname.
        const bool plain_positive = plan.rcode == rcode::kNoError && plan.aa && plan.count(Section::kAnswer) == 1 &&
                                    plan.at(Section::kAnswer, 0).rrset == &set && plan.synthesized_count == 0;
        const size_t n = plain_positive ? encode_response(q, plan, out, EncodeParams{65535, 1232}) : 0;
        const size_t head = 12 + wire.size() + 4;
        uint8_t whole = 0;
        if (n > head && (out[3] & 0x0F) == 0 && (out[2] & 0x02) == 0 && n - head + 6 <= 0xFFFF) {
          const std::span<const uint8_t> sections(out.data() + head, n - head);
          if (is_whole(set, dnssec != 0, out.data() + 6, sections)) {
            whole = whole_bit(dnssec != 0);  // written from the RRset: no copy
          } else {
            entry.assign(out.begin() + 6, out.begin() + 12);  // ANCOUNT, NSCOUNT, ARCOUNT
            entry.insert(entry.end(), sections.begin(), sections.end());
          }
        }
        const_cast<RRset&>(set).whole_answers |= whole;
        prepared.push_back(entry);
      }
      bool any = false;
      for (const auto e : prepared) any = any || !e.empty();
      if (!any) continue;
      prepared.shrink_to_fit();
      const_cast<RRset&>(set).prepared = std::move(prepared);
    }
  });
}

size_t answer_prepared(const Query& q, const Snapshot& snapshot, std::span<uint8_t> out,
                       const EncodeParams& params) noexcept {
  const Node* node = snapshot.find_prepared(q.lf, q.lf_len);
  if (!node) return 0;
  const RRset* set = node->find(q.qtype);
  if (!set) return 0;
  const Prepared a = prepared_for(*set, q.edns_do);
  if (!a.found) return 0;
  const size_t qlen = q.qname.len;
  const size_t total = 12 + qlen + 4 + a.size + (q.has_edns ? opt_record_size(params.opt_options()) : 0);
  if (total > params.limit || total > out.size()) return 0;  // the full path sets TC
  uint8_t* o = out.data();
  const uint16_t flags = static_cast<uint16_t>(0x8400 | (q.rd ? 0x0100 : 0) | (q.cd ? 0x0010 : 0));  // QR AA
  const uint16_t ar = static_cast<uint16_t>(a.counts[2] + (q.has_edns ? 1 : 0));
  const uint8_t head[12] = {uint8_t(q.id >> 8), uint8_t(q.id),  uint8_t(flags >> 8),     uint8_t(flags),
                            0,                  1,              uint8_t(a.counts[0] >> 8), uint8_t(a.counts[0]),
                            uint8_t(a.counts[1] >> 8), uint8_t(a.counts[1]), uint8_t(ar >> 8), uint8_t(ar)};
  std::memcpy(o, head, 12);
  std::memcpy(o + 12, q.qname.wire, qlen);
  o[12 + qlen] = static_cast<uint8_t>(q.qtype >> 8);
  o[13 + qlen] = static_cast<uint8_t>(q.qtype);
  o[14 + qlen] = static_cast<uint8_t>(q.qclass >> 8);
  o[15 + qlen] = static_cast<uint8_t>(q.qclass);
  size_t at = 16 + qlen;
  if (a.whole) {
    write_whole(o + at, *set, a.dnssec);
  } else {
    std::memcpy(o + at, a.literal.data(), a.literal.size());
  }
  at += a.size;
  if (q.has_edns)
    at += put_opt_record(out.subspan(at), params.our_udp_payload, rcode::kNoError, q.edns_do, params.opt_options());
  return at;
}

}  // namespace mailns::zone

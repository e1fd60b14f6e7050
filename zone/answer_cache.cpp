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

}  // namespace

void prepare_answers(const Zone& zone) {
  // A snapshot of this zone alone: exact answers never leave the zone.
  const Snapshot solo({std::shared_ptr<const Zone>(std::shared_ptr<const Zone>{}, &zone)}, AnswerOptions{});
  std::vector<uint8_t> query;
  std::vector<uint8_t> out(65535);
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
        if (n > head && (out[3] & 0x0F) == 0 && (out[2] & 0x02) == 0 && n - head + 6 <= 0xFFFF) {
          entry.assign(out.begin() + 6, out.begin() + 12);  // ANCOUNT, NSCOUNT, ARCOUNT
          entry.insert(entry.end(), out.begin() + static_cast<ptrdiff_t>(head), out.begin() + static_cast<ptrdiff_t>(n));
        }
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
  auto variant = set->prepared.begin();
  if (variant == set->prepared.end()) return 0;
  if (q.edns_do && set->prepared.size() > 1) ++variant;
  const std::span<const uint8_t> p = *variant;
  if (p.size() <= 6) return 0;
  const uint16_t counts[3] = {uint16_t(p[0] << 8 | p[1]), uint16_t(p[2] << 8 | p[3]), uint16_t(p[4] << 8 | p[5])};
  const std::span<const uint8_t> sections = p.subspan(6);
  const size_t qlen = q.qname.len;
  const size_t total = 12 + qlen + 4 + sections.size() + (q.has_edns ? opt_record_size(params.opt_options()) : 0);
  if (total > params.limit || total > out.size()) return 0;  // the full path sets TC
  uint8_t* o = out.data();
  const uint16_t flags = static_cast<uint16_t>(0x8400 | (q.rd ? 0x0100 : 0) | (q.cd ? 0x0010 : 0));  // QR AA
  const uint16_t ar = static_cast<uint16_t>(counts[2] + (q.has_edns ? 1 : 0));
  const uint8_t head[12] = {uint8_t(q.id >> 8), uint8_t(q.id),  uint8_t(flags >> 8),     uint8_t(flags),
                            0,                  1,              uint8_t(counts[0] >> 8), uint8_t(counts[0]),
                            uint8_t(counts[1] >> 8), uint8_t(counts[1]), uint8_t(ar >> 8), uint8_t(ar)};
  std::memcpy(o, head, 12);
  std::memcpy(o + 12, q.qname.wire, qlen);
  o[12 + qlen] = static_cast<uint8_t>(q.qtype >> 8);
  o[13 + qlen] = static_cast<uint8_t>(q.qtype);
  o[14 + qlen] = static_cast<uint8_t>(q.qclass >> 8);
  o[15 + qlen] = static_cast<uint8_t>(q.qclass);
  size_t at = 16 + qlen;
  std::memcpy(o + at, sections.data(), sections.size());
  at += sections.size();
  if (q.has_edns)
    at += put_opt_record(out.subspan(at), params.our_udp_payload, rcode::kNoError, q.edns_do, params.opt_options());
  return at;
}

}  // namespace mailns::zone

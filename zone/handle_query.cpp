#include "zone/handle_query.hpp"

#include <algorithm>

#include "zone/answer_cache.hpp"
#include "zone/resolver.hpp"
#include "zone/response_encoder.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {

constexpr uint8_t kOpcodeQuery = 0;

// A response with only the header (and question when parsed): FORMERR,
// NOTIMP, REFUSED, BADVERS.
size_t error_response(const Query& q, uint16_t rc, std::span<uint8_t> out, const EncodeParams& params) noexcept {
  AnswerPlan plan;
  plan.rcode = rc;
  return encode_response(q, plan, out, params);
}

}  // namespace

size_t handle_query(std::span<const std::byte> in_bytes, std::span<std::byte> out_bytes, const Snapshot& snapshot,
                    Transport transport) noexcept {
  const std::span<const uint8_t> in{reinterpret_cast<const uint8_t*>(in_bytes.data()), in_bytes.size()};
  const std::span<uint8_t> out{reinterpret_cast<uint8_t*>(out_bytes.data()), out_bytes.size()};
  Query q;
  const ParseStatus st = parse_query(in, q);
  if (st == ParseStatus::kDrop) return 0;

  const uint16_t ours = snapshot.options().max_udp_payload;
  EncodeParams params{512, ours};
  if (transport == Transport::kTcp) {
    params.limit = 65535;
  } else if (q.has_edns) {
    // RFC 6891 6.2.5: values below 512 are treated as 512.
    params.limit = std::max<size_t>(512, std::min<size_t>(q.edns_udp_size, ours));
  }
  params.limit = std::min(params.limit, out.size());
  if (q.nsid_requested) {
    const std::string& nsid = snapshot.options().nsid;
    params.nsid = {reinterpret_cast<const uint8_t*>(nsid.data()), nsid.size()};
  }

  if (st == ParseStatus::kFormErr) {
    // Do not trust anything after the header: no question, no OPT.
    q.has_question = false;
    q.has_edns = false;
    return error_response(q, rcode::kFormErr, out, params);
  }
  if (q.opcode != kOpcodeQuery) return error_response(q, rcode::kNotImp, out, params);
  if (q.has_edns && q.edns_version != 0) return error_response(q, rcode::kBadVers, out, params);  // RFC 6891 6.1.3
  if (q.qtype == rrtype::OPT) return error_response(q, rcode::kFormErr, out, params);
  // QCLASS * (RFC 1035 3.2.5) is answered from our IN data, but never
  // authoritatively: a server cannot know every class (RFC 1034 3.7.1).
  // Other classes we hold no data for: REFUSED.
  const bool any_class = q.qclass == rrclass::ANY;
  if (q.qclass != rrclass::IN && !any_class) return error_response(q, rcode::kRefused, out, params);
  if (q.qtype == rrtype::AXFR || q.qtype == rrtype::IXFR) {
    // Zone transfers are refused until an ACL allows them (default deny).
    return error_response(q, rcode::kRefused, out, params);
  }
  if (q.qtype != rrtype::ANY && is_meta_type(q.qtype)) return error_response(q, rcode::kNotImp, out, params);

  if (!any_class && q.qtype != rrtype::ANY) {
    if (const size_t n = answer_prepared(q, snapshot, out, params)) return n;
  }
  AnswerPlan plan;
  resolve(q, snapshot, plan);
  if (any_class) plan.aa = false;
  return encode_response(q, plan, out, params);
}

}  // namespace mailns::zone

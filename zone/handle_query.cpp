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
// NOTIMP, REFUSED, BADVERS, BADCOOKIE.
size_t error_response(const Query& q, uint16_t rc, std::span<uint8_t> out, const EncodeParams& params) noexcept {
  AnswerPlan plan;
  plan.rcode = rc;
  return encode_response(q, plan, out, params);
}

// A response built, with what rate limiting charges it to.
struct Built {
  size_t len = 0;
  ResponseKind kind = ResponseKind::kError;
};

ResponseKind kind_of(const AnswerPlan& plan) noexcept {
  if (plan.rcode == rcode::kNxDomain) return ResponseKind::kNxDomain;
  if (plan.rcode != rcode::kNoError) return ResponseKind::kError;
  if (plan.wildcard) return ResponseKind::kWildcard;
  if (plan.count(Section::kAnswer) > 0) return ResponseKind::kPositive;
  if (!plan.aa && plan.count(Section::kAuthority) > 0) return ResponseKind::kReferral;
  return ResponseKind::kNoData;
}

EncodeParams encode_params(const Query& q, const Snapshot& snapshot, Transport transport, size_t out_size) noexcept {
  const uint16_t ours = snapshot.options().max_udp_payload;
  EncodeParams params{512, ours};
  if (transport == Transport::kTcp) {
    params.limit = 65535;
  } else if (q.has_edns) {
    // RFC 6891 6.2.5: values below 512 are treated as 512.
    params.limit = std::max<size_t>(512, std::min<size_t>(q.edns_udp_size, ours));
  }
  params.limit = std::min(params.limit, out_size);
  if (q.nsid_requested) {
    const std::string& nsid = snapshot.options().nsid;
    params.nsid = {reinterpret_cast<const uint8_t*>(nsid.data()), nsid.size()};
  }
  return params;
}

// The answer to a well-formed QUERY (or the error that refuses it).
Built answer(const Query& q, const Snapshot& snapshot, std::span<uint8_t> out, const EncodeParams& params) noexcept {
  if (q.opcode != kOpcodeQuery) return {error_response(q, rcode::kNotImp, out, params)};
  if (q.has_edns && q.edns_version != 0) return {error_response(q, rcode::kBadVers, out, params)};  // RFC 6891 6.1.3
  if (q.qtype == rrtype::OPT) return {error_response(q, rcode::kFormErr, out, params)};
  // QCLASS * (RFC 1035 3.2.5) is answered from our IN data, but never
  // authoritatively: a server cannot know every class (RFC 1034 3.7.1).
  // Other classes we hold no data for: REFUSED.
  const bool any_class = q.qclass == rrclass::ANY;
  if (q.qclass != rrclass::IN && !any_class) return {error_response(q, rcode::kRefused, out, params)};
  if (q.qtype == rrtype::AXFR || q.qtype == rrtype::IXFR) {
    // Zone transfers are refused until an ACL allows them (default deny).
    return {error_response(q, rcode::kRefused, out, params)};
  }
  if (q.qtype != rrtype::ANY && is_meta_type(q.qtype)) return {error_response(q, rcode::kNotImp, out, params)};

  if (!any_class && q.qtype != rrtype::ANY) {
    if (const size_t n = answer_prepared(q, snapshot, out, params)) return {n, ResponseKind::kPositive};
  }
  AnswerPlan plan;
  resolve(q, snapshot, plan);
  if (any_class) plan.aa = false;
  return {encode_response(q, plan, out, params), kind_of(plan)};
}

// RFC 7873 5.2: checks the query's COOKIE and points params at the one to
// send back (in `reply`). Returns the verdict; kInvalid without a cookie.
CookieVerdict take_cookie(const Query& q, const QueryEnv& env, EncodeParams& params,
                          std::span<uint8_t, kCookieReplySize> reply) noexcept {
  if (q.cookie_len == 0) return CookieVerdict::kInvalid;
  const CookieAnswer a = answer_cookie({q.cookie, q.cookie_len}, env.client, env.now, *env.cookies, reply);
  if (a.has_reply) params.cookie = reply;
  return a.verdict;
}

// The name a response's bucket is about: the query name for positive
// answers and NODATA, its zone for NXDOMAIN, wildcards and referrals,
// nothing for errors (lookup forms: a zone's is a prefix of its names').
std::span<const uint8_t> limited_name(const Query& q, const Snapshot& snapshot, ResponseKind kind) noexcept {
  if (kind == ResponseKind::kPositive || kind == ResponseKind::kNoData) return {q.lf, q.lf_len};
  if (kind == ResponseKind::kError || !q.has_question) return {};
  const Zone* zone = snapshot.find_zone(q.lf, q.label_ends, q.qname.labels);
  return zone ? std::span<const uint8_t>(q.lf, zone->origin().lookup_form().size()) : std::span<const uint8_t>{};
}

// Response rate limiting of a UDP response (zone/response_rate_limiter.hpp):
// the response as built, nothing, or an empty truncated answer.
size_t rate_limit(const Query& q, const Snapshot& snapshot, Built built, std::span<uint8_t> out,
                  const EncodeParams& params, QueryEnv& env) noexcept {
  const uint16_t qtype = built.kind == ResponseKind::kPositive ? q.qtype : 0;
  switch (env.limiter->account(env.client, built.kind, qtype, limited_name(q, snapshot, built.kind), env.now)) {
    case RateDecision::kSend:
      return built.len;
    case RateDecision::kDrop:
      env.outcome = QueryOutcome::kRateDropped;
      return 0;
    case RateDecision::kSlip:
      break;
  }
  env.outcome = QueryOutcome::kRateSlipped;
  AnswerPlan empty;  // the header, question and OPT: the client retries over TCP
  const size_t n = encode_response(q, empty, out, params);
  if (n >= 12) out[2] |= 0x02;  // TC
  return n;
}

}  // namespace

size_t handle_query(std::span<const std::byte> in_bytes, std::span<std::byte> out_bytes, const Snapshot& snapshot,
                    Transport transport, QueryEnv* env) noexcept {
  const std::span<const uint8_t> in{reinterpret_cast<const uint8_t*>(in_bytes.data()), in_bytes.size()};
  const std::span<uint8_t> out{reinterpret_cast<uint8_t*>(out_bytes.data()), out_bytes.size()};
  Query q;
  const ParseStatus st = parse_query(in, q);
  if (st == ParseStatus::kDrop) return 0;
  EncodeParams params = encode_params(q, snapshot, transport, out.size());
  const bool cookies = env && env->cookies && q.has_edns && st != ParseStatus::kFormErr;
  if (cookies && q.cookie_malformed) return error_response(q, rcode::kFormErr, out, params);  // RFC 7873 5.2.2
  uint8_t cookie_reply[kCookieReplySize];
  const CookieVerdict verdict = cookies ? take_cookie(q, *env, params, cookie_reply) : CookieVerdict::kInvalid;
  if (st == ParseStatus::kNoQuestion && cookies && q.cookie_len != 0) {
    // RFC 7873 5.4: a request for a server cookie alone.
    return error_response(q, verdict == CookieVerdict::kValid ? rcode::kNoError : rcode::kBadCookie, out, params);
  }
  if (st != ParseStatus::kOk) {
    // Do not trust anything after the header: no question, no OPT.
    q.has_question = false;
    q.has_edns = false;
    return error_response(q, rcode::kFormErr, out, params);
  }
  const Built built = answer(q, snapshot, out, params);
  // TCP proves the source address, a valid server cookie too (RFC 7873 5.2.5).
  if (built.len == 0 || transport != Transport::kUdp || !env || !env->limiter || verdict == CookieVerdict::kValid)
    return built.len;
  return rate_limit(q, snapshot, built, out, params, *env);
}

}  // namespace mailns::zone

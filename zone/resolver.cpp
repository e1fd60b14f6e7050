#include "zone/resolver.hpp"

#include <cstring>

#include "zone/compact_denial.hpp"
#include "zone/denial_proof.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {

// CNAMEs followed for one query. RFC 1034 4.3.2 sets no number; 5 is Knot's
// CNAME_CHAIN_MAX, so both servers cut a long chain at the same place and the
// resolver carries on from the last target it got.
constexpr int kMaxCnameChain = 5;

// A name being looked up in lookup form (the qname, a CNAME target or an
// additional-section target) with the end offset of each label prefix.
using Cursor = NameView;

size_t prefix_len(const Cursor& c, size_t labels) noexcept { return labels == 0 ? 0 : c.label_ends[labels - 1]; }

// True when the name lies in (at or below the origin of) zone.
bool in_zone(const Cursor& c, const Zone& zone) noexcept {
  const auto origin = zone.origin().lookup_form();
  const size_t zl = zone.origin().label_count();
  return c.labels >= zl && prefix_len(c, zl) == origin.size() && std::memcmp(c.lf, origin.data(), origin.size()) == 0;
}

// The closest existing ancestor of a name that lies in the zone and does not
// exist itself (RFC 4592 3.3.1 closest encloser; ENTs exist).
const Node* closest_encloser(const Cursor& c, const Zone& zone) noexcept {
  for (size_t i = c.labels; i-- > zone.origin().label_count();)
    if (const Node* ce = zone.find(c.lf, prefix_len(c, i))) return ce;
  return &zone.apex();  // unreachable for in-zone names: the apex exists
}

bool planned(const AnswerPlan& plan, Section s, const RRset* set) noexcept {
  for (size_t i = 0; i < plan.count(s); ++i)
    if (plan.at(s, i).rrset == set) return true;
  return false;
}

bool same_name(NameRef a, NameRef b) noexcept {
  if (a.len != b.len) return false;
  for (size_t i = 0; i < a.len; ++i)
    if (dns_lower(a.wire[i]) != dns_lower(b.wire[i])) return false;
  return true;
}

// True when the answer already holds this RRset under this owner name.
bool planned_answer(const AnswerPlan& plan, const RRset* set, NameRef owner) noexcept {
  for (size_t i = 0; i < plan.count(Section::kAnswer); ++i) {
    const PlannedRRset& p = plan.at(Section::kAnswer, i);
    if (p.rrset == set && same_name(p.owner, owner)) return true;
  }
  return false;
}

bool planned_anywhere(const AnswerPlan& plan, const RRset* set) noexcept {
  return planned(plan, Section::kAnswer, set) || planned(plan, Section::kAuthority, set) ||
         planned(plan, Section::kAdditional, set);
}

NameRef ref(const DnsName& n) noexcept {
  return NameRef{n.wire().data(), static_cast<uint8_t>(n.wire().size())};
}

// The node holding the data for a target name: the name itself, or the
// wildcard that covers it (RFC 4592 3.3.1). A wildcard at or below a zone cut
// synthesises nothing: the search stops at the cut (RFC 1034 4.3.2 step 3b
// comes before 3c), so below a cut only existing names (glue) are found.
const Node* find_target(const Cursor& c, const Zone& zone) noexcept {
  if (!in_zone(c, zone)) return nullptr;
  if (const Node* exact = zone.find(c.lf, c.lf_len)) return exact;
  const Node* ce = closest_encloser(c, zone);
  if (ce->cut()) return nullptr;
  return ce->wildcard_child();
}

enum class Additional { kAll, kInDomainGlueOnly, kSkipInDomainGlue };

// Adds the A/AAAA RRsets of in-zone targets of NS, MX, SRV, SVCB and HTTPS
// records to the additional section (RFC 1034 4.3.2 step 6, RFC 1035 3.3.9,
// RFC 2782), and for SVCB/HTTPS also the target's RRset of the same type
// (RFC 9460 4.1). Owners are written as the target is spelled in the RDATA,
// which also names a wildcard-synthesised target correctly. For a referral,
// glue at or below the cut is in-domain glue (RFC 9471 2): it goes first and
// is marked required; the rest is optional.
void add_additional(AnswerPlan& plan, const Zone& zone, const RRset& set, Additional which,
                    const Node* cut = nullptr) noexcept {
  for (const auto rd : set.rdatas) {
    const auto t = rdata_target(set.type, rd);
    if (!t) continue;
    uint8_t lf[kMaxNameWire];
    uint8_t ends[128];
    Cursor c{NameRef{rd.data() + t->offset, static_cast<uint8_t>(t->len)}, lf, 0, ends, 0};
    fill_lookup(rd.data() + t->offset, t->len, lf, c.lf_len, ends, c.labels);
    const Node* node = find_target(c, zone);
    if (!node) continue;
    const bool in_domain = cut && node->name().is_subdomain_of(cut->name());
    if ((which == Additional::kInDomainGlueOnly && !in_domain) ||
        (which == Additional::kSkipInDomainGlue && in_domain))
      continue;
    const uint16_t types[3] = {rrtype::A, rrtype::AAAA,
                               (set.type == rrtype::SVCB || set.type == rrtype::HTTPS) ? set.type : uint16_t{0}};
    for (uint16_t type : types) {
      const RRset* a = type ? node->find(type) : nullptr;
      if (a && !planned_anywhere(plan, a)) plan.add(Section::kAdditional, c.owner, a, a->ttl, in_domain);
    }
  }
}

// RFC 2308 3: the SOA in a negative answer has TTL min(SOA TTL, SOA MINIMUM).
void add_negative(AnswerPlan& plan, const Zone& zone) noexcept {
  plan.add(Section::kAuthority, ref(zone.origin()), &zone.soa(), zone.negative_ttl());
}

void add_referral(AnswerPlan& plan, const Zone& zone, const Node& cut, bool dnssec) noexcept {
  const RRset* ns = cut.find(rrtype::NS);
  plan.add(Section::kAuthority, ref(cut.name()), ns);
  // RFC 4035 3.1.4: with DO=1 a signed zone's referral carries the DS RRset
  // (signed by the parent, i.e. us), or the proof that there is none. An
  // unsigned zone answers DO=1 like DO=0 (RFC 4035 3.1: "signed zone"), so a
  // DS without signatures is not added (as knotd; found by difftest.py).
  if (dnssec) {
    if (const RRset* ds = cut.find(rrtype::DS)) plan.add(Section::kAuthority, ref(cut.name()), ds);
    else prove_no_ds(plan, zone, cut);
  }
  add_additional(plan, zone, *ns, Additional::kInDomainGlueOnly, &cut);
  add_additional(plan, zone, *ns, Additional::kSkipInDomainGlue, &cut);
}

// RFC 6672 2.2: replaces the DNAME owner (the last owner_labels labels of
// the name at cur) by the DNAME target, into storage in the plan. False when
// the result would exceed 255 octets (or the plan has no storage left).
bool substitute(AnswerPlan& plan, const Cursor& cur, size_t owner_labels, std::span<const uint8_t> target,
                NameRef& out) noexcept {
  size_t prefix = 0;  // octets of the labels in front of the owner, in the name's own case
  for (size_t i = 0; i + owner_labels < cur.labels; ++i) prefix += cur.owner.wire[prefix] + 1u;
  if (prefix + target.size() > kMaxNameWire || plan.synthesized_count >= AnswerPlan::kMaxSynthesized) return false;
  uint8_t* buf = plan.synthesized[plan.synthesized_count++];
  std::memcpy(buf, cur.owner.wire, prefix);
  std::memcpy(buf + prefix, target.data(), target.size());
  out = NameRef{buf, static_cast<uint8_t>(prefix + target.size())};
  return true;
}

// RFC 8482 4.2: answer ANY with one RRset of the name (the lowest type, as
// Knot does, so answers are stable).
const RRset* pick_any(const Node& node) noexcept {
  for (const RRset& s : node.rrsets())
    if (s.type != rrtype::RRSIG && s.type != rrtype::NSEC && s.type != rrtype::NSEC3) return &s;
  return nullptr;
}

// RFC 1034 4.3.2 step 3a: a CNAME is followed unless QTYPE matches it. ANY
// matches every type (RFC 1035 3.2.3), and RRSIG and NSEC live beside a CNAME
// at the same name (RFC 4035 2.5), so those are answered from the node itself.
bool follows_cname(uint16_t qtype) noexcept {
  return qtype != rrtype::CNAME && qtype != rrtype::ANY && qtype != rrtype::RRSIG && qtype != rrtype::NSEC;
}

// Compact denial (RFC 9824): a wildcard expansion is signed for the name
// asked for, so it needs no proof that the name does not exist.
const RRset* signed_expansion(const Zone& zone, NameRef owner, const RRset& set, bool online) noexcept {
  if (!online) return &set;
  const RRset* e = compact_expansion(zone, owner, set);
  return e ? e : &set;
}

// Compact NODATA: the name's own NSEC when it has one, else (an empty
// non-terminal, a wildcard expansion) one made now with the types it has.
void compact_nodata(AnswerPlan& plan, const Zone& zone, NameRef owner, const Node& node, bool wildcard) noexcept {
  if (!wildcard) {
    if (const RRset* nsec = node.find(rrtype::NSEC)) {
      plan.add(Section::kAuthority, ref(node.name()), nsec);
      return;
    }
  }
  uint16_t types[32];
  size_t n = 0;
  for (const RRset& s : node.rrsets())
    if (n < 32 && s.type != rrtype::RRSIG && s.type != rrtype::NSEC) types[n++] = s.type;
  if (const RRset* nsec = compact_nsec(zone, owner, types, n)) plan.add(Section::kAuthority, owner, nsec);
}

}  // namespace

void resolve(const Query& q, const Snapshot& snap, AnswerPlan& plan) noexcept {
  const uint8_t labels = q.qname.labels;
  const Zone* zone = snap.find_zone(q.lf, q.label_ends, labels);
  if (!zone) {
    // RFC 8914 4.21: a REFUSED for a name we are not authoritative for
    // SHOULD say so with EDE 20 (knotd does too).
    plan.rcode = rcode::kRefused;
    plan.ede = ede::kNotAuthoritative;
    return;
  }
  // DS lives in the parent: a DS query for a zone apex goes to the parent
  // zone when we serve it (RFC 4035 3.1.4.1).
  if (q.qtype == rrtype::DS && labels > 0 && zone->origin().label_count() == labels) {
    if (const Zone* parent = snap.find_zone(q.lf, q.label_ends, labels - 1)) zone = parent;
  }
  plan.aa = true;
  plan.rcode = rcode::kNoError;
  const bool dnssec = q.edns_do && zone->denial() != Denial::kNone;
  const bool compact = dnssec && zone->denial() == Denial::kCompact;

  Cursor cur{NameRef{q.qname.wire, q.qname.len}, q.lf, q.lf_len, q.label_ends, labels};
  uint8_t lf_buf[kMaxNameWire];
  uint8_t ends_buf[128];

  for (int hop = 0;; ++hop) {
    const Node* exact = zone->find(cur.lf, cur.lf_len);
    const Node* ce = exact ? exact : closest_encloser(cur, *zone);
    if (const Node* cut = ce->cut()) {
      // At or below a zone cut: a referral (RFC 1034 4.3.2 step 3b), except
      // DS at the cut itself, which the parent answers (RFC 4035 3.1.4.1).
      // After a CNAME the answer stays authoritative for the CNAMEs.
      const bool ds_at_cut = exact == cut && q.qtype == rrtype::DS;
      if (!ds_at_cut) {
        if (hop == 0) plan.aa = false;
        add_referral(plan, *zone, *cut, dnssec);
        return;
      }
    }
    const Node* node = exact;
    if (!node) {
      node = ce->wildcard_child();  // RFC 4592 3.3.1: source of synthesis
      if (!node) {
        if (const RRset* dname = ce->find(rrtype::DNAME)) {
          // RFC 6672 3.2: the DNAME, then a CNAME synthesised from it, then
          // on to the new name. Counts as one link of the CNAME chain.
          if (hop >= kMaxCnameChain) return;
          if (!planned(plan, Section::kAnswer, dname)) plan.add(Section::kAnswer, ref(ce->name()), dname);
          NameRef target;
          if (!substitute(plan, cur, ce->name().label_count(), dname->rdata(0), target)) {
            plan.rcode = rcode::kYxDomain;  // RFC 6672 2.2: the new name would be too long
            return;
          }
          if (!plan.add(Section::kAnswer, cur.owner, &kSynthesizedCname, dname->ttl, false, target)) return;
          if (q.qtype == rrtype::CNAME) return;  // the synthesised CNAME is the answer
          Cursor next{target, lf_buf, 0, ends_buf, 0};
          fill_lookup(target.wire, target.len, lf_buf, next.lf_len, ends_buf, next.labels);
          if (!in_zone(next, *zone)) return;
          cur = next;
          continue;
        }
        add_negative(plan, *zone);
        if (compact) {
          // RFC 9824 3.1: with DO=1 a name that does not exist is answered
          // as NODATA with an NSEC for it whose bitmap holds NXNAME.
          const uint16_t nxname = kNxName;
          if (const RRset* nsec = compact_nsec(*zone, cur.owner, &nxname, 1))
            plan.add(Section::kAuthority, cur.owner, nsec);
          return;
        }
        plan.rcode = rcode::kNxDomain;  // also after a CNAME chain (RFC 6604 3)
        if (dnssec) prove_nxdomain(plan, *zone, cur, *ce);
        return;
      }
    }

    const bool wildcard = node != exact;
    if (wildcard) plan.wildcard = true;
    const RRset* cname = node->find(rrtype::CNAME);
    if (cname && follows_cname(q.qtype)) {
      // The same CNAME under the same owner again is a loop, also through a
      // wildcard (which synthesises one owner per name it covers): stop with
      // what the answer holds; the resolver sees the loop (RFC 1034 3.6.2).
      if (planned_answer(plan, cname, cur.owner) || hop >= kMaxCnameChain) return;
      plan.add(Section::kAnswer, cur.owner, signed_expansion(*zone, cur.owner, *cname, compact && wildcard));
      if (dnssec && wildcard && !compact) prove_wildcard_answer(plan, *zone, cur, *ce);
      const auto rd = cname->rdata(0);
      Cursor next{NameRef{rd.data(), static_cast<uint8_t>(rd.size())}, lf_buf, 0, ends_buf, 0};
      fill_lookup(rd.data(), rd.size(), lf_buf, next.lf_len, ends_buf, next.labels);
      // Follow only within this zone (RFC 1034 4.3.2 step 3a: "if the data
      // at the node is a CNAME ... restart at step 1" looks in our data only).
      if (!in_zone(next, *zone)) return;
      cur = next;
      continue;
    }

    const RRset* set = q.qtype == rrtype::ANY ? pick_any(*node) : node->find(q.qtype);
    if (set) {
      plan.add(Section::kAnswer, cur.owner, signed_expansion(*zone, cur.owner, *set, compact && wildcard));
      if (dnssec && wildcard && !compact) prove_wildcard_answer(plan, *zone, cur, *ce);
      add_additional(plan, *zone, *set, Additional::kAll);
    } else {
      add_negative(plan, *zone);  // NODATA, also for empty non-terminals (RFC 4592 4.9, RFC 2308 2.2)
      if (compact) compact_nodata(plan, *zone, cur.owner, *node, wildcard);
      else if (dnssec && wildcard) prove_wildcard_nodata(plan, *zone, cur, *ce, *node);
      else if (dnssec) prove_nodata(plan, *zone, cur, *node);
    }
    return;
  }
}

}  // namespace mailns::zone

#include "zone/resolver.hpp"

#include <cstring>

#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {

constexpr int kMaxCnameChain = 8;

// Lookup form of a name being resolved (the qname, then CNAME targets).
struct Cursor {
  NameRef owner;
  const uint8_t* lf;
  uint8_t lf_len;
  const uint8_t* label_ends;
  uint8_t labels;
};

size_t prefix_len(const Cursor& c, size_t labels) noexcept { return labels == 0 ? 0 : c.label_ends[labels - 1]; }

bool planned(const AnswerPlan& plan, Section s, const RRset* set) noexcept {
  for (size_t i = 0; i < plan.count(s); ++i)
    if (plan.at(s, i).rrset == set) return true;
  return false;
}

NameRef ref(const DnsName& n) noexcept {
  return NameRef{n.wire().data(), static_cast<uint8_t>(n.wire().size())};
}

// Adds A/AAAA of in-zone targets of MX, SRV, NS (and SVCB) records to the
// additional section (RFC 1035 3.3.9, RFC 2782, RFC 1034 4.3.2 step 6).
void add_additional(AnswerPlan& plan, const Zone& zone, const RRset& set) noexcept {
  for (size_t i = 0; i < set.size(); ++i) {
    const auto rd = set.rdata(i);
    const auto t = rdata_target(set.type, rd);
    if (!t) continue;
    uint8_t lf[kMaxNameWire];
    const size_t n = make_lookup_form(rd.data() + t->offset, t->len, lf);
    const Node* node = zone.find(lf, n);
    if (!node) continue;
    for (uint16_t type : {rrtype::A, rrtype::AAAA}) {
      const RRset* a = node->find(type);
      if (a && !planned(plan, Section::kAdditional, a)) plan.add(Section::kAdditional, ref(node->name()), a);
    }
  }
}

void add_negative(AnswerPlan& plan, const Zone& zone) noexcept {
  plan.add(Section::kAuthority, ref(zone.origin()), &zone.soa(), zone.negative_ttl());
}

void add_referral(AnswerPlan& plan, const Zone& zone, const Node& cut) noexcept {
  const RRset* ns = cut.find(rrtype::NS);
  plan.add(Section::kAuthority, ref(cut.name()), ns);
  // A DS RRset at the cut belongs to the parent and travels with the referral
  // once DNSSEC is on; unsigned referrals carry NS and glue only.
  add_additional(plan, zone, *ns);
}

// RFC 8482 4.2: answer ANY with one RRset of the name.
const RRset* pick_any(const Node& node) noexcept {
  for (const RRset& s : node.rrsets())
    if (s.type != rrtype::RRSIG && s.type != rrtype::NSEC && s.type != rrtype::NSEC3) return &s;
  return nullptr;
}

}  // namespace

void resolve(const Query& q, const Snapshot& snap, AnswerPlan& plan) noexcept {
  const uint8_t labels = q.qname.labels;
  const Zone* zone = snap.find_zone(q.lf, q.label_ends, labels);
  if (!zone) {
    plan.rcode = rcode::kRefused;
    return;
  }
  // DS lives in the parent: a DS query for a zone apex goes to the parent
  // zone when we serve it (RFC 4035 3.1.4.1).
  if (q.qtype == rrtype::DS && labels > 0 && zone->origin().label_count() == labels) {
    if (const Zone* parent = snap.find_zone(q.lf, q.label_ends, labels - 1)) zone = parent;
  }
  plan.aa = true;
  plan.rcode = rcode::kNoError;

  Cursor cur{NameRef{q.qname.wire, q.qname.len}, q.lf, q.lf_len, q.label_ends, labels};
  uint8_t lf_buf[kMaxNameWire];
  uint8_t ends_buf[128];
  const Node* visited[kMaxCnameChain + 1];
  const size_t zone_labels = zone->origin().label_count();

  for (int hop = 0;; ++hop) {
    const Node* exact = zone->find(cur.lf, cur.lf_len);
    const Node* ce = exact;
    if (!exact) {
      for (size_t i = cur.labels; i-- > zone_labels;) {
        ce = zone->find(cur.lf, prefix_len(cur, i));
        if (ce) break;
      }
      if (!ce) return;  // cannot happen: the apex always exists
    }
    if (const Node* cut = ce->cut()) {
      const bool ds_at_cut = exact == cut && q.qtype == rrtype::DS;
      if (!ds_at_cut) {
        if (hop == 0) plan.aa = false;
        add_referral(plan, *zone, *cut);
        return;
      }
    }
    const Node* node = exact;
    if (!node) {
      node = ce->wildcard_child();
      if (!node) {
        plan.rcode = rcode::kNxDomain;  // also after a CNAME chain (RFC 6604 3)
        add_negative(plan, *zone);
        return;
      }
    }
    visited[hop] = node;

    const RRset* cname = node->find(rrtype::CNAME);
    if (cname && q.qtype != rrtype::CNAME) {
      plan.add(Section::kAnswer, cur.owner, cname);
      const auto rd = cname->rdata(0);
      if (hop + 1 >= kMaxCnameChain) return;
      // Follow only within this zone (RFC 1034 4.3.2 step 3a).
      uint8_t target_labels = 0;
      uint8_t target_lf_len = 0;
      fill_lookup(rd.data(), rd.size(), lf_buf, target_lf_len, ends_buf, target_labels);
      if (target_labels < zone_labels ||
          (zone_labels > 0 && (ends_buf[zone_labels - 1] != zone->origin().lookup_form().size() ||
                               std::memcmp(lf_buf, zone->origin().lookup_form().data(),
                                           zone->origin().lookup_form().size()) != 0)))
        return;
      const Node* next = zone->find(lf_buf, target_lf_len);
      for (int i = 0; i <= hop; ++i)
        if (next && visited[i] == next) return;  // CNAME loop
      cur = Cursor{NameRef{rd.data(), static_cast<uint8_t>(rd.size())}, lf_buf, target_lf_len, ends_buf, target_labels};
      continue;
    }

    const RRset* set = q.qtype == rrtype::ANY ? pick_any(*node) : node->find(q.qtype);
    if (set) {
      plan.add(Section::kAnswer, cur.owner, set);
      add_additional(plan, *zone, *set);
    } else {
      add_negative(plan, *zone);  // NODATA, also for empty non-terminals
    }
    return;
  }
}

}  // namespace mailns::zone

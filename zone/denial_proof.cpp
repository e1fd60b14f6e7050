#include "zone/denial_proof.hpp"

#include <cstring>

#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {

NameRef ref(const DnsName& n) noexcept { return NameRef{n.wire().data(), static_cast<uint8_t>(n.wire().size())}; }

// Adds the NSEC or NSEC3 RRset of node once, with the negative TTL (RFC 9077).
void add_denial(AnswerPlan& plan, const Zone& zone, const Node* node, uint16_t type) noexcept {
  if (!node) return;
  const RRset* set = node->find(type);
  if (!set) return;
  for (size_t i = 0; i < plan.count(Section::kAuthority); ++i)
    if (plan.at(Section::kAuthority, i).rrset == set) return;
  plan.add(Section::kAuthority, ref(node->name()), set, set->ttl);
}

void nsec_covering(AnswerPlan& plan, const Zone& zone, const uint8_t* lf, size_t len) noexcept {
  add_denial(plan, zone, zone.nsec_at_or_before(lf, len), rrtype::NSEC);
}

// The wire form of the ancestor of `name` with `labels` labels (a suffix).
NameRef ancestor(const NameView& name, size_t labels) noexcept {
  size_t p = 0;
  for (size_t i = labels; i < name.labels; ++i) p += name.owner.wire[p] + 1u;
  return NameRef{name.owner.wire + p, static_cast<uint8_t>(name.owner.len - p)};
}

Nsec3Hash hash_of(const Zone& zone, NameRef n) noexcept { return zone.nsec3_hash(n.wire, n.len); }

// "*." + the closest encloser, in wire form (for hashing) and lookup form.
struct Wildcard {
  uint8_t wire[kMaxNameWire + 2];
  uint8_t lf[kMaxNameWire + 2];
  size_t wire_len = 0;
  size_t lf_len = 0;
  bool ok = false;
};

Wildcard wildcard_of(const Node& ce) noexcept {
  Wildcard w;
  const auto wire = ce.name().wire();
  const auto lf = ce.name().lookup_form();
  if (wire.size() + 2 > kMaxNameWire) return w;
  w.wire[0] = 1;
  w.wire[1] = '*';
  std::memcpy(w.wire + 2, wire.data(), wire.size());
  w.wire_len = wire.size() + 2;
  std::memcpy(w.lf, lf.data(), lf.size());
  w.lf[lf.size()] = 1;
  w.lf[lf.size() + 1] = '*';
  w.lf_len = lf.size() + 2;
  w.ok = true;
  return w;
}

// RFC 5155 7.2.1: the NSEC3 matching the closest encloser and the one
// covering the next closer name; with_wildcard adds the one covering *.ce.
void nsec3_closest_encloser_proof(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce,
                                  bool with_ce, bool wildcard_cover) noexcept {
  const size_t ce_labels = ce.name().label_count();
  if (with_ce) add_denial(plan, zone, zone.nsec3_match(hash_of(zone, ref(ce.name()))), rrtype::NSEC3);
  if (name.labels > ce_labels)
    add_denial(plan, zone, zone.nsec3_cover(hash_of(zone, ancestor(name, ce_labels + 1))), rrtype::NSEC3);
  if (wildcard_cover) {
    const Wildcard w = wildcard_of(ce);
    if (w.ok) add_denial(plan, zone, zone.nsec3_cover(zone.nsec3_hash(w.wire, w.wire_len)), rrtype::NSEC3);
  }
}

}  // namespace

void prove_nxdomain(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce) noexcept {
  if (zone.denial() == Denial::kNsec) {
    nsec_covering(plan, zone, name.lf, name.lf_len);  // RFC 4035 3.1.3.2
    const Wildcard w = wildcard_of(ce);
    if (w.ok) nsec_covering(plan, zone, w.lf, w.lf_len);
  } else if (zone.denial() == Denial::kNsec3) {
    nsec3_closest_encloser_proof(plan, zone, name, ce, true, true);  // RFC 5155 7.2.2
  }
}

void prove_nodata(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& node) noexcept {
  if (zone.denial() == Denial::kNsec) {
    // RFC 4035 3.1.3.1; an empty non-terminal has no NSEC of its own: the
    // one before it proves it holds nothing (3.1.3.2 / RFC 4592 4.9).
    if (node.find(rrtype::NSEC)) add_denial(plan, zone, &node, rrtype::NSEC);
    else nsec_covering(plan, zone, name.lf, name.lf_len);
  } else if (zone.denial() == Denial::kNsec3) {
    // RFC 5155 7.2.3: the NSEC3 matching the name (ENTs have one too).
    add_denial(plan, zone, zone.nsec3_match(hash_of(zone, ref(node.name()))), rrtype::NSEC3);
  }
}

void prove_wildcard_answer(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce) noexcept {
  if (zone.denial() == Denial::kNsec) {
    nsec_covering(plan, zone, name.lf, name.lf_len);  // RFC 4035 3.1.3.3
  } else if (zone.denial() == Denial::kNsec3) {
    nsec3_closest_encloser_proof(plan, zone, name, ce, false, false);  // RFC 5155 7.2.6
  }
}

void prove_wildcard_nodata(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce,
                           const Node& wildcard) noexcept {
  if (zone.denial() == Denial::kNsec) {
    nsec_covering(plan, zone, name.lf, name.lf_len);  // RFC 4035 3.1.3.4
    add_denial(plan, zone, &wildcard, rrtype::NSEC);
  } else if (zone.denial() == Denial::kNsec3) {
    nsec3_closest_encloser_proof(plan, zone, name, ce, true, false);  // RFC 5155 7.2.5
    add_denial(plan, zone, zone.nsec3_match(hash_of(zone, ref(wildcard.name()))), rrtype::NSEC3);
  }
}

void prove_no_ds(AnswerPlan& plan, const Zone& zone, const Node& cut) noexcept {
  if (zone.denial() == Denial::kNsec || zone.denial() == Denial::kCompact) {
    add_denial(plan, zone, &cut, rrtype::NSEC);  // RFC 4035 3.1.4.1
  } else if (zone.denial() == Denial::kNsec3) {
    add_denial(plan, zone, zone.nsec3_match(hash_of(zone, ref(cut.name()))), rrtype::NSEC3);  // RFC 5155 7.2.7
  }
}

}  // namespace mailns::zone

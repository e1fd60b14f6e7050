#include "zone/zone.hpp"

#include <algorithm>

#include "zone/rr_type.hpp"

namespace mailns::zone {

const RRset* Node::find(uint16_t type) const noexcept {
  for (const RRset& s : rrsets_)
    if (s.type == type) return &s;
  return nullptr;
}

uint32_t Zone::soa_serial() const noexcept {
  const auto& rd = soa_->rdatas.front();
  const size_t p = rd.size() - 20;
  return uint32_t{rd[p]} << 24 | uint32_t{rd[p + 1]} << 16 | uint32_t{rd[p + 2]} << 8 | rd[p + 3];
}

ZoneBuilder::ZoneBuilder(DnsName origin) : origin_(std::move(origin)), zone_(std::make_unique<Zone>()) {
  zone_->nodes_.push_back(std::make_unique<Node>());
  zone_->apex_ = zone_->nodes_.back().get();
  zone_->apex_->name_ = origin_;
  by_lf_.emplace(zone_->apex_->name_.lookup_form(), zone_->apex_);
}

Node* ZoneBuilder::get_node(const DnsName& name) {
  if (auto it = by_lf_.find(name.lookup_form()); it != by_lf_.end()) return it->second;
  Node* parent = get_node(*name.parent());  // name is below origin, so parent exists
  zone_->nodes_.push_back(std::make_unique<Node>());
  Node* n = zone_->nodes_.back().get();
  n->name_ = name;
  n->parent_ = parent;
  parent->children_.push_back(n);
  by_lf_.emplace(n->name_.lookup_form(), n);
  return n;
}

bool ZoneBuilder::add(Record r) {
  const std::string where = r.owner.to_text() + " " + type_to_text(r.type);
  if (!r.owner.is_subdomain_of(origin_)) {
    warnings_.push_back(where + ": out of zone " + origin_.to_text() + ", ignored");
    return true;
  }
  if (r.rclass != rrclass::IN) {
    errors_.push_back(where + ": class " + std::to_string(r.rclass) + " is not IN");
    return false;
  }
  if (is_meta_type(r.type)) {
    errors_.push_back(where + ": meta type cannot appear in a zone");
    return false;
  }
  Node* n = get_node(r.owner);
  for (RRset& s : n->rrsets_) {
    if (s.type != r.type) continue;
    if (std::find(s.rdatas.begin(), s.rdatas.end(), r.rdata) != s.rdatas.end()) return true;  // duplicate
    if (s.ttl != r.ttl) {
      // RFC 2181 5.2: one TTL per RRset. Serve the lowest, which is what a
      // receiver of the mixed set would use anyway (Knot keeps the last one
      // read, BIND the first; the differential test documents this).
      const uint32_t ttl = std::min(s.ttl, r.ttl);
      warnings_.push_back(where + ": TTL " + std::to_string(r.ttl) + " differs from the RRset's " +
                          std::to_string(s.ttl) + ", using the lowest, " + std::to_string(ttl));
      s.ttl = ttl;
    }
    s.rdatas.push_back(std::move(r.rdata));
    ++zone_->record_count_;
    return true;
  }
  RRset s;
  s.type = r.type;
  s.ttl = r.ttl;
  s.rdatas.push_back(std::move(r.rdata));
  n->rrsets_.push_back(std::move(s));
  ++zone_->record_count_;
  return true;
}

void ZoneBuilder::finish_node(Node& n, const Node* cut) {
  std::sort(n.rrsets_.begin(), n.rrsets_.end(), [](const RRset& a, const RRset& b) { return a.type < b.type; });
  std::sort(n.children_.begin(), n.children_.end(), [](const Node* a, const Node* b) { return a->name_ < b->name_; });
  if (cut) n.flags_ |= node_flag::kNonAuth;
  if (n.rrsets_.empty()) n.flags_ |= node_flag::kEmptyNonTerminal;
  if (&n != zone_->apex_ && !cut && n.find(rrtype::NS)) {
    n.flags_ |= node_flag::kDelegation;
    cut = &n;
  }
  n.cut_ = cut;
  const std::string where = n.name_.to_text();
  if (n.find(rrtype::CNAME) && n.rrsets_.size() > 1) {
    // RFC 1034 3.6.2 (RRSIG/NSEC may accompany a CNAME, RFC 4035 2.5).
    for (const RRset& s : n.rrsets_)
      if (s.type != rrtype::CNAME && s.type != rrtype::RRSIG && s.type != rrtype::NSEC)
        errors_.push_back(where + ": CNAME and " + type_to_text(s.type) + " at the same name (RFC 1034 3.6.2)");
  }
  if (const RRset* c = n.find(rrtype::CNAME); c && c->size() > 1)
    errors_.push_back(where + ": more than one CNAME record");
  if (&n != zone_->apex_ && n.find(rrtype::SOA)) errors_.push_back(where + ": SOA record below the zone apex");
  for (Node* c : n.children_) {
    if (c->name_.is_wildcard()) {
      n.flags_ |= node_flag::kWildcardChild;
      n.wildcard_ = c;
    }
    finish_node(*c, cut);
  }
}

std::shared_ptr<const Zone> ZoneBuilder::build() {
  Zone& z = *zone_;
  const RRset* soa = z.apex_->find(rrtype::SOA);
  if (!soa) {
    errors_.push_back(origin_.to_text() + ": no SOA record at the zone apex");
  } else if (soa->size() != 1) {
    errors_.push_back(origin_.to_text() + ": more than one SOA record");
  }
  finish_node(*z.apex_, nullptr);
  z.apex_->flags_ |= node_flag::kApex;
  if (!z.apex_->find(rrtype::NS)) warnings_.push_back(origin_.to_text() + ": no NS records at the zone apex");
  if (!errors_.empty()) return nullptr;
  z.soa_ = z.apex_->find(rrtype::SOA);
  const auto& rd = z.soa_->rdatas.front();
  const size_t p = rd.size() - 4;
  const uint32_t minimum = uint32_t{rd[p]} << 24 | uint32_t{rd[p + 1]} << 16 | uint32_t{rd[p + 2]} << 8 | rd[p + 3];
  z.negative_ttl_ = std::min(z.soa_->ttl, minimum);
  std::vector<std::pair<std::string_view, const Node*>> items;
  items.reserve(z.nodes_.size());
  for (const auto& n : z.nodes_) items.emplace_back(n->name_.lookup_form(), n.get());
  z.index_.build(items);
  by_lf_.clear();
  return std::shared_ptr<const Zone>(zone_.release());
}

}  // namespace mailns::zone

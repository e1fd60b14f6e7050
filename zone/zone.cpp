#include "zone/zone.hpp"

#include <algorithm>

#include "zone/answer_cache.hpp"
#include "zone/base32hex.hpp"
#include "zone/rr_type.hpp"
#include "zone/soa.hpp"

namespace mailns::zone {

const RRset* Node::find(uint16_t type) const noexcept {
  for (const RRset& s : rrsets())
    if (s.type == type) return &s;
  return nullptr;
}

uint32_t Zone::soa_serial() const noexcept {
  const auto& rd = soa_->rdatas.front();
  const size_t p = rd.size() - 20;
  return uint32_t{rd[p]} << 24 | uint32_t{rd[p + 1]} << 16 | uint32_t{rd[p + 2]} << 8 | rd[p + 3];
}

ZoneBuilder::ZoneBuilder(DnsName origin) : origin_(std::move(origin)), zone_(std::make_unique<Zone>()) {
  building_.push_back(std::make_unique<Node>());
  zone_->apex_ = building_.back().get();
  zone_->apex_->name_ = origin_;
  by_lf_.emplace(zone_->apex_->name_.lookup_form(), zone_->apex_);
}

Node* ZoneBuilder::get_node(const DnsName& name) {
  if (auto it = by_lf_.find(name.lookup_form()); it != by_lf_.end()) return it->second;
  Node* parent = get_node(*name.parent());  // name is below origin, so parent exists
  building_.push_back(std::make_unique<Node>());
  Node* n = building_.back().get();
  n->name_ = name;
  n->parent_ = parent;
  children_[parent].push_back(n);
  by_lf_.emplace(n->name_.lookup_form(), n);
  return n;
}

bool ZoneBuilder::add(Record r) {
  auto where = [&r] { return r.owner.to_text() + " " + type_to_text(r.type); };  // for messages only
  if (!r.owner.is_subdomain_of(origin_)) {
    warnings_.push_back(where() + ": out of zone " + origin_.to_text() + ", ignored");
    return true;
  }
  if (r.rclass != rrclass::IN) {
    errors_.push_back(where() + ": class " + std::to_string(r.rclass) + " is not IN");
    return false;
  }
  if (is_meta_type(r.type)) {
    errors_.push_back(where() + ": meta type cannot appear in a zone");
    return false;
  }
  if (r.type == rrtype::RRSIG) {
    // Attached to the RRset it covers once every record is in (build()).
    if (r.rdata.size() < 18) {
      errors_.push_back(where() + ": RRSIG RDATA too short");
      return false;
    }
    pending_sigs_.push_back(std::move(r));
    ++zone_->record_count_;
    return true;
  }
  // NSEC3 owners are hashes, not names of the zone: they live beside the tree.
  Node& node = r.type == rrtype::NSEC3 ? *get_nsec3_node(r.owner) : *get_node(r.owner);
  add_to(node, std::move(r));
  return true;
}

void ZoneBuilder::add_to(Node& node, Record r) {
  Node* n = &node;
  std::vector<RRset>& sets = rrsets_[n];
  for (RRset& s : sets) {
    if (s.type != r.type) continue;
    if (s.rdatas.contains(r.rdata)) return;  // duplicate
    if (s.ttl != r.ttl) {
      // RFC 2181 5.2: one TTL per RRset. Serve the lowest, which is what a
      // receiver of the mixed set would use anyway (Knot keeps the last one
      // read, BIND the first; the differential test documents this).
      const uint32_t ttl = std::min(s.ttl, r.ttl);
      warnings_.push_back(r.owner.to_text() + " " + type_to_text(r.type) + ": TTL " + std::to_string(r.ttl) + " differs from the RRset's " +
                          std::to_string(s.ttl) + ", using the lowest, " + std::to_string(ttl));
      s.ttl = ttl;
    }
    s.rdatas.push_back(r.rdata);
    ++zone_->record_count_;
    return;
  }
  RRset s;
  s.type = r.type;
  s.ttl = r.ttl;
  s.rdatas.push_back(r.rdata);
  sets.push_back(std::move(s));
  ++zone_->record_count_;
  return;
}

Node* ZoneBuilder::get_nsec3_node(const DnsName& name) {
  if (auto it = nsec3_by_lf_.find(name.lookup_form()); it != nsec3_by_lf_.end()) return it->second;
  building_.push_back(std::make_unique<Node>());
  Node* n = building_.back().get();
  n->name_ = name;
  n->parent_ = zone_->apex_;
  nsec3_list_.push_back(n);
  nsec3_by_lf_.emplace(n->name_.lookup_form(), n);
  return n;
}

void ZoneBuilder::attach_signatures() {
  for (Record& r : pending_sigs_) {
    const uint16_t covered = static_cast<uint16_t>(r.rdata[0] << 8 | r.rdata[1]);
    Node* n = nullptr;
    if (covered == rrtype::NSEC3) {
      if (auto it = nsec3_by_lf_.find(r.owner.lookup_form()); it != nsec3_by_lf_.end()) n = it->second;
    } else if (auto it = by_lf_.find(r.owner.lookup_form()); it != by_lf_.end()) {
      n = it->second;
    }
    RRset* set = nullptr;
    if (auto sets = n ? rrsets_.find(n) : rrsets_.end(); sets != rrsets_.end())
      for (RRset& x : sets->second)
        if (x.type == covered) set = &x;
    if (!set) {
      warnings_.push_back(r.owner.to_text() + " RRSIG: covers " + type_to_text(covered) +
                          ", which has no RRset at this name; ignored");
      continue;
    }
    set->sig_ttl = set->sigs.empty() ? r.ttl : std::min(set->sig_ttl, r.ttl);
    set->sigs.push_back(r.rdata);
  }
  pending_sigs_.clear();
}

namespace {
// An NSEC3 owner label is the base32hex of a hash: exactly the hash's octets.
bool decode_hash_label(std::string_view label, Nsec3Hash& out) {
  const auto octets = base32hex_decode(label);
  if (!octets || octets->size() != out.size()) return false;
  std::copy(octets->begin(), octets->end(), out.begin());
  return true;
}
}  // namespace

void ZoneBuilder::index_denial() {
  Zone& z = *zone_;
  for (const Node* n : order_)  // canonical order
    if (n->find(rrtype::NSEC)) z.nsec_nodes_.push_back(n);
  const RRset* param = z.apex_->find(rrtype::NSEC3PARAM);
  if (param && !nsec3_list_.empty()) {
    const auto& rd = param->rdatas.front();
    if (rd.size() >= 5 && rd.size() == 5u + rd[4]) {
      z.nsec3_iterations_ = static_cast<uint16_t>(rd[2] << 8 | rd[3]);
      z.nsec3_salt_.assign(rd.begin() + 5, rd.end());
    }
    for (Node* n : nsec3_list_) {
      Nsec3Hash h{};
      if (n->name_.label_count() != z.apex_->name_.label_count() + 1 || !decode_hash_label(n->name_.first_label(), h)) {
        warnings_.push_back(n->name_.to_text() + " NSEC3: owner is not a base32hex hash directly below the apex; ignored");
        continue;
      }
      z.nsec3_nodes_.emplace_back(h, n);
    }
    std::sort(z.nsec3_nodes_.begin(), z.nsec3_nodes_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    z.denial_ = Denial::kNsec3;
  } else if (!z.nsec_nodes_.empty()) {
    // RFC 9824: compact denial's NSEC at the apex points at "\000.<apex>".
    const RRset* apex_nsec = z.apex_->find(rrtype::NSEC);
    const auto apex_wire = z.apex_->name_.wire();
    const bool compact = apex_nsec && apex_nsec->rdatas.front().size() >= apex_wire.size() + 2 &&
                         apex_nsec->rdatas.front()[0] == 1 && apex_nsec->rdatas.front()[1] == 0 &&
                         std::equal(apex_wire.begin(), apex_wire.end(), apex_nsec->rdatas.front().begin() + 2,
                                    [](uint8_t a, uint8_t b) { return dns_lower(a) == dns_lower(b); });
    z.denial_ = compact ? Denial::kCompact : Denial::kNsec;
  }
}

const Node* Zone::nsec_at_or_before(const uint8_t* lf, size_t len) const noexcept {
  if (nsec_nodes_.empty()) return nullptr;
  // First NSEC owner greater than the name; the one before it covers or matches.
  auto it = std::upper_bound(nsec_nodes_.begin(), nsec_nodes_.end(), 0, [&](int, const Node* n) {
    const auto o = n->name().lookup_form();
    return compare_lookup_forms(lf, len, reinterpret_cast<const uint8_t*>(o.data()), o.size()) < 0;
  });
  return it == nsec_nodes_.begin() ? nsec_nodes_.back() : *(it - 1);
}

const Node* Zone::nsec3_match(const Nsec3Hash& h) const noexcept {
  auto it = std::lower_bound(nsec3_nodes_.begin(), nsec3_nodes_.end(), h,
                             [](const auto& e, const Nsec3Hash& k) { return e.first < k; });
  return it != nsec3_nodes_.end() && it->first == h ? it->second : nullptr;
}

const Node* Zone::nsec3_cover(const Nsec3Hash& h) const noexcept {
  if (nsec3_nodes_.empty()) return nullptr;
  // The greatest hash below h; before the first hash, the last one wraps around.
  auto it = std::lower_bound(nsec3_nodes_.begin(), nsec3_nodes_.end(), h,
                             [](const auto& e, const Nsec3Hash& k) { return e.first < k; });
  return it == nsec3_nodes_.begin() ? nsec3_nodes_.back().second : (it - 1)->second;
}

void ZoneBuilder::finish_node(Node& n, const Node* cut) {
  order_.push_back(&n);
  static std::vector<Node*> no_children;  // stays empty
  auto found = children_.find(&n);
  std::vector<Node*>& children = found == children_.end() ? no_children : found->second;
  std::sort(children.begin(), children.end(), [](const Node* a, const Node* b) { return a->name_ < b->name_; });
  if (cut) n.flags_ |= node_flag::kNonAuth;
  if (n.rrset_count_ == 0) n.flags_ |= node_flag::kEmptyNonTerminal;
  if (&n != zone_->apex_ && !cut && n.find(rrtype::NS)) {
    n.flags_ |= node_flag::kDelegation;
    cut = &n;
  }
  n.cut_ = cut;
  auto where = [&n] { return n.name_.to_text(); };  // for errors only
  if (n.find(rrtype::CNAME) && n.rrset_count_ > 1) {
    // RFC 1034 3.6.2 (RRSIG/NSEC may accompany a CNAME, RFC 4035 2.5).
    for (const RRset& s : n.rrsets())
      if (s.type != rrtype::CNAME && s.type != rrtype::RRSIG && s.type != rrtype::NSEC)
        errors_.push_back(where() + ": CNAME and " + type_to_text(s.type) + " at the same name (RFC 1034 3.6.2)");
  }
  if (const RRset* c = n.find(rrtype::CNAME); c && c->size() > 1)
    errors_.push_back(where() + ": more than one CNAME record");
  if (&n != zone_->apex_ && n.find(rrtype::SOA)) errors_.push_back(where() + ": SOA record below the zone apex");
  for (Node* c : children) {
    if (c->name_.is_wildcard()) {
      n.flags_ |= node_flag::kWildcardChild;
      n.wildcard_ = c;
    }
    finish_node(*c, cut);
  }
}

// Every record is in: the RRsets of all nodes move into one block of their
// exact size, each node's sorted by type, and give back what growing their
// lists reserved.
void ZoneBuilder::seal_rrsets() {
  size_t total = 0;
  for (const auto& entry : rrsets_) total += entry.second.size();
  zone_->rrsets_ = std::make_unique<RRset[]>(total);
  RRset* at = zone_->rrsets_.get();
  for (auto& [node, sets] : rrsets_) {
    Node& n = *node;
    std::sort(sets.begin(), sets.end(), [](const RRset& a, const RRset& b) { return a.type < b.type; });
    n.rrsets_ = at;
    n.rrset_count_ = static_cast<uint32_t>(sets.size());
    for (RRset& set : sets) {
      set.rdatas.shrink_to_fit();
      set.sigs.shrink_to_fit();
      *at++ = std::move(set);
    }
  }
  rrsets_.clear();
}

// The nodes move into one block: the tree's in canonical order, then the
// NSEC3 ones; every pointer to a node follows it.
void ZoneBuilder::pack_nodes() {
  Zone& z = *zone_;
  std::vector<std::pair<const Node*, Node*>> moved;  // old -> new, sorted by old
  moved.reserve(building_.size());
  z.nodes_ = std::make_unique<Node[]>(building_.size());
  size_t i = 0;
  for (Node* n : order_) moved.emplace_back(n, &z.nodes_[i++]);
  z.tree_node_count_ = i;
  for (Node* n : nsec3_list_) moved.emplace_back(n, &z.nodes_[i++]);
  z.node_count_ = i;
  for (auto& [from, to] : moved) *to = std::move(*const_cast<Node*>(from));
  std::sort(moved.begin(), moved.end());
  auto at = [&moved](const Node* old) -> Node* {
    if (!old) return nullptr;
    return std::lower_bound(moved.begin(), moved.end(), std::pair<const Node*, Node*>(old, nullptr))->second;
  };
  for (size_t k = 0; k < z.node_count_; ++k) {
    Node& n = z.nodes_[k];
    n.parent_ = at(n.parent_);
    n.cut_ = at(n.cut_);
    n.wildcard_ = at(n.wildcard_);
  }
  z.apex_ = at(z.apex_);
  for (const Node*& n : z.nsec_nodes_) n = at(n);
  for (auto& e : z.nsec3_nodes_) e.second = at(e.second);
  building_.clear();
  order_.clear();
}

// Every name and RDATA list (records, signatures, prepared answers) moves
// into one block of the zone: a heap block each cost the allocator's header
// and rounding, about 16 octets, and they were many small ones.
void ZoneBuilder::pack_blocks() {
  Zone& z = *zone_;
  auto for_each_list = [&z](auto&& fn) {
    for (size_t k = 0; k < z.node_count_; ++k)
      for (uint32_t i = 0; i < z.nodes_[k].rrset_count_; ++i) {
        RRset& set = z.nodes_[k].rrsets_[i];
        fn(set.rdatas);
        fn(set.sigs);
        fn(set.prepared);
      }
  };
  constexpr size_t kAlign = RdataList::kBlockAlign;
  auto aligned = [](size_t n) { return (n + kAlign - 1) / kAlign * kAlign; };
  size_t total = 0;
  for_each_list([&](const RdataList& l) { total += aligned(l.block_size()); });
  for (size_t k = 0; k < z.node_count_; ++k) total += z.nodes_[k].name_.block_size();  // octets: no alignment
  z.arena_ = std::make_unique<uint8_t[]>(total);
  uint8_t* at = z.arena_.get();
  for_each_list([&](RdataList& l) {
    const size_t n = aligned(l.block_size());
    l.move_block_to(at);
    at += n;
  });
  for (size_t k = 0; k < z.node_count_; ++k) {
    DnsName& name = z.nodes_[k].name_;
    const size_t n = name.block_size();
    name.move_block_to(reinterpret_cast<char*>(at));
    at += n;
  }
}

void ZoneBuilder::reserve_signatures(std::span<const Record> records) {
  pending_sigs_.reserve(static_cast<size_t>(
      std::count_if(records.begin(), records.end(), [](const Record& r) { return r.type == rrtype::RRSIG; })));
}

std::shared_ptr<const Zone> ZoneBuilder::build(PreparedAnswers prepared) {
  Zone& z = *zone_;
  attach_signatures();
  seal_rrsets();  // before anything points at an RRset
  const RRset* soa = z.apex_->find(rrtype::SOA);
  if (!soa) {
    errors_.push_back(origin_.to_text() + ": no SOA record at the zone apex");
  } else if (soa->size() != 1) {
    errors_.push_back(origin_.to_text() + ": more than one SOA record");
  }
  order_.reserve(building_.size() - nsec3_list_.size());
  finish_node(*z.apex_, nullptr);
  children_.clear();
  z.apex_->flags_ |= node_flag::kApex;
  index_denial();
  if (!z.apex_->find(rrtype::NS)) warnings_.push_back(origin_.to_text() + ": no NS records at the zone apex");
  if (!errors_.empty()) return nullptr;
  pack_nodes();
  z.soa_ = z.apex_->find(rrtype::SOA);
  // RFC 2308 5; an SOA too short to hold MINIMUM gets 0, as in the signer.
  z.negative_ttl_ = std::min(z.soa_->ttl, soa_minimum(z.soa_->rdatas.front()).value_or(0));
  z.index_.build(z.nodes_.get(), z.node_count_);
  by_lf_.clear();
  nsec3_by_lf_.clear();
  if (prepared == PreparedAnswers::kYes) prepare_answers(z);
  pack_blocks();  // the index holds positions, not names: still right
  return std::shared_ptr<const Zone>(zone_.release());
}

}  // namespace mailns::zone

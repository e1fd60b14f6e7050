// Zone: the records of one zone as a tree of nodes (one per existing name,
// empty non-terminals included) with flags computed at build time, plus a
// hash index from lookup form to node for O(1) exact and closest-encloser
// lookups. Immutable once built.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "zone/dns_name.hpp"
#include "zone/name_index.hpp"
#include "zone/position_index.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/record.hpp"

namespace mailns::zone {

namespace node_flag {
inline constexpr uint32_t kApex = 1u << 0;
inline constexpr uint32_t kDelegation = 1u << 1;     // NS below the apex: a zone cut
inline constexpr uint32_t kNonAuth = 1u << 2;        // strictly below a zone cut (glue or occluded)
inline constexpr uint32_t kEmptyNonTerminal = 1u << 3;
inline constexpr uint32_t kWildcardChild = 1u << 4;  // has a "*" child (RFC 4592)
}  // namespace node_flag

class Node {
 public:
  const DnsName& name() const noexcept { return name_; }
  const Node* parent() const noexcept { return parent_; }
  std::span<const RRset> rrsets() const noexcept { return {rrsets_, rrset_count_}; }  // by type
  uint32_t flags() const noexcept { return flags_; }
  bool has(uint32_t f) const noexcept { return (flags_ & f) != 0; }
  // The zone cut at or above this node (nullptr when none below the apex).
  const Node* cut() const noexcept { return cut_; }
  const RRset* find(uint16_t type) const noexcept;
  const Node* wildcard_child() const noexcept { return wildcard_; }

 private:
  friend class ZoneBuilder;
  DnsName name_;
  Node* parent_ = nullptr;
  RRset* rrsets_ = nullptr;  // rrset_count_ of them in the zone's block, sorted by type; 48 octets a node in all
  uint32_t rrset_count_ = 0;
  uint32_t flags_ = 0;
  const Node* cut_ = nullptr;
  const Node* wildcard_ = nullptr;
};

// A node's key in name indexes: its name's lookup form (kept by the name).
struct NodeLookupForm {
  std::string_view operator()(const Node* n) const noexcept { return n->name().lookup_form(); }
};

// How a signed zone proves that names and types do not exist.
// kCompact: RFC 9824, every existing name has an NSEC to "\000.<name>"; other
// denials are made and signed at query time by the attached OnlineSigner.
enum class Denial : uint8_t { kNone, kNsec, kNsec3, kCompact };

class OnlineSigner;

class Zone {
 public:
  const DnsName& origin() const noexcept { return apex_->name(); }
  const Node& apex() const noexcept { return *apex_; }
  const RRset& soa() const noexcept { return *soa_; }
  uint32_t soa_serial() const noexcept;
  // Negative-answer TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 3).
  uint32_t negative_ttl() const noexcept { return negative_ttl_; }
  size_t node_count() const noexcept { return node_count_; }
  size_t record_count() const noexcept { return record_count_; }

  // Exact lookup by lookup form (ENTs included).
  const Node* find(const uint8_t* lf, size_t len) const noexcept { return index_.find(lf, len); }
  const Node* find(const DnsName& n) const noexcept { return index_.find(n.lookup_form()); }
  // Octets the name index takes.
  size_t index_bytes() const noexcept { return index_.bytes(); }

  // DNSSEC: which chain the zone carries (kNone when unsigned).
  Denial denial() const noexcept { return denial_; }
  // NSEC: the node whose NSEC covers or matches the name (the greatest NSEC
  // owner <= name in canonical order; RFC 4035 3.1.3).
  const Node* nsec_at_or_before(const uint8_t* lf, size_t len) const noexcept;
  // NSEC3 (RFC 5155 7.2): hash a name with the zone's parameters, and find
  // the NSEC3 node matching or covering a hash.
  Nsec3Hash nsec3_hash(const uint8_t* wire, size_t len) const noexcept {
    return nsec3_hash_wire(wire, len, nsec3_salt_, nsec3_iterations_);
  }
  const Node* nsec3_match(const Nsec3Hash& h) const noexcept;
  // Compact denial: the signer for answers made at query time. Attached once,
  // after the build and before the zone is published in a snapshot.
  void attach_online_signer(std::shared_ptr<const OnlineSigner> signer) const { online_signer_ = std::move(signer); }
  const OnlineSigner* online_signer() const noexcept { return online_signer_.get(); }
  const Node* nsec3_cover(const Nsec3Hash& h) const noexcept;

  // Documents published with this version of the zone outside DNS, by
  // "host/path" with the host in lower case and without a final dot (the
  // MTA-STS policy of example.org is "mta-sts.example.org/.well-known/mta-sts.txt"),
  // so that they change exactly when the zone does. Attached once, after the
  // build and before the zone is published in a snapshot.
  using Documents = std::map<std::string, std::string, std::less<>>;
  void attach_documents(std::shared_ptr<const Documents> documents) const { documents_ = std::move(documents); }
  const std::shared_ptr<const Documents>& documents() const noexcept { return documents_; }
  // The document at host_path, or nullptr.
  const std::string* document(std::string_view host_path) const noexcept {
    if (!documents_) return nullptr;
    auto it = documents_->find(host_path);
    return it == documents_->end() ? nullptr : &it->second;
  }

  // Every node in canonical order (apex first).
  template <typename F>
  void for_each_node(F&& f) const {
    for (size_t i = 0; i < tree_node_count_; ++i) f(nodes_[i]);
  }
  // The NSEC3 nodes, in hash order.
  template <typename F>
  void for_each_nsec3_node(F&& f) const {
    for (const auto& e : nsec3_nodes_) f(*e.second);
  }

 private:
  friend class ZoneBuilder;
  // Every node in one block: the tree's in canonical order (a node's
  // children are needed only to build it: the order replaces them), then
  // the NSEC3 ones. Their RRsets are in one block too.
  // The names' and RDATA lists' blocks, packed (ZoneBuilder::pack_blocks);
  // declared first so that it goes last: the nodes read it as they go.
  std::unique_ptr<uint8_t[]> arena_;
  std::unique_ptr<Node[]> nodes_;
  size_t node_count_ = 0;
  size_t tree_node_count_ = 0;
  std::unique_ptr<RRset[]> rrsets_;
  Node* apex_ = nullptr;
  const RRset* soa_ = nullptr;
  uint32_t negative_ttl_ = 0;
  size_t record_count_ = 0;
  PositionIndex<Node, NodeLookupForm> index_;  // every node, NSEC3 ones included
  Denial denial_ = Denial::kNone;
  std::vector<const Node*> nsec_nodes_;  // canonical order
  std::vector<std::pair<Nsec3Hash, const Node*>> nsec3_nodes_;  // by hash; not in the tree
  std::vector<uint8_t> nsec3_salt_;
  uint16_t nsec3_iterations_ = 0;
  mutable std::shared_ptr<const OnlineSigner> online_signer_;
  mutable std::shared_ptr<const Documents> documents_;
};

// Whether a built zone gets its pre-encoded answers (zone/answer_cache).
// kNo: a zone read only for its records (a master file about to be signed,
// then built again): checked all the same, and answered through resolve +
// encode if it ever were served.
enum class PreparedAnswers : bool { kNo, kYes };

// Collects records and builds a Zone, checking what makes a zone unservable
// (no SOA, several SOAs, CNAME beside other data, non-IN class).
class ZoneBuilder {
 public:
  explicit ZoneBuilder(DnsName origin);
  // Returns false (and records a message) for records that cannot be added;
  // out-of-zone records are skipped with a warning.
  bool add(Record r);
  // Room for the signatures among records, before they are add()ed (a
  // signed zone has about one RRSIG per RRset): no growth while adding them.
  void reserve_signatures(std::span<const Record> records);
  const std::vector<std::string>& errors() const noexcept { return errors_; }
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }
  // nullptr when errors() is non-empty after the final checks.
  std::shared_ptr<const Zone> build(PreparedAnswers prepared = PreparedAnswers::kYes);

 private:
  Node* get_node(const DnsName& name);
  Node* get_nsec3_node(const DnsName& name);
  void add_to(Node& n, Record r);
  void attach_signatures();
  void index_denial();
  void finish_node(Node& n, const Node* cut);
  void seal_rrsets();
  void pack_nodes();
  void pack_blocks();
  std::vector<std::unique_ptr<Node>> building_;  // until pack_nodes()
  std::vector<Node*> order_;                      // the tree's nodes in canonical order, until pack_nodes()
  std::vector<Record> pending_sigs_;
  std::vector<Node*> nsec3_list_;
  std::unordered_map<std::string_view, Node*> nsec3_by_lf_;
  DnsName origin_;
  std::unordered_map<std::string_view, Node*> by_lf_;
  std::unordered_map<const Node*, std::vector<Node*>> children_;
  std::unordered_map<Node*, std::vector<RRset>> rrsets_;  // until seal_rrsets()
  std::unique_ptr<Zone> zone_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace mailns::zone

// Zone: the records of one zone as a tree of nodes (one per existing name,
// empty non-terminals included) with flags computed at build time, plus a
// hash index from lookup form to node for O(1) exact and closest-encloser
// lookups. Immutable once built.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "zone/dns_name.hpp"
#include "zone/name_index.hpp"
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
  const std::vector<Node*>& children() const noexcept { return children_; }  // canonical order
  const std::vector<RRset>& rrsets() const noexcept { return rrsets_; }     // by type
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
  std::vector<Node*> children_;
  std::vector<RRset> rrsets_;
  uint32_t flags_ = 0;
  const Node* cut_ = nullptr;
  const Node* wildcard_ = nullptr;
};

class Zone {
 public:
  const DnsName& origin() const noexcept { return apex_->name(); }
  const Node& apex() const noexcept { return *apex_; }
  const RRset& soa() const noexcept { return *soa_; }
  uint32_t soa_serial() const noexcept;
  // Negative-answer TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 3).
  uint32_t negative_ttl() const noexcept { return negative_ttl_; }
  size_t node_count() const noexcept { return nodes_.size(); }
  size_t record_count() const noexcept { return record_count_; }

  // Exact lookup by lookup form (ENTs included).
  const Node* find(const uint8_t* lf, size_t len) const noexcept { return index_.find(lf, len); }
  const Node* find(const DnsName& n) const noexcept { return index_.find(n.lookup_form()); }

  // Every node in canonical order (apex first).
  template <typename F>
  void for_each_node(F&& f) const {
    walk(*apex_, f);
  }

 private:
  friend class ZoneBuilder;
  template <typename F>
  static void walk(const Node& n, F& f) {
    f(n);
    for (const Node* c : n.children()) walk(*c, f);
  }
  std::vector<std::unique_ptr<Node>> nodes_;
  Node* apex_ = nullptr;
  const RRset* soa_ = nullptr;
  uint32_t negative_ttl_ = 0;
  size_t record_count_ = 0;
  NameIndex<const Node*> index_;
};

// Collects records and builds a Zone, checking what makes a zone unservable
// (no SOA, several SOAs, CNAME beside other data, non-IN class).
class ZoneBuilder {
 public:
  explicit ZoneBuilder(DnsName origin);
  // Returns false (and records a message) for records that cannot be added;
  // out-of-zone records are skipped with a warning.
  bool add(Record r);
  const std::vector<std::string>& errors() const noexcept { return errors_; }
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }
  // nullptr when errors() is non-empty after the final checks.
  std::shared_ptr<const Zone> build();

 private:
  Node* get_node(const DnsName& name);
  void finish_node(Node& n, const Node* cut);
  DnsName origin_;
  std::unordered_map<std::string_view, Node*> by_lf_;
  std::unique_ptr<Zone> zone_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace mailns::zone

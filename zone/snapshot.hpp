// Snapshot: the immutable set of zones a server answers from, plus the
// answer options fixed at load. Built off to the side and published with one
// atomic pointer swap; a query pins one snapshot for its whole life.
// with_zones() derives the next snapshot when a few zones get a new version:
// the indexes' shards that do not hold their names are shared, so its cost
// follows the changed zones, not the number of zones served.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "zone/sharded_name_index.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {

struct AnswerOptions {
  uint16_t max_udp_payload = 1232;  // our EDNS buffer size (DNS flag day 2020)
  std::string nsid;  // RFC 5001: sent to queries with an empty NSID option; empty: none (at most 128 octets)
};

class Snapshot {
 public:
  Snapshot(std::vector<std::shared_ptr<const Zone>> zones, AnswerOptions options);

  // This snapshot with the zones of `versions` replacing the ones with the
  // same origins, in their places. Built whole (as the constructor does)
  // when one of them has an origin not served here, or a zone served here
  // above or below it (then names may be in two zones).
  std::shared_ptr<const Snapshot> with_zones(const std::vector<std::shared_ptr<const Zone>>& versions) const;
  // Whether other serves the same origins in the same order (one derives
  // from the other through with_zones): zones()[i] of both have one origin.
  bool same_origins(const Snapshot& other) const noexcept { return origins_ == other.origins_; }

  // The zone with the longest origin that contains the name whose lookup
  // form is lf[0, len) (lf_labels holds the end offset of each label prefix).
  const Zone* find_zone(const uint8_t* lf, const uint8_t* label_ends, size_t labels) const noexcept;
  const Zone* find_zone(const DnsName& name) const noexcept;
  const std::vector<std::shared_ptr<const Zone>>& zones() const noexcept { return zones_; }
  // The authoritative node of this exact name in the zone that answers for
  // it, when that node has prepared answers (answer_cache.hpp); one hash lookup.
  const Node* find_prepared(const uint8_t* lf, size_t len) const noexcept { return prepared_.find(lf, len); }
  const AnswerOptions& options() const noexcept { return options_; }

 private:
  // What derived snapshots share: the lookup forms of the origins that have
  // another served zone above or below them.
  struct Origins {
    std::set<std::string, std::less<>> nested;
  };
  // Whether every version replaces a zone served here that nests with none.
  bool can_derive(const std::vector<std::shared_ptr<const Zone>>& versions) const;

  std::vector<std::shared_ptr<const Zone>> zones_;
  AnswerOptions options_;
  struct ZoneOrigin {
    std::string_view operator()(const Zone* z) const noexcept { return z->origin().lookup_form(); }
  };
  ShardedNameIndex<const Zone*, ZoneOrigin> by_origin_;
  ShardedNameIndex<const Node*, NodeLookupForm> prepared_;
  std::shared_ptr<const Origins> origins_;
};

}  // namespace mailns::zone

// Snapshot: the immutable set of zones a server answers from, plus the
// answer options fixed at load. Built off to the side and published with one
// atomic pointer swap; a query pins one snapshot for its whole life.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "zone/name_index.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {

struct AnswerOptions {
  uint16_t max_udp_payload = 1232;  // our EDNS buffer size (DNS flag day 2020)
  std::string nsid;  // RFC 5001: sent to queries with an empty NSID option; empty: none (at most 128 octets)
};

class Snapshot {
 public:
  Snapshot(std::vector<std::shared_ptr<const Zone>> zones, AnswerOptions options);

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
  std::vector<std::shared_ptr<const Zone>> zones_;
  AnswerOptions options_;
  NameIndex<const Zone*> by_origin_;
  NameIndex<const Node*> prepared_;
};

}  // namespace mailns::zone

// AxfrStream: every record of one zone in AXFR order (RFC 5936 2.2): the
// SOA, then every RRset of every node in canonical order with the RRSIGs
// covering it right after it, the NSEC3 records (kept beside the tree), and
// the SOA again. It holds the snapshot the zone belongs to, so the zone
// stays as it was for the whole transfer whatever is published meanwhile.
#pragma once

#include <memory>
#include <vector>

#include "server/xfr/xfr_output.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

class AxfrStream : public RecordStream {
 public:
  // zone must belong to snapshot.
  AxfrStream(std::shared_ptr<const zone::Snapshot> snapshot, const zone::Zone& zone);
  bool peek(XfrRecord& out) override;
  void advance() override;

 private:
  enum class Phase { kFirstSoa, kBody, kLastSoa, kDone };
  // Moves to the next position that holds a record (body phase).
  void settle();

  std::shared_ptr<const zone::Snapshot> pin_;
  const zone::Zone& zone_;
  std::vector<const zone::Node*> nodes_;  // tree in canonical order, then the NSEC3 nodes
  Phase phase_ = Phase::kFirstSoa;
  size_t node_ = 0;
  size_t rrset_ = 0;
  size_t item_ = 0;  // rdatas first, then sigs
  zone::RdataList::iterator at_;  // the item_'th entry (lists are walked, not indexed)
};

}  // namespace mailns::server

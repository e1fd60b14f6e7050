#include "zone/signature_expiry.hpp"

#include <algorithm>

namespace mailns::zone {

std::optional<int64_t> earliest_signature_expiration(const Zone& zone) noexcept {
  std::optional<int64_t> earliest;
  auto scan = [&](const Node& n) {
    for (const RRset& s : n.rrsets())
      for (const auto& sig : s.sigs) {
        if (sig.size() < 12) continue;  // type covered, algorithm, labels, original TTL, then expiration
        const int64_t exp = int64_t{sig[8]} << 24 | int64_t{sig[9]} << 16 | int64_t{sig[10]} << 8 | sig[11];
        earliest = earliest ? std::min(*earliest, exp) : exp;
      }
  };
  zone.for_each_node(scan);
  zone.for_each_nsec3_node(scan);
  return earliest;
}

}  // namespace mailns::zone

#include "server/web/connection_limits.hpp"

namespace mailns::server {

ConnectionLimits::Verdict ConnectionLimits::try_acquire(const IpAddress& peer) {
  if (total_ >= max_total_) return Verdict::kServerFull;
  unsigned& mine = per_address_[Key{peer.v6, peer.bytes}];
  if (mine >= max_per_address_) return Verdict::kAddressFull;
  ++mine;
  ++total_;
  return Verdict::kAccepted;
}

void ConnectionLimits::release(const IpAddress& peer) noexcept {
  auto it = per_address_.find(Key{peer.v6, peer.bytes});
  if (it == per_address_.end() || it->second == 0) return;
  if (--it->second == 0) per_address_.erase(it);
  --total_;
}

}  // namespace mailns::server

// ConnectionLimits: the open connections of the HTTPS endpoint, counted in
// total and per client address, so that one address (or a crowd) cannot
// take every slot. Used from the endpoint's single I/O thread only: no
// locks. Pure bookkeeping, no sockets.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <utility>

#include "server/net/ip_address.hpp"

namespace mailns::server {

class ConnectionLimits {
 public:
  enum class Verdict { kAccepted, kServerFull, kAddressFull };

  ConnectionLimits(unsigned max_total, unsigned max_per_address) noexcept
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Takes a slot for a connection from `peer` unless a limit is reached.
  Verdict try_acquire(const IpAddress& peer);
  // Gives back a slot try_acquire accepted.
  void release(const IpAddress& peer) noexcept;
  unsigned open() const noexcept { return total_; }

 private:
  using Key = std::pair<bool, std::array<uint8_t, 16>>;
  const unsigned max_total_;
  const unsigned max_per_address_;
  unsigned total_ = 0;
  std::map<Key, unsigned> per_address_;
};

}  // namespace mailns::server

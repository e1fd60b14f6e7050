// TcpConnectionLimit: the server-wide caps on open TCP connections, shared
// by every worker's acceptors: server.tcp_max_connections in all, and
// server.tcp_max_connections_per_address from one address (IPv4 /32, IPv6
// /128). Touched once per connection opened or closed, never per query: one
// atomic for the total, a small mutex-protected map for the addresses.
#pragma once

#include <atomic>
#include <mutex>
#include <unordered_map>

#include "server/net/ip_address.hpp"

namespace mailns::server {

struct IpAddressHash {
  size_t operator()(const IpAddress& a) const noexcept;
};

class TcpConnectionLimit {
 public:
  TcpConnectionLimit(unsigned max, unsigned per_address) noexcept : max_(max), per_address_(per_address > 0 ? per_address : 1) {}

  // Takes a slot in the total; false when max connections are already open.
  bool try_acquire() noexcept {
    unsigned cur = open_.load(std::memory_order_relaxed);
    do {
      if (cur >= max_) return false;
    } while (!open_.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed));
    return true;
  }
  void release() noexcept { open_.fetch_sub(1, std::memory_order_relaxed); }
  unsigned open() const noexcept { return open_.load(std::memory_order_relaxed); }
  unsigned max() const noexcept { return max_; }

  // Takes one of a's per_address slots; false when they are all taken.
  bool try_acquire_address(const IpAddress& a);
  // Gives back a slot that try_acquire_address(a) took.
  void release_address(const IpAddress& a) noexcept;
  // Connections open from a (for tests and status).
  unsigned open_from(const IpAddress& a) const;

 private:
  const unsigned max_;
  const unsigned per_address_;
  std::atomic<unsigned> open_{0};
  mutable std::mutex mutex_;
  std::unordered_map<IpAddress, unsigned, IpAddressHash> by_address_;  // only addresses with open connections
};

}  // namespace mailns::server

// TcpConnectionLimit: the server-wide cap on open TCP connections
// (server.tcp_max_connections), shared by every worker's acceptors. One
// atomic update per connection opened or closed, never per query.
#pragma once

#include <atomic>

namespace mailns::server {

class TcpConnectionLimit {
 public:
  explicit TcpConnectionLimit(unsigned max) noexcept : max_(max) {}

  // Takes a slot; false when max connections are already open.
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

 private:
  const unsigned max_;
  std::atomic<unsigned> open_{0};
};

}  // namespace mailns::server

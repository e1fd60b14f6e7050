// Counter: a count one thread writes and any thread may read while it runs
// (status, metrics). The writer does a relaxed load and store of its own
// counter, no locked instruction, so counting costs the query path what a
// plain increment does; readers sum the workers' counters when asked.
// AnswerCounters: the answers one worker sent, by RCODE and truncation.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mailns::server {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter& o) noexcept : v_(o.get()) {}
  Counter& operator=(const Counter& o) noexcept {
    v_.store(o.get(), std::memory_order_relaxed);
    return *this;
  }
  // Owner thread only.
  void add(uint64_t n = 1) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  Counter& operator+=(uint64_t n) noexcept {
    add(n);
    return *this;
  }
  Counter& operator++() noexcept {
    add(1);
    return *this;
  }
  // Any thread.
  uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }
  operator uint64_t() const noexcept { return get(); }

 private:
  std::atomic<uint64_t> v_{0};
};

struct AnswerCounters {
  Counter by_rcode[16];  // the header's RCODE (extended RCODEs such as BADVERS count under their low 4 bits)
  Counter truncated;     // TC set

  // msg: a DNS message about to be sent.
  void count(const std::byte* msg, size_t len) noexcept {
    if (len < 4) return;
    by_rcode[static_cast<uint8_t>(msg[3]) & 0x0F].add();
    if (static_cast<uint8_t>(msg[2]) & 0x02) truncated.add();
  }
};

}  // namespace mailns::server

// CookieSecretCell: the server cookie secrets (zone/dns_cookie.hpp) the
// workers read, replaced while they run when the secret is rotated. A
// sequence lock over atomic words: the writer (one thread, rarely) never
// waits, a reader copies 33 bytes and retries only if a rotation ran
// through its copy. Workers take one copy per batch or TCP read.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>

#include "zone/dns_cookie.hpp"

namespace mailns::server {

class CookieSecretCell {
 public:
  explicit CookieSecretCell(const zone::CookieSecrets& s) noexcept { store(s); }

  // One writer at a time (the thread that rotates the secret).
  void store(const zone::CookieSecrets& s) noexcept {
    const uint32_t seq = seq_.load(std::memory_order_relaxed);
    seq_.store(seq + 1, std::memory_order_relaxed);  // odd: a write is under way
    std::atomic_thread_fence(std::memory_order_release);
    uint64_t w[kWords];
    std::memcpy(w, s.current.bytes.data(), 16);
    std::memcpy(w + 2, s.previous.bytes.data(), 16);
    w[4] = s.has_previous ? 1 : 0;
    for (size_t i = 0; i < kWords; ++i) words_[i].store(w[i], std::memory_order_relaxed);
    seq_.store(seq + 2, std::memory_order_release);
  }

  zone::CookieSecrets load() const noexcept {
    uint64_t w[kWords];
    for (;;) {
      const uint32_t before = seq_.load(std::memory_order_acquire);
      for (size_t i = 0; i < kWords; ++i) w[i] = words_[i].load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (!(before & 1) && seq_.load(std::memory_order_relaxed) == before) break;
    }
    zone::CookieSecrets s;
    std::memcpy(s.current.bytes.data(), w, 16);
    std::memcpy(s.previous.bytes.data(), w + 2, 16);
    s.has_previous = w[4] != 0;
    return s;
  }

 private:
  static constexpr size_t kWords = 5;
  std::atomic<uint32_t> seq_{0};
  std::atomic<uint64_t> words_[kWords] = {};
};

}  // namespace mailns::server

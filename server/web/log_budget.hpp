// LogBudget: at most N log lines per second about misbehaving clients, so
// that a flood of bad clients cannot flood the log. The lines dropped are
// counted and reported with the next line allowed. Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>

namespace mailns::server {

class LogBudget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogBudget(unsigned per_second) noexcept : per_second_(per_second) {}

  // True when a line may be written now; *dropped (when allowed) is how
  // many were refused since the last allowed one.
  bool allow(uint64_t* dropped, Clock::time_point now = Clock::now()) noexcept {
    if (now - window_ >= std::chrono::seconds(1)) {
      window_ = now;
      used_ = 0;
    }
    if (used_ >= per_second_) {
      ++dropped_;
      return false;
    }
    ++used_;
    *dropped = dropped_;
    dropped_ = 0;
    return true;
  }

 private:
  const unsigned per_second_;
  Clock::time_point window_{};
  unsigned used_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace mailns::server

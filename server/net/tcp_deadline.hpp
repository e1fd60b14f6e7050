// TcpDeadline: when a TCP connection must be closed, from what it is doing
// (RFC 7766 6.2.3; Knot's tcp-io-timeout and tcp-idle-timeout):
//   idle     (between messages): idle_timeout after the last message was
//            answered and written (or the connection opened);
//   message  (part of a query received): io_timeout after its first byte,
//            whatever arrives in between, so dribbling a byte at a time
//            does not keep a connection open;
//   busy     (answers or a transfer being written): idle_timeout after
//            the last write completed, so a slow reader that keeps reading
//            is not cut.
// Pure logic over time points: the connection reports its phase after each
// event and arms its timer for deadline().
#pragma once

#include <chrono>

namespace mailns::server {

class TcpDeadline {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Phase { kIdle, kMessage, kBusy };

  TcpDeadline(std::chrono::seconds idle_timeout, std::chrono::seconds io_timeout, Clock::time_point now) noexcept
      : idle_timeout_(idle_timeout), io_timeout_(io_timeout), since_(now) {}

  // The connection is now in phase p; the clock restarts only on a change
  // of phase, so bytes that do not complete a message extend nothing.
  void enter(Phase p, Clock::time_point now) noexcept {
    if (p == phase_) return;
    phase_ = p;
    since_ = now;
  }
  // A write completed: a busy connection made progress.
  void progress(Clock::time_point now) noexcept {
    if (phase_ == Phase::kBusy) since_ = now;
  }
  Phase phase() const noexcept { return phase_; }
  // Since when the connection is in its phase (the idle list's order).
  Clock::time_point since() const noexcept { return since_; }
  Clock::time_point deadline() const noexcept {
    return since_ + (phase_ == Phase::kMessage ? io_timeout_ : idle_timeout_);
  }

 private:
  std::chrono::seconds idle_timeout_;
  std::chrono::seconds io_timeout_;
  Phase phase_ = Phase::kIdle;
  Clock::time_point since_;
};

}  // namespace mailns::server

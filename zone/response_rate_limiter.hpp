// ResponseRateLimiter: response rate limiting with the semantics of BIND's
// and Knot's RRL. Each response is charged to a token bucket keyed by the
// client's network (IPv4 /ipv4_prefix, IPv6 /ipv6_prefix) and the kind of
// response with what it is about: the queried name and type for a positive
// answer or NODATA, the zone for NXDOMAIN, a wildcard or a referral, nothing
// for an error. A bucket holds `rate` tokens and is refilled at `rate` per
// second; a response finding it empty is dropped, except every `slip`-th
// one, which becomes an empty truncated answer (TC=1) so that a real client
// retries over TCP.
//
// One limiter per worker thread: a fixed table allocated once, no lock, no
// allocation, no sharing per query; a bucket whose slot is wanted by
// another key is taken over (the older of two slots). Counters are single
// writer, readable from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace mailns::zone {

struct RateLimitSettings {
  uint32_t responses_per_second = 20;  // per bucket; 1..kMaxRate
  uint32_t slip = 2;                   // 0: drop all; 1: slip all; N: every N-th
  uint8_t ipv4_prefix = 24;
  uint8_t ipv6_prefix = 56;
  static constexpr uint32_t kMaxRate = 30000;
  static constexpr uint32_t kMaxSlip = 10;
  friend bool operator==(const RateLimitSettings&, const RateLimitSettings&) = default;
};

enum class ResponseKind : uint8_t { kPositive, kNoData, kNxDomain, kReferral, kWildcard, kError };
inline constexpr size_t kResponseKinds = 6;
const char* response_kind_name(ResponseKind k) noexcept;

enum class RateDecision : uint8_t { kSend, kDrop, kSlip };

struct RateLimitStats {
  std::atomic<uint64_t> dropped[kResponseKinds] = {};
  std::atomic<uint64_t> slipped[kResponseKinds] = {};
};

class ResponseRateLimiter {
 public:
  // rate: this limiter's share of responses_per_second (the workers
  // divide it between them). table_slots: rounded up to a power of two.
  ResponseRateLimiter(const RateLimitSettings& settings, uint32_t rate, size_t table_slots = size_t{1} << 16);

  // Charges one response to client_address (4 or 16 octets), sent at `now`
  // (seconds). name: the lookup form the response is about (may be empty).
  RateDecision account(std::span<const uint8_t> client_address, ResponseKind kind, uint16_t qtype,
                       std::span<const uint8_t> name, uint32_t now) noexcept;

  const RateLimitStats& stats() const noexcept { return stats_; }

 private:
  struct Bucket {
    uint64_t key = 0;
    uint32_t second = 0;  // of the last refill
    int16_t tokens = 0;
    uint16_t limited = 0;  // responses over the limit, for slip
  };
  uint64_t key_of(std::span<const uint8_t> address, ResponseKind kind, uint16_t qtype,
                  std::span<const uint8_t> name) const noexcept;
  Bucket& bucket_for(uint64_t key, uint32_t now) noexcept;
  static void bump(std::atomic<uint64_t>& c) noexcept { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

  RateLimitSettings settings_;
  int16_t rate_;
  uint64_t seed_[2];
  size_t mask_;
  std::unique_ptr<Bucket[]> table_;
  RateLimitStats stats_;
};

}  // namespace mailns::zone

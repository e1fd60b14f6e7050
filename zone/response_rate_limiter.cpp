#include "zone/response_rate_limiter.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace mailns::zone {

namespace {

constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;

uint64_t mix(uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 33);
}

// A keyed hash for the bucket table: the seed is random per limiter, so a
// flood cannot aim at one slot. Not a MAC; only spreads keys.
class KeyHash {
 public:
  explicit KeyHash(const uint64_t (&seed)[2]) noexcept : h_(seed[0]), k_(seed[1] | 1) {}
  void add(uint64_t v) noexcept { h_ = std::rotl((h_ ^ mix(v ^ k_)) * kMul, 29); }
  void add(std::span<const uint8_t> bytes) noexcept {
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      uint64_t v;
      std::memcpy(&v, bytes.data() + i, 8);
      add(v);
    }
    uint64_t tail = bytes.size() - i;
    for (size_t s = 8; i < bytes.size(); ++i, s += 8) tail |= uint64_t{bytes[i]} << s % 64;
    add(tail);
  }
  uint64_t value() const noexcept { return mix(h_) | 1; }  // never 0: 0 marks an empty slot

 private:
  uint64_t h_;
  uint64_t k_;
};

}  // namespace

const char* response_kind_name(ResponseKind k) noexcept {
  switch (k) {
    case ResponseKind::kPositive: return "positive";
    case ResponseKind::kNoData: return "nodata";
    case ResponseKind::kNxDomain: return "nxdomain";
    case ResponseKind::kReferral: return "referral";
    case ResponseKind::kWildcard: return "wildcard";
    case ResponseKind::kError: return "error";
  }
  return "error";
}

ResponseRateLimiter::ResponseRateLimiter(const RateLimitSettings& settings, uint32_t rate, size_t table_slots)
    : settings_(settings),
      rate_(static_cast<int16_t>(std::clamp<uint32_t>(rate, 1, RateLimitSettings::kMaxRate))),
      mask_(std::bit_ceil(std::max<size_t>(table_slots, 2)) - 1),
      table_(new Bucket[mask_ + 1]) {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed_), sizeof seed_) != 1) {
    // Without the kernel's randomness, at least differ per limiter and start.
    seed_[0] = reinterpret_cast<uintptr_t>(this) * kMul;
    seed_[1] = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&settings)) ^ kMul;
  }
}

uint64_t ResponseRateLimiter::key_of(std::span<const uint8_t> address, ResponseKind kind, uint16_t qtype,
                                     std::span<const uint8_t> name) const noexcept {
  // The client's network: the address with the bits below the prefix cleared.
  uint8_t net[16] = {};
  const size_t bits = address.size() == 4 ? settings_.ipv4_prefix : settings_.ipv6_prefix;
  const size_t n = std::min(address.size(), sizeof net);
  std::memcpy(net, address.data(), n);
  for (size_t i = 0; i < n; ++i) {
    const size_t keep = bits > i * 8 ? std::min<size_t>(bits - i * 8, 8) : 0;
    net[i] &= static_cast<uint8_t>(0xFF00 >> keep);
  }
  KeyHash h(seed_);
  h.add(std::span<const uint8_t>(net, n));
  h.add(uint64_t{static_cast<uint8_t>(kind)} << 16 | qtype);
  h.add(name);
  return h.value();
}

ResponseRateLimiter::Bucket& ResponseRateLimiter::bucket_for(uint64_t key, uint32_t now) noexcept {
  // Two neighbouring slots per key: the one holding it, else the one
  // refilled longest ago.
  Bucket& a = table_[key & mask_];
  Bucket& b = table_[(key & mask_) ^ 1];
  if (a.key == key) return a;
  if (b.key == key) return b;
  Bucket& victim = static_cast<int32_t>(a.second - b.second) <= 0 ? a : b;
  victim = Bucket{key, now, rate_, 0};
  return victim;
}

RateDecision ResponseRateLimiter::account(std::span<const uint8_t> client_address, ResponseKind kind, uint16_t qtype,
                                          std::span<const uint8_t> name, uint32_t now) noexcept {
  Bucket& b = bucket_for(key_of(client_address, kind, qtype, name), now);
  if (b.second != now) {
    const auto elapsed = static_cast<int64_t>(static_cast<int32_t>(now - b.second));
    if (elapsed > 0) b.tokens = static_cast<int16_t>(std::min<int64_t>(rate_, b.tokens + elapsed * rate_));
    b.second = now;
  }
  if (b.tokens > 0) {
    --b.tokens;
    return RateDecision::kSend;
  }
  ++b.limited;
  const auto k = static_cast<size_t>(kind);
  if (settings_.slip != 0 && b.limited % settings_.slip == 0) {
    bump(stats_.slipped[k]);
    return RateDecision::kSlip;
  }
  bump(stats_.dropped[k]);
  return RateDecision::kDrop;
}

}  // namespace mailns::zone

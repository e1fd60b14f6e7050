#include "server/net/rate_limit_report.hpp"

#include "zone/response_rate_limiter.hpp"

namespace mailns::server {

std::string RateLimitReport::update(const NetTotals& totals, int64_t now) {
  if (now - last_line_ < 1 || totals.rate_limited() == last_.rate_limited()) return {};
  uint64_t dropped = 0, slipped = 0;
  std::string kinds;
  for (size_t k = 0; k < zone::kResponseKinds; ++k) {
    const uint64_t d = totals.rate_dropped[k] - last_.rate_dropped[k];
    const uint64_t s = totals.rate_slipped[k] - last_.rate_slipped[k];
    dropped += d;
    slipped += s;
    if (d + s)
      kinds += std::string(kinds.empty() ? "" : ", ") + zone::response_kind_name(static_cast<zone::ResponseKind>(k)) +
               " " + std::to_string(d + s);
  }
  const int64_t span = last_line_ ? now - last_line_ : 1;
  last_ = totals;
  last_line_ = now;
  return "rate limit: " + std::to_string(dropped) + " responses dropped and " + std::to_string(slipped) +
         " slipped (sent empty with TC) in the last " + std::to_string(span) + " s (" + kinds + ")";
}

}  // namespace mailns::server

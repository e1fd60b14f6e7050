// RateLimitReport: the one log line a second (at most) that says what
// response rate limiting did: how many responses were dropped and slipped
// since the last line, by kind. Fed the workers' totals periodically from
// one thread; quiet while nothing is limited.
#pragma once

#include <cstdint>
#include <string>

#include "server/net/net_totals.hpp"

namespace mailns::server {

class RateLimitReport {
 public:
  // The line for the change since the last call that returned one, or ""
  // when nothing was limited or the last line is less than a second old.
  std::string update(const NetTotals& totals, int64_t now);

 private:
  NetTotals last_;
  int64_t last_line_ = 0;
};

}  // namespace mailns::server

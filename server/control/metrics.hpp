// Prometheus metrics: the text exposition format (version 0.0.4) of what
// `mailns status` knows plus the counters only metrics show (reloads and
// their durations, NOTIFY and transfer outcomes). Counters are summed from
// the workers' own counters when scraped; nothing is counted for metrics on
// the query path.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "server/control/status_report.hpp"

namespace mailns::server {

// Reload outcomes and a histogram of their durations.
struct ReloadCounters {
  static constexpr std::array<double, 9> kBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60};  // seconds
  uint64_t ok = 0, failed = 0;
  double seconds_sum = 0;
  std::array<uint64_t, kBuckets.size()> le{};  // reloads that took at most kBuckets[i]

  void add(bool failed_reload, double seconds) noexcept;
};

struct MetricsReport {
  StatusReport status;
  ReloadCounters reloads;
  std::map<std::pair<std::string, std::string>, uint64_t> notify;     // (secondary, result) -> count
  std::map<std::pair<std::string, std::string>, uint64_t> transfers;  // (type, result) -> count
};

std::string prometheus_text(const MetricsReport& m);

}  // namespace mailns::server

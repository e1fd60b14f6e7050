// NetTotals: every worker's transport counters summed into plain numbers,
// for the shutdown line, `mailns status` and the metrics endpoint. Taken
// while the workers run (their counters are live: server/net/counter.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mailns::server {

struct WorkerStats;

struct NetTotals {
  enum Transport { kUdp = 0, kTcp = 1 };
  uint64_t udp_received = 0, udp_answered = 0, udp_ignored = 0, udp_send_failed = 0;
  uint64_t tcp_accepted = 0, tcp_refused = 0, tcp_per_address_refused = 0, tcp_evicted = 0, tcp_queries = 0;
  uint64_t tcp_idle_timeout = 0, tcp_io_timeout = 0;
  uint64_t answers[2][16] = {};  // by transport and RCODE
  uint64_t truncated[2] = {};
  uint64_t rate_dropped[6] = {};  // UDP responses over the rate limit, by zone::ResponseKind
  uint64_t rate_slipped[6] = {};

  void add(const WorkerStats& w) noexcept;
  uint64_t answered(Transport t) const noexcept;
  uint64_t rate_limited() const noexcept;  // dropped and slipped
};

}  // namespace mailns::server

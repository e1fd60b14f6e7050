#include "server/net/net_totals.hpp"

#include "server/net/worker.hpp"

namespace mailns::server {

namespace {
void add_answers(uint64_t (&by_rcode)[16], uint64_t& truncated, const AnswerCounters& c) noexcept {
  for (int r = 0; r < 16; ++r) by_rcode[r] += c.by_rcode[r].get();
  truncated += c.truncated.get();
}
}  // namespace

void NetTotals::add(const WorkerStats& w) noexcept {
  udp_received += w.udp.received;
  udp_answered += w.udp.answered;
  udp_ignored += w.udp.ignored;
  udp_send_failed += w.udp.send_failed;
  tcp_accepted += w.tcp.accepted;
  tcp_refused += w.tcp.refused;
  tcp_queries += w.tcp.queries;
  tcp_per_address_refused += w.tcp.per_address_refused;
  tcp_evicted += w.tcp.evicted;
  tcp_idle_timeout += w.tcp.idle_timeout;
  tcp_io_timeout += w.tcp.io_timeout;
  add_answers(answers[kUdp], truncated[kUdp], w.udp.answers);
  add_answers(answers[kTcp], truncated[kTcp], w.tcp.answers);
  for (size_t k = 0; k < 6; ++k) {
    rate_dropped[k] += w.rate_dropped[k];
    rate_slipped[k] += w.rate_slipped[k];
  }
}

uint64_t NetTotals::rate_limited() const noexcept {
  uint64_t n = 0;
  for (size_t k = 0; k < 6; ++k) n += rate_dropped[k] + rate_slipped[k];
  return n;
}

uint64_t NetTotals::answered(Transport t) const noexcept {
  uint64_t n = 0;
  for (uint64_t a : answers[t]) n += a;
  return n;
}

}  // namespace mailns::server

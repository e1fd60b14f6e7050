// Worker: one thread with its own io_context, its own UDP socket and TCP
// acceptor on every listen address (SO_REUSEPORT lets all workers bind the
// same addresses), its own UDP batch buffers and TCP scratch, and its own
// counters. Workers share nothing but the SnapshotHolder (read once per
// batch) and the TCP connection limit (touched once per connection).
#pragma once

#include <memory>

#include "server/net/cookie_secret_cell.hpp"
#include "server/net/net_settings.hpp"
#include "server/net/query_log.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/net/tcp_connection_limit.hpp"
#include "server/net/tcp_listener.hpp"
#include "server/net/udp_batch.hpp"

namespace mailns::server {

struct WorkerStats {
  UdpStats udp;
  TcpStats tcp;
  // Responses over the rate limit, by zone::ResponseKind.
  uint64_t rate_dropped[zone::kResponseKinds] = {};
  uint64_t rate_slipped[zone::kResponseKinds] = {};
};

class Worker {
 public:
  // Binds every socket now, in the calling thread, so that a bad address
  // fails start-up before any thread runs (throws std::system_error).
  // handler: zone transfers and TSIG (nullptr: handle_query answers all).
  // query_log: where this worker reports its queries (nullptr: nowhere);
  // cookies: the server cookie secrets (nullptr: cookies off); both must
  // outlive the worker. With settings.rate_limit the worker has its own
  // limiter with its share (1/threads) of the rate.
  Worker(unsigned index, const NetSettings& settings, const SnapshotHolder& snapshots, TcpConnectionLimit& limit,
         const RequestHandler* handler = nullptr, QueryLog* query_log = nullptr,
         const CookieSecretCell* cookies = nullptr);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread. It inherits the caller's signal mask.
  void start();
  // Makes the thread's io_context return; callable from any thread.
  void stop() noexcept;
  // Makes the thread pass a snapshot batch boundary soon, even when idle
  // (SnapshotHolder::set_workers); callable from any thread.
  void nudge();
  void join();
  // A copy of the counters; from any thread, at any time (they are live).
  WorkerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server

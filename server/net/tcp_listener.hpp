// TcpListener: one worker's TCP acceptor on one listen address, and the
// connections it accepts (DNS over TCP, RFC 7766). Each connection reads
// length-prefixed queries, answers them in order (pipelining), writes the
// answers back in one write per batch. Deadlines: server/net/tcp_deadline.hpp.
// Over server.tcp_max_connections_per_address a newcomer is closed at once;
// over server.tcp_max_connections the worker's connection idle longest is
// closed to admit it (closed at once when the worker has none idle).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "server/net/counter.hpp"
#include "server/net/listen_address.hpp"
#include "server/net/request_handler.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/net/tcp_connection_limit.hpp"
#include "server/net/tcp_idle_list.hpp"
#include "server/net/cookie_secret_cell.hpp"
#include "server/net/tcp_query_stream.hpp"

namespace boost::asio {
class io_context;
}

namespace mailns::server {

// Live: the worker writes them, anyone may read them (server/net/counter.hpp).
struct TcpStats {
  Counter accepted;
  Counter refused;              // closed at once: over the connection limit, none idle to evict
  Counter per_address_refused;  // closed at once: over the per-address limit
  Counter evicted;              // idle, closed to admit a newcomer over the connection limit
  Counter queries;
  Counter idle_timeout;  // closed: silent between messages for tcp_idle_timeout
  Counter io_timeout;    // closed: a message not received within tcp_io_timeout
  AnswerCounters answers;  // the answers built, by RCODE (a transfer counts once)
};

// What one worker's TCP connections share; must outlive them (and so the
// worker's io_context, whose destruction releases unfinished connections).
struct TcpWorkerState {
  TcpWorkerState(const SnapshotHolder& s, TcpConnectionLimit& l, std::chrono::seconds idle, std::chrono::seconds io)
      : snapshots(s), limit(l), idle_timeout(idle), io_timeout(io), scratch(TcpQueryStream::kScratchSize) {}
  const SnapshotHolder& snapshots;
  TcpConnectionLimit& limit;
  std::chrono::seconds idle_timeout;
  std::chrono::seconds io_timeout;
  TcpIdleList idle;  // this worker's idle connections, oldest first
  std::vector<std::byte> scratch;  // one answer at a time: the worker is single-threaded
  TcpStats stats;
  const RequestHandler* handler = nullptr;  // zone transfers and TSIG; nullptr: handle_query answers everything
  QueryLog* query_log = nullptr;            // this worker's query log; nullptr: none
  const CookieSecretCell* cookies = nullptr;  // DNS cookies; nullptr: off (TCP is never rate limited)
};

class TcpListener {
 public:
  // Binds and listens now (throws std::system_error naming the address).
  TcpListener(boost::asio::io_context& io, const ListenAddress& addr, TcpWorkerState& state);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  void start();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server

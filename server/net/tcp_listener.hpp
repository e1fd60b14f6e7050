// TcpListener: one worker's TCP acceptor on one listen address, and the
// connections it accepts (DNS over TCP, RFC 7766). Each connection reads
// length-prefixed queries, answers them in order (pipelining), writes the
// answers back in one write per batch, and is closed after
// tcp_idle_timeout without progress. Over server.tcp_max_connections,
// new connections are closed at once.
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
#include "server/net/tcp_query_stream.hpp"

namespace boost::asio {
class io_context;
}

namespace mailns::server {

// Live: the worker writes them, anyone may read them (server/net/counter.hpp).
struct TcpStats {
  Counter accepted;
  Counter refused;    // closed at once: over the connection limit
  Counter queries;
  Counter timed_out;  // closed by the idle timeout
  AnswerCounters answers;  // the answers built, by RCODE (a transfer counts once)
};

// What one worker's TCP connections share; must outlive them (and so the
// worker's io_context, whose destruction releases unfinished connections).
struct TcpWorkerState {
  TcpWorkerState(const SnapshotHolder& s, TcpConnectionLimit& l, std::chrono::seconds idle)
      : snapshots(s), limit(l), idle_timeout(idle), scratch(TcpQueryStream::kScratchSize) {}
  const SnapshotHolder& snapshots;
  TcpConnectionLimit& limit;
  std::chrono::seconds idle_timeout;
  std::vector<std::byte> scratch;  // one answer at a time: the worker is single-threaded
  TcpStats stats;
  const RequestHandler* handler = nullptr;  // zone transfers and TSIG; nullptr: handle_query answers everything
  QueryLog* query_log = nullptr;            // this worker's query log; nullptr: none
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

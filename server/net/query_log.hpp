// QueryLog: where a worker reports each query it answered, for a query log
// such as dnstap (server/dnstap/). The transport knows only this
// interface: each worker has its own sink (or none), called on the
// worker's thread with the query and response bytes, both endpoints, the
// transport and the times. Without a sink the query path pays one branch;
// a sink must never block, throw or keep the spans past the call.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <span>

#include "server/net/ip_address.hpp"

namespace mailns::server {

enum class QueryTransport : uint8_t { kUdp, kTcp };

// One end of a query's exchange: an address and a port.
struct QueryEndpoint {
  IpAddress address;
  uint16_t port = 0;

  // From a socket address (IPv4-mapped IPv6 folded to IPv4, as IpAddress does).
  static std::optional<QueryEndpoint> from_sockaddr(const sockaddr* sa, socklen_t len) noexcept;
};

struct LoggedQuery {
  QueryTransport transport = QueryTransport::kUdp;
  QueryEndpoint peer;   // the client that sent the query
  QueryEndpoint local;  // the address and port it was sent to
  // Empty: not logged as a query (the later messages of a transfer).
  std::span<const std::byte> query;
  // Empty: no response was sent (dropped, or a transfer's first message is logged later).
  std::span<const std::byte> response;
  timespec query_time{};     // when the query was read (wall clock)
  timespec response_time{};  // when the response was built
};

class QueryLog {
 public:
  virtual ~QueryLog() = default;
  // Called by the one worker thread that owns this sink; never blocks.
  virtual void log(const LoggedQuery& entry) noexcept = 0;
};

// The sink of worker i (nullptr: that worker logs nothing). Called once per
// worker while the server is built.
using QueryLogFor = std::function<QueryLog*(unsigned worker)>;

// The wall clock for LoggedQuery times (a vDSO call, no syscall).
inline timespec query_log_now() noexcept {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

}  // namespace mailns::server

// UdpBatch: one worker's preallocated state for answering UDP in batches:
// recvmmsg drains up to kBatchSize datagrams from a non-blocking socket,
// handle_query answers each into its own slot, and one sendmmsg sends every
// answer. No allocation, no lock, no atomic per query. Knows nothing of
// Asio: the listener decides when the socket is readable. With a QueryLog
// set, each query and its answer are reported to it before the batch is sent.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "server/net/counter.hpp"
#include "server/net/query_log.hpp"
#include "server/net/query_policies.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

class RequestHandler;

// Live: the worker writes them, anyone may read them (server/net/counter.hpp).
struct UdpStats {
  Counter received;     // datagrams taken from the socket
  Counter answered;     // answers handed to the kernel
  Counter ignored;      // handle_query said no answer (responses, runts), or oversized datagrams
  Counter send_failed;  // answers the kernel refused (full buffer, unreachable peer)
  AnswerCounters answers;  // the answers built, by RCODE
};

class UdpBatch {
 public:
  static constexpr size_t kBatchSize = 32;
  // Larger datagrams are dropped: no real query comes close.
  static constexpr size_t kMaxQuery = 4096;
  // Our answers never exceed the largest udp_payload the config allows.
  static constexpr size_t kMaxResponse = 4096;

  enum class Result {
    kDrained,  // the socket has no more datagrams: wait for readability
    kMore,     // a full batch was read: more may be queued
  };

  UdpBatch() = default;
  UdpBatch(const UdpBatch&) = delete;
  UdpBatch& operator=(const UdpBatch&) = delete;

  // Reads one batch from fd (which must be non-blocking), answers it from
  // snapshot and sends the answers. With pktinfo set (sockets bound to a
  // wildcard address, IP_PKTINFO / IPV6_RECVPKTINFO enabled) each answer
  // leaves from the address its query was sent to.
  // local: the socket's address, for the query log (with pktinfo, the
  // address each query was sent to is logged instead).
  Result serve_once(int fd, bool pktinfo, const zone::Snapshot& snapshot, const QueryEndpoint& local = {}) noexcept;

  const UdpStats& stats() const noexcept { return stats_; }

  // Zone transfers and TSIG (server/net/request_handler.hpp): messages for
  // which needs_request_handler() is true are answered by handler instead.
  void set_handler(const RequestHandler* handler) noexcept { handler_ = handler; }
  // Reports every query answered (or dropped) to log; nullptr: none.
  void set_query_log(QueryLog* log) noexcept { log_ = log; }
  // Cookies and rate limiting (server/net/query_policies.hpp).
  void set_policies(const QueryPolicies& p) noexcept { policies_ = p; }

 private:
  static constexpr size_t kControlSize = 64;  // >= CMSG_SPACE(sizeof(in6_pktinfo))
  struct alignas(cmsghdr) Control {
    std::byte data[kControlSize];
  };

  size_t build_reply_control(size_t i, bool pktinfo) noexcept;
  // handle_query for slot i, with the cookies and rate limit of policies_.
  size_t answer_query(size_t i, std::span<const std::byte> query, std::span<std::byte> answer,
                      const zone::Snapshot& snapshot, const QueryPolicies::Batch& batch) noexcept;
  // The query log's entry for slot i, answered with len bytes (0: none).
  void log_query(size_t i, size_t len, bool pktinfo, const QueryEndpoint& local, const timespec& received) noexcept;
  // The address slot i's query was sent to, from its pktinfo.
  std::optional<IpAddress> pktinfo_destination(size_t i) const noexcept;

  std::array<mmsghdr, kBatchSize> rx_{};
  std::array<mmsghdr, kBatchSize> tx_{};
  std::array<iovec, kBatchSize> rx_iov_{};
  std::array<iovec, kBatchSize> tx_iov_{};
  std::array<sockaddr_storage, kBatchSize> peer_{};
  std::array<Control, kBatchSize> rx_control_{};
  std::array<Control, kBatchSize> tx_control_{};
  std::array<std::array<std::byte, kMaxQuery>, kBatchSize> in_{};
  std::array<std::array<std::byte, kMaxResponse>, kBatchSize> out_{};
  UdpStats stats_;
  const RequestHandler* handler_ = nullptr;
  QueryLog* log_ = nullptr;
  QueryPolicies policies_;
};

}  // namespace mailns::server

// TcpQueryStream: DNS-over-TCP framing for one connection (RFC 1035 4.2.2,
// RFC 7766 8): bytes read from the socket go in; every complete
// length-prefixed query is answered with handle_query(kTcp) in arrival
// order and its framed answer appended to an output buffer. Pipelined
// queries (several sent before reading, RFC 7766 6.2.1.1) are just several
// frames in the input. Zone transfers and TSIG-signed queries go to the
// RequestHandler when one is set (server/net/request_handler.hpp): a transfer's messages are
// produced as the output drains, before the next query is answered. No
// sockets, no Asio: the connection feeds it. With a QueryLog set, each
// query and its answer (a transfer: its first message) are reported to it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "server/net/counter.hpp"
#include "server/net/ip_address.hpp"
#include "server/net/query_log.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

class CookieSecretCell;
class MessageSource;
class RequestHandler;
class SnapshotHolder;

class TcpQueryStream {
 public:
  static constexpr size_t kMaxMessage = 65535;
  static constexpr size_t kScratchSize = 2 + kMaxMessage;  // length prefix + largest message

  TcpQueryStream();
  ~TcpQueryStream();

  // Hands transfers and signed queries from `peer` to handler; transfers
  // pin holder's current snapshot. Both must outlive the stream.
  void set_handler(const RequestHandler* handler, const SnapshotHolder* holder, const IpAddress& peer);
  // Answers cookies (zone/dns_cookie.hpp) from `peer` with the secrets in
  // cell (which must outlive the stream).
  void set_cookies(const CookieSecretCell* cell, const IpAddress& peer) noexcept {
    cookies_ = cell;
    cookie_peer_ = peer;
  }
  // Reports every query from peer to local, and its answer, to log (which
  // must outlive the stream); nullptr: none.
  void set_query_log(QueryLog* log, const QueryEndpoint& peer, const QueryEndpoint& local) noexcept;

  // Where the next socket read should go: never empty, and large enough to
  // finish the frame being received or to take a fresh chunk.
  std::span<std::byte> read_space();
  // n bytes were written into the start of the last read_space().
  void commit(size_t n) noexcept;

  // Answers complete queries in order while out holds fewer than out_limit
  // bytes, appending "length || answer" for each (nothing when handle_query
  // returns 0), and the messages of a transfer in progress first. scratch
  // must hold kScratchSize bytes. Returns the number of queries consumed;
  // unanswered frames stay buffered for the next call.
  // counters (optional): every answer, and the first message of a transfer.
  size_t answer(const zone::Snapshot& snapshot, std::vector<std::byte>& out, std::span<std::byte> scratch,
                size_t out_limit, AnswerCounters* counters = nullptr);

  // A complete query is buffered (answer() stopped at out_limit).
  bool has_complete_frame() const noexcept;
  // Something to answer now: a complete query or a transfer in progress.
  bool has_work() const noexcept { return transfer_ != nullptr || has_complete_frame(); }
  // Bytes buffered that are not yet a complete frame or were not answered.
  size_t buffered() const noexcept { return end_ - begin_; }

 private:
  static constexpr size_t kReadChunk = 4096;
  std::vector<std::byte> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  const RequestHandler* handler_ = nullptr;
  const SnapshotHolder* holder_ = nullptr;
  IpAddress peer_;
  const CookieSecretCell* cookies_ = nullptr;
  IpAddress cookie_peer_;
  std::unique_ptr<MessageSource> transfer_;
  bool transfer_started_ = false;  // its first message was written

  // handle_query over TCP, with cookies when set.
  size_t answer_query(std::span<const std::byte> query, std::span<std::byte> out,
                      const zone::Snapshot& snapshot) const noexcept;
  // Reports query (and response, when not empty) to log_.
  void log_exchange(std::span<const std::byte> query, std::span<const std::byte> response,
                    const timespec& received) noexcept;
  QueryLog* log_ = nullptr;
  QueryEndpoint log_peer_, log_local_;
  timespec transfer_received_{};  // when the transfer in progress was asked for
};

}  // namespace mailns::server

#include "server/net/tcp_query_stream.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "server/net/cookie_secret_cell.hpp"
#include "server/net/request_handler.hpp"
#include "server/net/snapshot_holder.hpp"
#include "zone/handle_query.hpp"

namespace mailns::server {

namespace {
size_t frame_length(const std::byte* p) noexcept {
  return static_cast<size_t>(std::to_integer<uint8_t>(p[0])) << 8 | std::to_integer<uint8_t>(p[1]);
}
}  // namespace

TcpQueryStream::TcpQueryStream() : buf_(kReadChunk) {}

TcpQueryStream::~TcpQueryStream() = default;

void TcpQueryStream::set_handler(const RequestHandler* handler, const SnapshotHolder* holder, const IpAddress& peer) {
  handler_ = handler;
  holder_ = holder;
  peer_ = peer;
}

void TcpQueryStream::set_query_log(QueryLog* log, const QueryEndpoint& peer, const QueryEndpoint& local) noexcept {
  log_ = log;
  log_peer_ = peer;
  log_local_ = local;
}

void TcpQueryStream::log_exchange(std::span<const std::byte> query, std::span<const std::byte> response,
                                  const timespec& received) noexcept {
  LoggedQuery entry;
  entry.transport = QueryTransport::kTcp;
  entry.peer = log_peer_;
  entry.local = log_local_;
  entry.query = query;
  entry.response = response;
  entry.query_time = received;
  entry.response_time = query_log_now();
  log_->log(entry);
}

std::span<std::byte> TcpQueryStream::read_space() {
  if (begin_ == end_) begin_ = end_ = 0;
  size_t have = end_ - begin_;
  size_t need = kReadChunk;
  if (have >= 2) {
    const size_t frame = 2 + frame_length(buf_.data() + begin_);
    if (frame > have) need = std::max(need, frame - have);
  }
  if (buf_.size() - end_ < need) {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, have);
      begin_ = 0;
      end_ = have;
    }
    if (buf_.size() - end_ < need) buf_.resize(end_ + need);
  }
  return {buf_.data() + end_, buf_.size() - end_};
}

void TcpQueryStream::commit(size_t n) noexcept { end_ = std::min(end_ + n, buf_.size()); }

bool TcpQueryStream::has_complete_frame() const noexcept {
  const size_t have = end_ - begin_;
  return have >= 2 && have >= 2 + frame_length(buf_.data() + begin_);
}

size_t TcpQueryStream::answer_query(std::span<const std::byte> query, std::span<std::byte> out,
                                    const zone::Snapshot& snapshot) const noexcept {
  if (!cookies_) return zone::handle_query(query, out, snapshot, zone::Transport::kTcp);
  const zone::CookieSecrets secrets = cookies_->load();
  zone::QueryEnv env;
  env.client = std::span<const uint8_t>(cookie_peer_.bytes.data(), cookie_peer_.v6 ? 16 : 4);
  env.now = static_cast<uint32_t>(std::time(nullptr));
  env.cookies = &secrets;
  return zone::handle_query(query, out, snapshot, zone::Transport::kTcp, &env);
}

size_t TcpQueryStream::answer(const zone::Snapshot& snapshot, std::vector<std::byte>& out,
                              std::span<std::byte> scratch, size_t out_limit, AnswerCounters* counters) {
  size_t answered = 0;
  const auto message_space = scratch.subspan(2, std::min(kMaxMessage, scratch.size() - 2));
  while (out.size() < out_limit && has_work()) {
    size_t n = 0;
    if (transfer_) {
      n = transfer_->next({reinterpret_cast<uint8_t*>(message_space.data()), message_space.size()});
      if (n == 0) {
        transfer_.reset();  // complete: the snapshot it pinned is released
        continue;
      }
      if (!transfer_started_) {
        if (counters) counters->count(message_space.data(), n);
        if (log_) log_exchange({}, message_space.first(n), transfer_received_);
      }
      transfer_started_ = true;
    } else {
      const size_t len = frame_length(buf_.data() + begin_);
      const std::span<const std::byte> query(buf_.data() + begin_ + 2, len);
      ++answered;
      const timespec received = log_ ? query_log_now() : timespec{};
      if (handler_ && needs_request_handler(query)) {
        transfer_ = handler_->answer_tcp(query, holder_->owner(), peer_);
        transfer_started_ = false;
        transfer_received_ = received;
        begin_ += 2 + len;
        // The query now; its response with the transfer's first message.
        if (log_) log_exchange(query, {}, received);
        continue;
      }
      n = answer_query(query, message_space, snapshot);
      begin_ += 2 + len;
      if (counters && n) counters->count(message_space.data(), n);
      if (log_) [[unlikely]]
        log_exchange(query, message_space.first(n), received);
    }
    if (n == 0) continue;
    scratch[0] = static_cast<std::byte>(n >> 8);
    scratch[1] = static_cast<std::byte>(n & 0xff);
    out.insert(out.end(), scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(2 + n));
  }
  if (begin_ == end_) begin_ = end_ = 0;
  return answered;
}

}  // namespace mailns::server

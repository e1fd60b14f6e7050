#include "server/net/tcp_listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "server/net/listen_socket.hpp"
#include "server/net/tcp_deadline.hpp"
#include "server/logging.hpp"

namespace mailns::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// Answers waiting to be written beyond which a connection stops reading
// (and answering) until the client has read them.
constexpr size_t kMaxPendingOutput = 64 * 1024;

class TcpConnection final : public std::enable_shared_from_this<TcpConnection>, public TcpIdleEntry {
 public:
  // Holds one slot of the total and one of peer's (taken by the acceptor).
  TcpConnection(tcp::socket socket, TcpWorkerState& state, const IpAddress& peer)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(state), peer_(peer),
        deadline_(state.idle_timeout, state.io_timeout, Clock::now()) {}
  ~TcpConnection() {
    state_.idle.remove(*this);
    state_.limit.release_address(peer_);
    if (!slot_handed_over_) state_.limit.release();
  }

  void start() {
    if (state_.handler) stream_.set_handler(state_.handler, &state_.snapshots, peer_);
    if (state_.cookies) stream_.set_cookies(state_.cookies, peer_);
    if (state_.query_log) start_query_log();
    arm_timer(deadline_.deadline());
    pump();
  }

  // Idle longest while the table is full: the newcomer takes this slot.
  void evict() override {
    ++state_.stats.evicted;
    slot_handed_over_ = true;
    close();
  }

 private:
  // Both endpoints, once per connection: the stream reports every query with them.
  void start_query_log() {
    error_code ec1, ec2;
    const auto peer = socket_.remote_endpoint(ec1);
    const auto local = socket_.local_endpoint(ec2);
    if (ec1 || ec2) return;
    const auto p = QueryEndpoint::from_sockaddr(peer.data(), static_cast<socklen_t>(peer.size()));
    const auto l = QueryEndpoint::from_sockaddr(local.data(), static_cast<socklen_t>(local.size()));
    if (p && l) stream_.set_query_log(state_.query_log, *p, *l);
  }

  // Answers what is buffered, then starts whatever I/O is now possible.
  void pump() {
    if (closed_) return;
    answer_buffered();
    if (!writing_ && !pending_.empty()) {
      start_write();
      answer_buffered();  // queue the next answers while this write is in flight
    }
    // Read only once every buffered query is answered: this bounds both
    // buffers, and a client that does not read its answers stops being read.
    if (!reading_ && !eof_ && pending_.size() < kMaxPendingOutput && !stream_.has_complete_frame()) start_read();
    // Client half-closed and everything it asked is answered and written.
    if (eof_ && !writing_ && pending_.empty() && !stream_.has_work()) {
      close();
      return;
    }
    update_phase();
  }

  void answer_buffered() {
    if (stream_.has_work() && pending_.size() < kMaxPendingOutput)
      state_.stats.queries += stream_.answer(*state_.snapshots.current(), pending_, state_.scratch, kMaxPendingOutput,
                                            &state_.stats.answers);
  }

  TcpDeadline::Phase phase() const noexcept {
    if (writing_ || !pending_.empty() || stream_.has_work()) return TcpDeadline::Phase::kBusy;
    return stream_.buffered() > 0 ? TcpDeadline::Phase::kMessage : TcpDeadline::Phase::kIdle;
  }

  // Moves the deadline with the phase, and the connection in or out of the
  // worker's idle list; re-arms the timer when the deadline came closer.
  void update_phase() {
    deadline_.enter(phase(), Clock::now());
    if (deadline_.phase() == TcpDeadline::Phase::kIdle) {
      if (!linked()) state_.idle.push_back(*this);
    } else {
      state_.idle.remove(*this);
    }
    if (deadline_.deadline() < armed_) arm_timer(deadline_.deadline());
  }

  void start_read() {
    reading_ = true;
    const auto space = stream_.read_space();
    socket_.async_read_some(asio::buffer(space.data(), space.size()),
                            [self = shared_from_this()](const error_code& ec, size_t n) { self->on_read(ec, n); });
  }

  void on_read(const error_code& ec, size_t n) {
    reading_ = false;
    if (closed_) return;
    if (ec == asio::error::eof) {
      eof_ = true;  // RFC 7766 6.2.4: answer what was sent, then close
    } else if (ec) {
      close();
      return;
    } else {
      stream_.commit(n);
    }
    pump();
  }

  void start_write() {
    writing_ = true;
    std::swap(writing_buf_, pending_);
    pending_.clear();
    asio::async_write(socket_, asio::buffer(writing_buf_),
                      [self = shared_from_this()](const error_code& ec, size_t) { self->on_write(ec); });
  }

  void on_write(const error_code& ec) {
    writing_ = false;
    if (closed_) return;
    if (ec) {
      close();
      return;
    }
    writing_buf_.clear();
    deadline_.progress(Clock::now());
    pump();
  }

  // One timer per connection, re-armed lazily: a later deadline is checked
  // when the timer fires, an earlier one re-arms it (update_phase).
  void arm_timer(Clock::time_point at) {
    armed_ = at;
    timer_.expires_at(at);  // cancels a wait in flight: its handler sees operation_aborted
    timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->on_timer(ec); });
  }

  void on_timer(const error_code& ec) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (Clock::now() >= deadline_.deadline()) {
      ++(deadline_.phase() == TcpDeadline::Phase::kMessage ? state_.stats.io_timeout : state_.stats.idle_timeout);
      close();
      return;
    }
    arm_timer(deadline_.deadline());
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    state_.idle.remove(*this);
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  TcpWorkerState& state_;
  IpAddress peer_;
  TcpQueryStream stream_;
  std::vector<std::byte> pending_;      // answers not yet handed to a write
  std::vector<std::byte> writing_buf_;  // answers of the write in flight
  TcpDeadline deadline_;
  Clock::time_point armed_{};  // when the timer fires
  bool reading_ = false;
  bool writing_ = false;
  bool eof_ = false;
  bool closed_ = false;
  bool slot_handed_over_ = false;  // evicted: the newcomer holds the slot
};

}  // namespace

struct TcpListener::Impl {
  Impl(asio::io_context& io, const ListenAddress& a, TcpWorkerState& s)
      : acceptor(io), retry(io), addr(a), state(s) {
    const int fd = open_listen_socket(a, SocketKind::kTcp);
    acceptor.assign(a.v6 ? tcp::v6() : tcp::v4(), fd);
  }

  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
  }

  void on_accept(const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or memory: back off instead of spinning.
      if (Clock::now() - last_warning > std::chrono::seconds(10)) {
        last_warning = Clock::now();
        server_log().warn("{}/tcp: accept failed: {}; retrying (raise the open-files limit or lower "
                          "server.tcp_max_connections)",
                          addr.to_string(), ec.message());
      }
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([this](const error_code& e) {
        if (!e) accept();
      });
      return;
    }
    admit(std::move(socket));
    accept();
  }

  // Per-address limit first (a flood from one address evicts nothing), then
  // the total, making room by closing this worker's connection idle longest.
  void admit(tcp::socket socket) {
    error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    const auto peer = ec ? std::nullopt : IpAddress::from_sockaddr(ep.data(), static_cast<socklen_t>(ep.size()));
    if (!peer) return;  // already reset by the peer: the socket closes here
    if (!state.limit.try_acquire_address(*peer)) {
      ++state.stats.per_address_refused;
      return;
    }
    if (!state.limit.try_acquire() && !evict_idle()) {
      state.limit.release_address(*peer);
      ++state.stats.refused;
      return;
    }
    ++state.stats.accepted;
    socket.set_option(tcp::no_delay(true), ec);  // answers are whole messages: do not wait for ACKs
    std::make_shared<TcpConnection>(std::move(socket), state, *peer)->start();
  }

  bool evict_idle() {
    TcpIdleEntry* oldest = state.idle.oldest();
    if (!oldest) return false;
    oldest->evict();
    return true;
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry;
  ListenAddress addr;
  TcpWorkerState& state;
  Clock::time_point last_warning{};
};

TcpListener::TcpListener(asio::io_context& io, const ListenAddress& addr, TcpWorkerState& state)
    : impl_(std::make_unique<Impl>(io, addr, state)) {}

TcpListener::~TcpListener() = default;

void TcpListener::start() { impl_->accept(); }

}  // namespace mailns::server

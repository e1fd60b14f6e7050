#include "server/net/udp_listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include "server/net/listen_socket.hpp"
#include "server/logging.hpp"

namespace mailns::server {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
// Full batches answered per wake-up before yielding to the worker's other
// sockets (32 x 8 = 256 datagrams).
constexpr int kBatchesPerWake = 8;
}  // namespace

struct UdpListener::Impl {
  Impl(asio::io_context& io, const ListenAddress& a, const SnapshotHolder& s, UdpBatch& b, unsigned w)
      : socket(io), addr(a), snapshots(s), batch(b), worker(w), pktinfo(a.is_wildcard()) {
    const int fd = open_listen_socket(a, SocketKind::kUdp);
    socket.assign(a.v6 ? udp::v6() : udp::v4(), fd);
    // What the query log reports as the responder (the bound port, also when 0 was asked).
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0)
      local = QueryEndpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&bound), len).value_or(QueryEndpoint{});
  }

  void wait() {
    socket.async_wait(udp::socket::wait_read, [this](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        server_log().error("{}/udp: waiting for queries failed: {}; this socket stops answering", addr.to_string(),
                           ec.message());
        return;
      }
      drain();
    });
  }

  // Drains until the socket is empty, then waits again. Asio's reactor is
  // edge-triggered: waiting while datagrams are still queued would sleep
  // until the next one arrives, so a socket left non-empty is revisited
  // through post() instead.
  void drain() {
    const int fd = socket.native_handle();
    for (int i = 0; i < kBatchesPerWake; ++i) {
      // Between batches no snapshot pointer is held: a reclamation boundary.
      snapshots.batch_boundary(worker);
      if (batch.serve_once(fd, pktinfo, *snapshots.current(), local) == UdpBatch::Result::kDrained) {
        wait();
        return;
      }
    }
    asio::post(socket.get_executor(), [this] { drain(); });
  }

  udp::socket socket;
  ListenAddress addr;
  const SnapshotHolder& snapshots;
  UdpBatch& batch;
  unsigned worker;
  bool pktinfo;
  QueryEndpoint local;
};

UdpListener::UdpListener(asio::io_context& io, const ListenAddress& addr, const SnapshotHolder& snapshots,
                         UdpBatch& batch, unsigned worker)
    : impl_(std::make_unique<Impl>(io, addr, snapshots, batch, worker)) {}

UdpListener::~UdpListener() = default;

void UdpListener::start() {
  // Datagrams may have arrived before the first wait: drain them first.
  asio::post(impl_->socket.get_executor(), [impl = impl_.get()] { impl->drain(); });
}

}  // namespace mailns::server

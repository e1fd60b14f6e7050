// UdpListener: one worker's UDP socket on one listen address. Waits for
// readability with Asio (async_wait), then drains the socket in batches
// through the worker's UdpBatch (recvmmsg / handle_query / sendmmsg),
// reading the current snapshot once per batch, and telling the holder
// about each batch boundary (snapshot reclamation). After a bounded number of
// full batches it yields to the worker's other sockets and continues.
#pragma once

#include <memory>

#include "server/net/listen_address.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/net/udp_batch.hpp"

namespace boost::asio {
class io_context;
}

namespace mailns::server {

class UdpListener {
 public:
  // Binds the socket now (throws std::system_error naming the address).
  // snapshots and batch must outlive the listener; io must too.
  // worker: the index of the worker thread (SnapshotHolder::batch_boundary).
  UdpListener(boost::asio::io_context& io, const ListenAddress& addr, const SnapshotHolder& snapshots,
              UdpBatch& batch, unsigned worker = 0);
  ~UdpListener();
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  // Starts answering; call before (or from) the io_context's thread.
  void start();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server
